"""Update cadence and the other reminders, with a moved clock: on time, once, to the right person."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.store import due as due_store
from bot.store import incidents as store

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)


def reminders(bot, channel: str) -> list[dict]:
    return [m for m in bot.posts(channel) if "cellule_post" in str(m.get("metadata")) and "update_form" in str(m)]


def texts(bot, channel) -> list[str]:
    return [m["text"] for m in reminders(bot, channel)]


def tick(bot, at: datetime) -> int:
    bot.clock.set(at)
    sent = bot.rt.scheduler.tick()
    bot.settle()
    return sent


def declare_p1(bot, comms: str | None = "UEN") -> str:
    bot.clock.set(T0)
    bot.command("UFR", "declare P1 FR Paiements en panne EN Payments down")
    crisis = bot.incident_channel()
    if comms:
        bot.command("UFR", f"role comms <@{comms}>", channel=crisis)
    bot.command("UFR", "role commander <@UFR>", channel=crisis)
    return crisis


def test_p1_without_update_reminds_comms_every_30_minutes_once_each(bot):
    crisis = declare_p1(bot)
    assert tick(bot, T0 + timedelta(minutes=29)) == 0
    assert reminders(bot, crisis) == []

    assert tick(bot, T0 + timedelta(minutes=30)) == 1
    assert tick(bot, T0 + timedelta(minutes=31)) == 0  # never twice for the same period
    first, = reminders(bot, crisis)
    assert "<@UEN>" in first["text"] and "<@UFR>" not in first["text"]  # comms, not the commander
    assert "TSR-2641" in first["text"] and "30" in first["text"]
    assert "no status update" in first["text"]  # UEN reads English
    assert first["blocks"][-1]["elements"][0]["action_id"] == "open_update_form"

    assert tick(bot, T0 + timedelta(minutes=59)) == 0
    assert tick(bot, T0 + timedelta(minutes=60)) == 1
    assert len(reminders(bot, crisis)) == 2


def test_an_update_stops_the_reminder_and_restarts_the_period(bot):
    crisis = declare_p1(bot)
    bot.clock.set(T0 + timedelta(minutes=20))
    bot.command("UEN", "update identified FR Cause trouvée EN Cause found", channel=crisis)
    assert tick(bot, T0 + timedelta(minutes=30)) == 0  # the update restarted the period
    assert tick(bot, T0 + timedelta(minutes=49)) == 0
    assert tick(bot, T0 + timedelta(minutes=50)) == 1
    bot.clock.set(T0 + timedelta(minutes=55))
    bot.command("UEN", "resolve", channel=crisis)
    assert tick(bot, T0 + timedelta(hours=3)) == 0  # resolved: no more cadence reminders
    assert len(reminders(bot, crisis)) == 1
    with bot.rt.deps.db.session() as s:
        states = {r.key.split(":")[0]: r.state for r in due_store.rows(session=s) if r.state == "pending"}
    assert "cadence" not in states


def test_without_comms_the_commander_is_reminded_in_their_language(bot):
    crisis = declare_p1(bot, comms=None)
    assert tick(bot, T0 + timedelta(minutes=30)) == 1
    text, = texts(bot, crisis)
    assert "<@UFR>" in text and "mise à jour" in text  # UFR reads French


def test_a_new_priority_applies_its_own_period(bot):
    crisis = declare_p1(bot)
    bot.clock.set(T0 + timedelta(minutes=10))
    bot.command("UFR", "set priority P3", channel=crisis)
    assert tick(bot, T0 + timedelta(minutes=30)) == 0  # P3: 4 hours
    assert tick(bot, T0 + timedelta(hours=4)) == 1


def test_reminders_missed_while_down_are_sent_once_at_start(bot):
    crisis = declare_p1(bot)
    assert tick(bot, T0 + timedelta(minutes=10)) == 0  # planned: due at 09:30
    # Every process was down from 09:10 to 11:45: four periods went by; one reminder at start.
    assert tick(bot, T0 + timedelta(hours=2, minutes=45)) == 1
    assert tick(bot, T0 + timedelta(hours=2, minutes=46)) == 0
    assert len(reminders(bot, crisis)) == 1
    assert tick(bot, T0 + timedelta(hours=3)) == 1  # and the next period as usual


def test_no_commander_after_declare_gets_one_reminder(bot):
    """The declarer leads by default; an incident recorded without one (e.g. by an integration)
    is reminded once, to its declarer."""
    bot.clock.set(T0)
    bot.command("UFR", "declare P4 FR Lenteurs EN Slowness")
    crisis = bot.incident_channel()
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        row.roles = {}
        s.add(row)
    assert tick(bot, T0 + timedelta(minutes=14)) == 0
    assert tick(bot, T0 + timedelta(minutes=15)) == 1
    assert tick(bot, T0 + timedelta(hours=5)) == 0
    posts = [m["text"] for m in bot.posts(crisis) if "commandant" in m["text"] or "commander" in m["text"]]
    assert len(posts) == 1 and "<@UFR>" in posts[0]  # the declarer, in French


def test_resolved_without_postmortem_gets_one_reminder_after_five_days(bot):
    crisis = declare_p1(bot)
    bot.command("UFR", "resolve", channel=crisis)
    assert tick(bot, T0 + timedelta(days=4, hours=23)) == 0
    assert tick(bot, T0 + timedelta(days=5, minutes=1)) == 1
    assert tick(bot, T0 + timedelta(days=9)) == 0
    assert sum("postmortem" in m["text"] for m in bot.posts(crisis)) == 1


def test_an_archived_channel_sends_the_reminder_to_the_commander_by_dm(bot):
    crisis = declare_p1(bot)
    bot.emu.channel(crisis).is_archived = True
    assert tick(bot, T0 + timedelta(minutes=30)) == 1
    dms = [m for c in bot.emu.state.channels.values() if c.is_im for m in c.messages.values()]
    assert any("TSR-2641" in m.get("text", "") for m in dms), dms
