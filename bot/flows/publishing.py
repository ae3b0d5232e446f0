"""The public status page, from the crisis unit's side: components, what an incident affects, and
publishing it (deliberately: nothing is public before `/incident publish`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.bilingual import split_texts
from bot.core.model import Incident
from bot.core.publicpage import DEFAULT_FOR_PRIORITY, KEY, Component, ComponentStatus, PublicPageError, parse_keys
from bot.flows.deps import Deps
from bot.store import publishing as store


def add_component(deps: Deps, text: str) -> tuple[Component, bool]:
    key, _, names_text = text.strip().partition(" ")
    key = key.lower()
    if not KEY.fullmatch(key):
        raise PublicPageError("component_key", given=key)
    names = split_texts(names_text.strip(), deps.settings.languages) if names_text.strip() else {}
    names = {k: v for k, v in names.items() if v.strip()}
    if not names:
        raise PublicPageError("component_names", key=key)
    with deps.db.session() as s:
        created = store.add_component(session=s, key=key, names=names, now=deps.now())
        component = next(c for c in store.components(session=s) if c.key == key)
    deps.changed(None)  # the outlets: the Statuspage mirror, the Home tab
    return component, created


def remove_component(deps: Deps, key: str) -> None:
    with deps.db.session() as s:
        if not store.remove_component(session=s, key=key.strip().lower(), now=deps.now()):
            raise PublicPageError("component_unknown", given=key.strip())
    deps.changed(None)


def components(deps: Deps) -> list[Component]:
    with deps.db.session() as s:
        return store.components(session=s)


@dataclass
class Affected:
    statuses: dict[str, ComponentStatus]
    published: bool


def affects(deps: Deps, incident: Incident, text: str) -> Affected:
    """`/incident affects api,web [partial_outage]`: the status defaults from the priority."""
    from bot.core.commands import first_word
    from bot.core.publicpage import parse_component_status

    keys_text, status_word = first_word(text)
    keys = parse_keys(keys_text)
    status = parse_component_status(status_word) if status_word.strip() else DEFAULT_FOR_PRIORITY[incident.priority]
    with deps.db.session() as s:
        known = {c.key for c in store.components(session=s)}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise PublicPageError("component_unknown", given=unknown[0])
        all_statuses = store.set_affected(session=s, incident_id=incident.id, statuses={k: status for k in keys},
                                          now=deps.now())
        published = store.publication(session=s, incident_id=incident.id).published
    deps.changed(incident.id)
    return Affected({k: ComponentStatus(v) for k, v in all_statuses.items()}, published)


def publish(deps: Deps, incident: Incident, on: bool) -> bool:
    """Show (hide) the incident on the public page; a private incident is never shown. True if it changed."""
    if on and incident.private:
        raise PublicPageError("private")
    with deps.db.session() as s:
        done = store.set_published(session=s, incident_id=incident.id, published=on, now=deps.now())
    deps.changed(incident.id)
    return done


def publish_postmortem(deps: Deps, incident: Incident) -> None:
    from bot.flows.postmortem import compile_markdown
    from bot.render.postmortem import render_postmortem

    if incident.private:
        raise PublicPageError("private")
    _, pm = compile_markdown(deps, incident.ref)
    # Without the hint to the crisis channel and the command line: those are not the public's.
    texts = {lang.code: render_postmortem(pm, [lang], timeline_hint=None) for lang in deps.langs}
    with deps.db.session() as s:
        store.set_postmortem(session=s, incident_id=incident.id, texts=texts, now=deps.now())
        published = store.publication(session=s, incident_id=incident.id).published
    if not published:
        raise PublicPageError("postmortem_unpublished", ref=incident.ref)
    deps.changed(incident.id)


def is_published(deps: Deps, incident_id: int) -> bool:
    with deps.db.session() as s:
        return store.publication(session=s, incident_id=incident_id).published
