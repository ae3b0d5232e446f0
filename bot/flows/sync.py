"""Keep what is already posted true: the pinned summary, the announcements and the topic."""

from __future__ import annotations

import hashlib
import json
import logging

from bot.core.impact import WINDOW_KINDS
from bot.flows.deps import Deps
from bot.slack import render
from bot.slack.chat import ChatError
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.sync")
MAX_ROUNDS = 3  # a refresh redoes its edits at most this often when the incident keeps changing


def fingerprint(text: str, blocks: list | None) -> str:
    """Stable across processes (unlike hash()), so every replica agrees on what a post shows."""
    return hashlib.sha256(json.dumps([text, blocks], sort_keys=True).encode()).hexdigest()[:40]


def refresh(deps: Deps, incident_id: int, *, topic: bool = True) -> list[tuple[str, dict]]:
    """Edit the summary and announcements in place; returns problems instead of raising.

    Serialised per incident in this process. Across processes, two refreshes may still race and
    land an older edit last; so after editing, the incident is read again, and if it changed
    meanwhile the posts are redone from the newer state. Whoever edits last checks last, so the
    posts end up showing the latest state."""
    with deps.incident_lock(incident_id):
        for _ in range(MAX_ROUNDS):
            seen, problems = _refresh(deps, incident_id, topic=topic)
            if _state(deps, incident_id) == seen:
                break
        return problems


def _signature(row, entries) -> tuple:
    """What the posts are made of: the incident's version and its window entries."""
    return row.version, tuple(e.id for e in entries)


def _state(deps: Deps, incident_id: int) -> tuple:
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        return _signature(row, tl.entries(session=s, incident_id=incident_id, kinds=WINDOW_KINDS))


def _refresh(deps: Deps, incident_id: int, *, topic: bool) -> tuple[tuple, list[tuple[str, dict]]]:
    problems: list[tuple[str, dict]] = []
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        incident = store.to_incident(row)
        last_topic = row.setup.get("topic")
        entries = tl.entries(session=s, incident_id=incident_id, kinds=WINDOW_KINDS)
        seen = _signature(row, entries)
        posts = store.posts(session=s, incident_id=incident_id, kind="summary") + \
            store.posts(session=s, incident_id=incident_id, kind="announcement")
    for post in posts:
        if post.kind == "summary":
            text, blocks = render.summary(incident, entries, deps.langs)
        else:
            langs = deps.langs_of(post)
            text, blocks = render.announcement(incident, entries, langs, deps.langs)
        shown = fingerprint(text, blocks)
        if post.shown == shown:
            continue
        try:
            deps.chat.update(post.channel_id, post.ts, text, blocks)
            with deps.db.session() as s:
                store.set_shown(session=s, post_id=post.id, shown=shown)
        except ChatError as e:
            problems.append(("slack_refused", {"method": e.method, "code": e.code}))
    new_topic = render.topic(incident, deps.langs)
    if topic and incident.channel_id and new_topic != last_topic:
        try:
            deps.chat.set_topic(incident.channel_id, new_topic)
            with deps.db.session() as s:
                store.mark_setup(session=s, incident_id=incident_id, step="topic", value=new_topic)
        except ChatError as e:
            problems.append(("slack_refused", {"method": e.method, "code": e.code}))
    return seen, problems
