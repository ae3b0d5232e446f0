"""Seconds count (issue 17): a declare is ready in at most 4 Slack round trips and an update is in
every channel in at most 2, whatever the number of stakeholder channels; and what people see comes
in the same order as when every call went one after another.

Round trips are the depth of the call graph the emulator saw (`SlackEmulator.round_trips`): no
timing is asserted. Calls are answered in waves (`SlackEmulator.in_waves`), each wave once no new
call has come for a moment, so that calls sent together overlap however loaded the machine is.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import Bot

# A wave is answered once no new call has come for this long: longer than the bot may take between
# two calls of one batch on a loaded 2-core machine. A fixed delay per call (0.1 s, then 0.3 s)
# measured 3 round trips for an update; waves with 0.15 s of quiet, 5 for a declare (a fresh clone's
# CI, four test workers compiling at once). Calls sent one after another never share a wave, however
# long the quiet: the sequential figures need none.
QUIET = 0.5
SEQUENTIAL_QUIET = 0.05
TITLE = "declare P2 FR Panne {n} EN Outage {n}"
UPDATE = "update {status} FR Mise à jour no{n}. EN Update no{n}."


def stakeholders(emu, count: int) -> str:
    """ANNOUNCE_CHANNELS with `count` stakeholder channels, every other one French."""
    everyone = (emu.bot_user_id, "UFR", "UEN", "USTAKE")
    ids = [emu.add_channel(f"stakeholders-{i}", id=f"CSTAKE{i}", members=everyone) for i in range(count)]
    return ",".join(f"{'fr' if i % 2 == 0 else 'en'}:{c}" for i, c in enumerate(ids))


def measured(bot: Bot, count: int, quiet: float = QUIET) -> tuple[list, list]:
    """The Web API calls of a declare and of a status update, caches warm (a first incident declared
    and updated: the bot knows who it is, the crisis unit and both people's languages), Slack answering
    in waves."""
    emu = bot.emu
    bot.command("UFR", TITLE.format(n=0))
    bot.command("UEN", UPDATE.format(status="identified", n=0), channel=bot.incident_channel())
    emu.in_waves(quiet)
    emu.reset_calls()
    bot.command("UFR", TITLE.format(n=1))
    declare = list(emu.calls)
    assert emu.count("chat.postMessage") == 1 + count and emu.count("bookmarks.add") == 1
    crisis = bot.incident_channel()
    emu.reset_calls()
    bot.command("UEN", UPDATE.format(status="identified", n=1), channel=crisis)
    update = list(emu.calls)
    assert emu.count("chat.postMessage") == 1 + count and emu.count("chat.update") == 1 + count
    return declare, update


@pytest.mark.any_database  # Slack round trips: the same on any database
@pytest.mark.parametrize("count", [1, 3, 10])
def test_a_declare_takes_4_round_trips_and_an_update_2_whatever_the_channels(emulator, database_url, count):
    bot = Bot(emulator, database_url, ANNOUNCE_CHANNELS=stakeholders(emulator, count))
    try:
        calls = measured(bot, count)
    finally:
        bot.close()
    declare, update = map(emulator.round_trips, calls)
    assert declare <= 4 and update <= 2, (declare, update, [sent(c) for c in calls])


def sent(calls: list) -> list[str]:
    """Each call and when it came and was answered, in ms from the first: what a failure shows."""
    first = min((c.started for c in calls), default=0)
    return [f"{c.method} {1000 * (c.started - first):.0f}-{1000 * (c.ended - first):.0f}" for c in calls]


@pytest.mark.any_database  # Slack round trips: the same on any database
def test_one_after_another_the_same_calls_take_a_round_trip_each(emulator, database_url):
    """The switch the benchmark's "before" uses: a batch of width 1 is sequential (and the test above
    can fail: these are the figures it would see)."""
    bot = Bot(emulator, database_url, ANNOUNCE_CHANNELS=stakeholders(emulator, 3), slack_width=1)
    try:
        declare, update = map(emulator.round_trips, measured(bot, 3, SEQUENTIAL_QUIET))
    finally:
        bot.close()
    # create, summary, 3 announcements, invite, pin, topic, permalink, bookmark; 4 posts, 4 edits, topic
    assert (declare, update) == (10, 9)


@pytest.mark.parametrize("slow", ["*", "chat.postMessage", "conversations.invite", "pins.add"])
def test_people_see_the_same_order_with_slack_slow(emulator, database_url, slow):
    """The summary is the crisis channel's first message (topic and joins after it), every update
    comes after the one it follows in every channel, however slow some calls are."""
    emu = emulator
    bot = Bot(emu, database_url)
    try:
        emu.delay(slow, 0.1)
        bot.command("UFR", TITLE.format(n=1))
        crisis = bot.incident_channel()
        messages = emu.messages(crisis)
        assert messages[0].get("bot_id") and not messages[0].get("subtype")  # the summary
        assert [m["ts"] for m in emu.pins(crisis)] == [messages[0]["ts"]]
        assert [m.get("subtype") for m in messages[1:]] == ["channel_topic"]
        announcements = {c: emu.messages(c)[0] for c in ("CINCFR", "CINCEN")}
        assert [b["link"] for b in emu.bookmarks(crisis)] == [emu.permalink("CINCFR", announcements["CINCFR"])]
        # Two updates sent one right after the other, before the first is out. Both "identified": they
        # race, so either may be recorded first, and neither order may be refused as going backwards.
        for n, status in enumerate(["identified", "identified"], 1):
            emu.slash_command("UEN", crisis, UPDATE.format(status=status, n=n))
        bot.settle()
        shown = [str(m.get("blocks")) for m in bot.posts(crisis)[1:]]
        first = 0 if "no1." in shown[0] else 1  # recorded in this order: shown in it everywhere
        order = ["no1.", "no2."][first], ["no1.", "no2."][1 - first]
        assert [o in s for o, s in zip(order, shown)] == [True, True], (shown, bot.replies_to("UEN"))
        for channel, announcement in announcements.items():
            thread = [str(m.get("blocks")) for m in emu.replies(channel, announcement["ts"])]
            assert len(thread) == 2 and order[0] in thread[0] and order[1] in thread[1], (channel, order, thread)
    finally:
        bot.close()
