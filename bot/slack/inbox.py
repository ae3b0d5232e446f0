"""Declares are written down before they are acknowledged, and carried out at the next start if their process died.

The acknowledgement comes first, then the work looks up the person's language and the crisis unit
in Slack before the incident can be written. A process killed in between would lose a declare that
was acknowledged, with no reply. The work only starts once the work pool has a thread for it (a
burst, or threads waiting on a locked database, can keep it queued), so the listener itself writes
the declare down before it acknowledges it: to the event journal (bot.store.spool), a local file
fsync'd, never the database — a locked or stopped database must not delay an acknowledgement
(issue 12, item 6), and events are kept the same way before their 200. The work then writes the
command to the inbox (the database) and the journal's line is done. At start, a declare still in a
dead process's journal goes to the inbox, and a declare still pending there (received within the
response_url's 30 minutes) is taken by one process and carried out, answering through its
response_url. The declare's idempotency key makes the incident the same one whichever run writes it.
The line is written before the acknowledgement, not after: a kill in between then replays a declare
Slack reported as failed (its author's retry is told the incident exists) instead of losing one
that was acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from slack_sdk.webhook import WebhookClient

from bot.store import inbox as store
from bot.store.db import DATABASE_DOWN

log = logging.getLogger("cellule.inbox")

RESPONSE_URL_LIFETIME = timedelta(minutes=30)  # Slack's, for a slash command's response_url
KEPT = frozenset({"declare"})  # commands replayed: their effect is idempotent (the declare key)
JOURNALED = "cellule_command"  # the type of a command's line in the event journal (events are "event_callback")
FIELDS = ("trigger_id", "user_id", "channel_id", "text", "response_url")


def keeps(command: dict, name: str, rest: str) -> bool:
    return name in KEPT and bool(rest.strip()) and bool(command.get("trigger_id")) and bool(command.get("response_url"))


def write_down(edge, command: dict, name: str, rest: str) -> int | None:
    """In the listener, before the acknowledgement: a declare is written to the event journal (an
    fsync, no database). Returns its number there, or None (not a declare kept, or no journal: the
    inbox alone keeps it, once the work starts)."""
    spool = edge.held.spool
    if spool is None or not keeps(command, name, rest):
        return None
    envelope = {"type": JOURNALED, "command": {k: command.get(k) or "" for k in FIELDS},
                "received": edge.deps.now().isoformat()}
    try:
        return spool.append(envelope)
    except OSError as e:
        log.warning("a declare could not be written to the journal (%s); kept once its work starts", type(e).__name__)
        return None


def written_off(edge, journaled: int | None) -> None:
    """The journal's line is done: the inbox has the command, or it must never run (too late, or failed)."""
    if journaled is not None and edge.held.spool is not None:
        edge.held.spool.done(journaled)


@contextmanager
def kept(edge, command: dict, name: str, rest: str, journaled: int | None = None) -> Iterator[None]:
    """Around a command's work: written first, marked done after (a killed process leaves it pending)."""
    deps = edge.deps
    if not keeps(command, name, rest):
        written_off(edge, journaled)
        yield
        return
    try:
        _into_inbox(deps, command, deps.now())
    except DATABASE_DOWN:
        written_off(edge, journaled)  # not replayed: the work finds the database down and says so
        yield
        return
    written_off(edge, journaled)  # the inbox keeps it now
    try:
        yield
    finally:
        try:
            with deps.db.session() as s:
                store.done(session=s, trigger_id=command["trigger_id"], now=deps.now())
        except DATABASE_DOWN:
            log.warning("could not mark a declare done in the inbox; the next start may tell its author again")


def adopt(edge, envelope: dict) -> None:
    """At start, for each declare a dead process wrote to its journal and did not hand to the inbox
    (bot.flows.held replays the journal, and again while the database does not answer): into the
    inbox (the same trigger_id twice is one row), then carried out unless another run took it."""
    deps = edge.deps
    command = {k: str(envelope["command"].get(k) or "") for k in FIELDS}
    received = datetime.fromisoformat(envelope["received"])
    _into_inbox(deps, command, received)
    if received >= deps.now() - RESPONSE_URL_LIFETIME:
        edge.later(_carry_out, edge, command)


def replay(edge) -> int:
    """At start: carry out the declares a dead process acknowledged and never did. Returns how many."""
    deps = edge.deps
    with deps.db.session() as s:
        store.forget(session=s, before=deps.now() - 2 * RESPONSE_URL_LIFETIME)
        rows = store.pending(session=s, since=deps.now() - RESPONSE_URL_LIFETIME)
    return sum(_carry_out(edge, {k: getattr(row, k) for k in FIELDS}) for row in rows)


def _into_inbox(deps, command: dict, now: datetime) -> None:
    """The command's row in the inbox (the same trigger_id twice is one row)."""
    with deps.db.session() as s:
        store.add(session=s, **{k: command.get(k) or "" for k in FIELDS}, now=now)


def _carry_out(edge, command: dict) -> bool:
    """Take the pending declare (one process does) and do it; False if it was taken already."""
    from bot.slack.listeners import commands

    deps = edge.deps
    with deps.db.session() as s:
        if not store.done(session=s, trigger_id=command["trigger_id"], now=deps.now()):
            return False  # another process, or run, took it
    webhook = WebhookClient(command["response_url"])
    log.info("carrying out a declare acknowledged before a restart")
    commands.work(edge, command, lambda **payload: webhook.send_dict(payload))
    return True
