"""Keep what is already posted true: the pinned summary, the announcements and the topic."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from bot.flows import dora as dora_flow
from bot.flows import reminders
from bot.flows.deps import Deps
from bot.flows.ports import Announcement, Problem, Summary, Undelivered
from bot.store import changes
from bot.store import incidents as store

log = logging.getLogger("cellule.sync")
MAX_ROUNDS = 3  # a refresh redoes its edits at most this often when the incident keeps changing


def refresh(deps: Deps, incident_id: int, *, topic: bool = True, state: changes.State | None = None,
            writes: Sequence[Callable] = ()) -> list[Problem]:
    """Edit the summary and announcements in place; returns problems instead of raising.

    Serialised per incident in this process. Across processes, two refreshes may still race and
    land an older edit last; so after editing, the incident is read again, and if it changed
    meanwhile the posts are redone from the newer state. Whoever edits last checks last, so the
    posts end up showing the latest state.

    `state`: the incident as the command that called us left it (read in its transaction), so it is
    not read again. `writes` (callables taking `session=`): what the caller still has to record;
    they are saved with ours, in the one transaction that also reads the incident again."""
    with deps.incident_lock(incident_id):
        pending = list(writes)
        try:
            for _ in range(MAX_ROUNDS):
                state = state or changes.load(deps.db, incident_id)
                ours, problems = _refresh(deps, state, topic=topic)
                with deps.db.session() as s:
                    for write in [*pending, *ours]:
                        write(session=s)
                    pending = []
                    latest = changes.signature(s, incident_id)
                    # An update, a resolution, a new priority move or cancel its reminders (same transaction).
                    reminders.replan_in(deps, s, incident_id)
                    deps.changed(incident_id, s)  # e.g. the Home tabs people opened
                if latest == state.signature:
                    break
                state = None
        finally:
            if pending:  # we failed before saving them: what was posted must still be recorded
                with deps.db.session() as s:
                    for write in pending:
                        write(session=s)
    return problems


def _refresh(deps: Deps, state: changes.State, *, topic: bool) -> tuple[list[Callable], list[Problem]]:
    """The edits; returns the writes that record them, and the problems."""
    problems: list[Problem] = []
    writes: list[Callable] = []
    incident, entries, incident_id = state.incident, state.window, state.incident.id
    messenger = deps.messenger
    stale = []  # (post, its notice, what it will show)
    for post in state.posts:
        if post.kind == "summary":
            notice = Summary(incident, entries, deps.langs, dora=dora_flow.clock(deps, incident_id))
        else:
            notice = Announcement(incident, entries, deps.langs_of(post), deps.langs)
        shown = messenger.shown(notice)
        if post.shown != shown:
            stale.append((post, notice, shown))
    # The edits and the topic at once: none depends on another.
    calls: list = [lambda p=post, n=notice: messenger.revise(p.channel_id, p.ts, n) for post, notice, _ in stale]
    retopic = topic and incident.channel_id and messenger.topic_of(incident, deps.langs) != state.topic
    if retopic:
        calls.append(lambda: messenger.set_topic(incident.channel_id, incident, deps.langs))
    results = messenger.at_once(calls)
    for (post, _, shown), result in zip(stale, results):
        if isinstance(result, Undelivered):
            problems.append(result.problem())
            continue
        writes.append(partial(store.set_shown, post_id=post.id, shown=shown))
    if retopic:
        if isinstance(results[-1], Undelivered):
            problems.append(results[-1].problem())
        else:
            writes.append(partial(store.mark_setup, incident_id=incident_id, step="topic", value=results[-1]))
    return writes, problems
