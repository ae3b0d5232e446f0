"""The app's Home tab: the open incidents for the person looking, with what they may do.

Published (views.publish) when someone opens the tab, and again for everyone who opened it
recently whenever an incident changes. Private incidents appear only to those who may read them;
people who may not change an incident (stakeholders) see the same list without the buttons.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.core import transitions
from bot.core.model import EntryKind, Incident, Role, Status
from bot.flows import dora as dora_flow
from bot.flows import reading
from bot.flows.deps import Deps, UserError
from bot.flows.incidents import Permissions
from bot.i18n import Lang
from bot.slack import dora_ui, forms, render
from bot.slack.chat import Chat, ChatError
from bot.slack.views import _option, _plain, _text_input
from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.models import HomeViewerRow

log = logging.getLogger("cellule.home")

VIEWERS_FOR = timedelta(days=7)  # who opened the tab this recently gets it refreshed on changes
MAX_INCIDENTS = 30  # each takes up to 3 blocks; a Home tab holds 100
REPORT_CALLBACK = "dora_report"


def _row_line(deps: Deps, lang: Lang, incident: Incident, user: str, last: datetime, now: datetime) -> str:
    title = incident.title.get(lang.code) or render.title_of(incident, deps.langs)
    ref = f"<#{incident.channel_id}|{incident.ref}>" if incident.channel_id else incident.ref
    roles = [lang.role(r) for r in Role if incident.roles.get(r) == user]
    clock = dora_flow.clock(deps, incident.id)
    nxt = clock.next_deadline if clock and clock.major else None
    parts = [lang.status(incident.status), incident.priority.value,
             lang._("last update {ago} ago", ago=lang.duration(max(now - last, timedelta(0))))]
    if nxt:
        parts.append(lang._("next deadline: {stage}, {time}", stage=dora_ui.lang_stage(lang, nxt.stage),
                            time=lang.time(nxt.due, now=now)))
    parts.append(lang._("your role: {roles}", roles=lang.list(roles)) if roles else lang._("no role"))
    return f"*{ref}* {render.escape(title)}\n" + " · ".join(parts)


def _buttons(deps: Deps, lang: Lang, incident: Incident, major: bool) -> dict:
    value = str(incident.id)
    buttons = [("open_update_form", lang._("Post an update"))]
    if deps.settings.dora:
        buttons.append(("open_classify_form", lang._("Classify (DORA)")))
        if major:
            buttons.append(("open_report_form", lang._("Record a report")))
    return {"type": "actions", "block_id": f"act_{incident.id}", "elements": [
        {"type": "button", "action_id": a, "text": _plain(t), "value": value} for a, t in buttons]}


def home_view(deps: Deps, permissions: Permissions, user: str) -> dict:
    lang = deps.lang_of(user)
    now = deps.now()
    with deps.db.session() as s:
        rows = store.open_incidents(session=s)
        incidents = [store.to_incident(r) for r in rows]
        incidents = [i for i in incidents if permissions.may_read(user, i)][:MAX_INCIDENTS]
        last = {}
        for i in incidents:
            entries = tl.entries(session=s, incident_id=i.id, kinds={EntryKind.STATUS})
            updates = [transitions.posted_at(e) for e in entries]
            last[i.id] = max(updates, default=i.declared_at or now)
    blocks: list[dict] = [render.header_block(lang._("Open incidents"))]
    if not incidents:
        blocks += render.sections(lang._("No open incident."))
    for i in incidents:
        blocks.append({"type": "section", "block_id": f"inc_{i.id}",
                       "text": {"type": "mrkdwn", "text": _row_line(deps, lang, i, user, last[i.id], now)[:3000]}})
        if permissions.may_change(user, i):
            clock = dora_flow.clock(deps, i.id)
            blocks.append(_buttons(deps, lang, i, bool(clock and clock.major)))
    blocks.append(render.context_block(lang._("Updated {time}", time=lang.time(now))))
    return {"type": "home", "callback_id": "home", "blocks": blocks[:100]}


def publish(chat: Chat, deps: Deps, permissions: Permissions, user: str) -> None:
    chat.publish_home(user, home_view(deps, permissions, user))


def opened(edge, event: dict) -> None:
    """app_home_opened: publish the tab for the viewer, and remember them for later refreshes."""
    if event.get("tab") != "home" or not event.get("user"):
        return
    deps, user = edge.deps, event["user"]
    now = deps.now()
    with deps.db.session() as s:
        row = s.get(HomeViewerRow, user)
        if row is None:
            s.add(HomeViewerRow(user_id=user, opened_at=now))
        else:
            row.opened_at = now
            s.add(row)
    publish(edge.chat, deps, edge.permissions, user)


def viewers(session, since: datetime) -> list[str]:
    return list(session.exec(sa.select(HomeViewerRow.user_id).where(HomeViewerRow.opened_at >= since)).scalars())


def refresh(chat: Chat, deps: Deps, permissions: Permissions, users: list[str]) -> None:
    """Publish the tab again for `users` (after a change)."""
    for user in users:
        try:
            publish(chat, deps, permissions, user)
        except ChatError:
            log.warning("could not refresh the Home tab of %s", user, exc_info=True)


def on_change(chat: Chat, deps: Deps, permissions: Permissions, later: Callable) -> Callable:
    """The Deps.listeners entry: who opened the tab recently is read in the change's own transaction
    (or a short one of its own); their tabs are published again in the background, never delaying
    the reply."""

    def changed(incident_id: int | None, session) -> None:
        if session is None:
            with deps.db.session() as s:
                users = viewers(s, deps.now() - VIEWERS_FOR)
        else:
            users = viewers(session, deps.now() - VIEWERS_FOR)
        if users:
            later(refresh, chat, deps, permissions, users)

    return changed


# --- Buttons of the Home tab (and of reminders) ---------------------------------------------------

def open_update_form(edge, body: dict, lang: Lang, incident: Incident, value: str, reply) -> None:
    from bot.slack import views

    if incident.status is Status.RESOLVED:
        raise UserError("already_resolved", ref=incident.ref)
    forms.show(edge.chat, body, views.update_form(
        edge.deps, lang, incident, None, reading.windows(edge.deps, incident)))


def open_classify_form(edge, body: dict, lang: Lang, incident: Incident, value: str, reply) -> None:
    if not edge.deps.settings.dora:
        raise UserError("dora_off")
    forms.show(edge.chat, body, dora_ui.classify_form(edge.deps, lang, incident))


def report_form(deps: Deps, lang: Lang, incident: Incident) -> dict:
    from bot.core.dora import Stage

    stage = {"type": "input", "block_id": "stage", "label": _plain(lang._("Report")), "element": {
        "type": "static_select", "action_id": "value",
        "options": [_option(dora_ui.lang_stage(lang, s), s.value) for s in Stage]}}
    clock = dora_flow.clock(deps, incident.id)
    nxt = clock.next_deadline if clock and clock.major else None
    if nxt:
        stage["element"]["initial_option"] = _option(dora_ui.lang_stage(lang, nxt.stage), nxt.stage.value)
    blocks = [stage, _text_input("time", lang._("Submitted at (empty: now)"))]
    return {"type": "modal", "callback_id": REPORT_CALLBACK, "title": _plain(lang._("DORA report"), 24),
            "submit": _plain(lang._("Record"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": json.dumps({"incident": incident.id, "lang": lang.code}), "blocks": blocks}


def open_report_form(edge, body: dict, lang: Lang, incident: Incident, value: str, reply) -> None:
    if not edge.deps.settings.dora:
        raise UserError("dora_off")
    forms.show(edge.chat, body, report_form(edge.deps, lang, incident))


ACTIONS = (("open_update_form", open_update_form), ("open_classify_form", open_classify_form),
           ("open_report_form", open_report_form))
