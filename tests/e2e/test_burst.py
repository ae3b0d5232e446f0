"""A wide outage (issue 17): 20 incidents declared within a minute, then 50 updates, against an
emulator that enforces Slack's rate limits. The bot's own limiter keeps every call within them
(0 answered 429) and everything is delivered once. Time is virtual: nobody sleeps.
"""

from __future__ import annotations

from collections import Counter

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.slack.limits import Limiter
from tests.e2e.harness import Bot
from tests.e2e.virtual_time import VirtualTime

INCIDENTS = 20
UPDATES = 50


def burst(emu, database_url, *, client_limits: bool = True, incidents: int = INCIDENTS, updates: int = UPDATES,
          **bot_options) -> tuple[Bot, VirtualTime, list[str]]:
    """Declare INCIDENTS, then UPDATES spread over them (the first round changes the status).

    `client_limits=False` is the bot before issue 17 (for the benchmark): no limiter of its own, and
    no retry after a 429 either, so the emulator's count is of first tries."""
    vt = VirtualTime()
    limits = emu.enforce_limits(vt)
    bot = Bot(emu, database_url, limiter=Limiter(vt, vt.sleep), **bot_options)
    vt.limiter = bot.rt.chat.limiter
    if not client_limits:
        bot.rt.chat.limiter = None
        for client in bot.rt.chat.clients:
            client.retry_handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    try:
        for n in range(incidents):
            emu.slash_command("UFR", "COPS", f"declare P2 FR Panne du service {n} EN Service {n} down")
        bot.settle()
        crises = sorted((c for c in emu.state.channels.values() if c.name.startswith("tsr-")), key=lambda c: c.name)
        assert len(crises) == incidents
        for u in range(updates):
            emu.slash_command("UEN", crises[u % incidents].id, f"update identified FR Point no{u}. EN Point no{u}.")
        bot.settle()
    finally:
        vt.stop()
    assert limits is emu.limits
    return bot, vt, [c.id for c in crises]


def test_a_burst_of_declares_and_updates_meets_no_rate_limit_and_delivers_everything_once(emulator, database_url):
    emu = emulator
    bot, vt, crises = burst(emu, database_url)
    try:
        assert emu.limits.limited == [] and [c.method for c in emu.calls if c.status == 429] == []
        assert vt.elapsed > 60  # the limiter waited, in virtual time
        for crisis in crises:
            posts = bot.posts(crisis)
            assert len(posts) == 1 + UPDATES // INCIDENTS + (crisis in crises[:UPDATES % INCIDENTS])
            assert len(emu.pins(crisis)) == 1 and len(emu.bookmarks(crisis)) == 1
        updates = Counter()
        for channel in ("CINCFR", "CINCEN"):
            announcements = bot.posts(channel)
            assert len(announcements) == INCIDENTS  # one per incident, none twice
            for a in announcements:
                replies = [str(m.get("blocks")) for m in emu.replies(channel, a["ts"])]
                updates.update(f"{channel} {r.split('Point no')[1].split('.')[0]}" for r in replies)
        assert sorted(updates.values()) == [1] * (2 * UPDATES)  # each update once in each channel
    finally:
        bot.close()
