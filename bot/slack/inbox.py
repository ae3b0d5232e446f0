"""Declares are written before any Slack call, and carried out at the next start if their process died.

The acknowledgement comes first, then the work looks up the person's language and the crisis unit
in Slack before the incident can be written. A process killed in between would lose a declare that
was acknowledged, with no reply. So the command is written to the inbox first thing; once the work
is over it is marked done. At start, a declare still pending (received within the response_url's
30 minutes) is taken by one process and carried out, answering through its response_url. The
declare's idempotency key makes the incident the same one whichever run writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from slack_sdk.webhook import WebhookClient

from bot.store import inbox as store
from bot.store.db import DATABASE_DOWN

log = logging.getLogger("cellule.inbox")

RESPONSE_URL_LIFETIME = timedelta(minutes=30)  # Slack's, for a slash command's response_url
KEPT = frozenset({"declare"})  # commands replayed: their effect is idempotent (the declare key)


@contextmanager
def kept(edge, command: dict, name: str, rest: str) -> Iterator[None]:
    """Around a command's work: written first, marked done after (a killed process leaves it pending)."""
    deps = edge.deps
    if name not in KEPT or not rest.strip() or not command.get("trigger_id") or not command.get("response_url"):
        yield
        return
    try:
        with deps.db.session() as s:
            store.add(session=s, trigger_id=command["trigger_id"], user_id=command["user_id"],
                      channel_id=command.get("channel_id") or "", text=command.get("text", ""),
                      response_url=command["response_url"], now=deps.now())
    except DATABASE_DOWN:
        yield  # the work itself will find the database down and say so
        return
    try:
        yield
    finally:
        try:
            with deps.db.session() as s:
                store.done(session=s, trigger_id=command["trigger_id"], now=deps.now())
        except DATABASE_DOWN:
            log.warning("could not mark a declare done in the inbox; the next start may tell its author again")


def replay(edge) -> int:
    """At start: carry out the declares a dead process acknowledged and never did. Returns how many."""
    from bot.slack.listeners import commands

    deps = edge.deps
    with deps.db.session() as s:
        store.forget(session=s, before=deps.now() - 2 * RESPONSE_URL_LIFETIME)
        rows = store.pending(session=s, since=deps.now() - RESPONSE_URL_LIFETIME)
    count = 0
    for row in rows:
        with deps.db.session() as s:
            if not store.done(session=s, trigger_id=row.trigger_id, now=deps.now()):
                continue  # another process took it
        command = {"trigger_id": row.trigger_id, "user_id": row.user_id, "channel_id": row.channel_id,
                   "text": row.text, "response_url": row.response_url}
        webhook = WebhookClient(row.response_url)
        log.info("carrying out a declare acknowledged before a restart")
        commands.work(edge, command, lambda **payload: webhook.send_dict(payload))
        count += 1
    return count
