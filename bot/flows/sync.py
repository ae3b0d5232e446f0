"""Keep what is already posted true: the pinned summary, the announcements and the topic."""

from __future__ import annotations

import logging

from bot.core.impact import WINDOW_KINDS
from bot.flows.deps import Deps
from bot.flows.ports import Announcement, Problem, Summary, Undelivered
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.sync")
MAX_ROUNDS = 3  # a refresh redoes its edits at most this often when the incident keeps changing


def refresh(deps: Deps, incident_id: int, *, topic: bool = True) -> list[Problem]:
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


def _refresh(deps: Deps, incident_id: int, *, topic: bool) -> tuple[tuple, list[Problem]]:
    problems: list[Problem] = []
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        incident = store.to_incident(row)
        last_topic = row.setup.get("topic")
        entries = tl.entries(session=s, incident_id=incident_id, kinds=WINDOW_KINDS)
        seen = _signature(row, entries)
        posts = store.posts(session=s, incident_id=incident_id, kind="summary") + \
            store.posts(session=s, incident_id=incident_id, kind="announcement")
    messenger = deps.messenger
    for post in posts:
        if post.kind == "summary":
            notice = Summary(incident, entries, deps.langs)
        else:
            notice = Announcement(incident, entries, deps.langs_of(post), deps.langs)
        shown = messenger.shown(notice)
        if post.shown == shown:
            continue
        try:
            messenger.revise(post.channel_id, post.ts, notice)
            with deps.db.session() as s:
                store.set_shown(session=s, post_id=post.id, shown=shown)
        except Undelivered as e:
            problems.append(e.problem())
    if topic and incident.channel_id and messenger.topic_of(incident, deps.langs) != last_topic:
        try:
            new_topic = messenger.set_topic(incident.channel_id, incident, deps.langs)
            with deps.db.session() as s:
                store.mark_setup(session=s, incident_id=incident_id, step="topic", value=new_topic)
        except Undelivered as e:
            problems.append(e.problem())
    return seen, problems
