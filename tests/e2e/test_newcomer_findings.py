"""What a new user found (issue 14): stuck states, input grammar, replies."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.impact import impact_windows
from bot.flows.postmortem import compile_markdown
from bot.store import incidents as store
from bot.store import timeline as tl

PARIS = ZoneInfo("Europe/Paris")


def _declare(bot, title="FR Panne paiement EN Payment outage"):
    bot.command("UFR", f"declare P2 {title}")
    return bot.incident_channel()


def _incident(bot):
    with bot.rt.deps.db.session() as s:
        return store.to_incident(store.by_ref(session=s, ref="TSR-2641"))


def _entries(bot):
    with bot.rt.deps.db.session() as s:
        return tl.entries(session=s, incident_id=store.by_ref(session=s, ref="TSR-2641").id)


def test_resolving_closes_the_open_impact_window_says_so_and_reopen_still_works(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact start 14h00", channel=ch)
    bot.command("UFR", "resolve", channel=ch)
    reply = bot.replies_to("UFR")[-1]
    assert "14h00" in reply and "15h00" in reply, reply  # which window was closed, and when
    windows = impact_windows(_entries(bot))
    assert len(windows) == 1 and windows[0].end is not None
    markdown, _ = compile_markdown(bot.rt.deps, "TSR-2641")
    assert "en cours" not in markdown and "ongoing" not in markdown
    clock.set(datetime(2026, 11, 30, 15, 30, tzinfo=PARIS))
    bot.command("UFR", "reopen", channel=ch)
    assert _incident(bot).status.value == "investigating", bot.replies_to("UFR")[-1]


def test_an_incident_resolved_with_impact_still_open_can_be_reopened(bot, clock):
    """Incidents left in that state by older versions are not stuck either."""
    from bot.core.model import Entry, EntryKind

    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "resolve", channel=ch)
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        tl.add(session=s, incident_id=row.id, now=clock(), entry=Entry(
            kind=EntryKind.IMPACT_START, at=datetime(2026, 11, 30, 14, 0, tzinfo=PARIS), key=True))
    bot.command("UFR", "reopen", channel=ch)
    assert _incident(bot).status.value == "investigating", bot.replies_to("UFR")[-1]


def test_a_window_ending_before_it_starts_says_so(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact 12h00 - 11h00", channel=ch)
    reply = bot.replies_to("UFR")[-1]
    assert "futur" not in reply and "avant" in reply, reply
    bot.command("UFR", "impact 14h50 - 15h30", channel=ch)  # genuinely in the future
    assert "futur" in bot.replies_to("UFR")[-1]
    assert impact_windows(_entries(bot)) == []


def test_the_monitoring_statement_does_not_say_over_while_impact_is_running(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact start 14h00", channel=ch)
    bot.command("UEN", "update monitoring", channel=ch)
    view = bot.emu.views("UEN")[-1]
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert "terminé" not in initial["text_fr"] and "over" not in initial["text_en"], initial
    assert "since 14:00" in initial["text_en"]
