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


def fingerprint(text: str, blocks: list | None) -> str:
    """Stable across processes (unlike hash()), so every replica agrees on what a post shows."""
    return hashlib.sha256(json.dumps([text, blocks], sort_keys=True).encode()).hexdigest()[:40]


def refresh(deps: Deps, incident_id: int, *, topic: bool = True) -> list[tuple[str, dict]]:
    """Edit the summary and announcements in place; returns problems instead of raising.

    Serialised per incident: two refreshes racing could otherwise land an older edit last, and
    the stored fingerprint would then claim what Slack does not show. (Across processes the
    same race remains possible; the next change repairs it.)"""
    with deps.incident_lock(incident_id):
        return _refresh(deps, incident_id, topic=topic)


def _refresh(deps: Deps, incident_id: int, *, topic: bool) -> list[tuple[str, dict]]:
    problems: list[tuple[str, dict]] = []
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        incident = store.to_incident(row)
        last_topic = row.setup.get("topic")
        entries = tl.entries(session=s, incident_id=incident_id, kinds=WINDOW_KINDS)
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
    return problems
