"""DORA through Slack: the classification form, the reporting clock in Paris time, reports, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import EntryKind
from bot.store import incidents as store
from bot.store import timeline as tl

PARIS = ZoneInfo("Europe/Paris")
# Friday 23 October 2026, 18:00 in Paris (summer time); the clocks go back on Sunday 25.
FRIDAY = datetime(2026, 10, 23, 18, 0, tzinfo=PARIS)
MAJOR = {"critical": {"value": ["critical_functions"]}, "clients_affected": {"value": "150000"},
         "impacts": {"value": ["reputational"]}}


@pytest.fixture
def bot(dora_bot):
    return dora_bot


def at(bot, when: datetime) -> None:
    bot.clock.set(when)


def declare(bot) -> str:
    at(bot, FRIDAY)
    bot.command("UFR", "declare P1 FR Paiements refusés EN Payments declined")
    crisis = bot.incident_channel()
    bot.command("UFR", "role comms <@UEN>", channel=crisis)
    return crisis


def classify(bot, user: str, crisis: str, values: dict):
    bot.command(user, "classify", channel=crisis)
    view = bot.emu.views(user)[-1]
    assert view["callback_id"] == "dora_classify"
    answer = bot.emu.submit_view(user, view["id"], values)
    bot.settle()
    return view, answer


def entries(bot, kind):
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        return [e for e in tl.entries(session=s, incident_id=row.id) if e.kind is kind]


def test_major_on_friday_evening_gets_monday_noon_in_winter_time(bot):
    crisis = declare(bot)
    at(bot, FRIDAY + timedelta(hours=2, minutes=30))  # 20:30 Paris
    view, answer = classify(bot, "UEN", crisis, MAJOR)
    assert not (answer.json or {}).get("response_action")
    # Pre-filled and explained: awareness from the declaration, duration so far.
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["aware_at"]["element"]["initial_value"] == "23/10/2026 18:00"
    assert "declaration" in blocks["aware_at"]["hint"]["text"]
    assert blocks["duration"]["element"]["initial_value"] == "2.5"

    recorded, = entries(bot, EntryKind.CLASSIFIED)
    assert recorded.author == "UEN" and recorded.data["major"] and recorded.data["rule"] == "8(1)(b)"
    told = [m["text"] for m in bot.posts(crisis) if "8(1)(b)" in m["text"]]
    assert told and "majeur" in told[0] and "major" in told[0]  # both languages in the channel

    bot.command("UEN", "status", channel=crisis)
    status = bot.replies_to("UEN")[-1]
    # 4 hours after 20:30 is Saturday 00:30: noon on Monday 26, winter time (CET) after the change.
    assert "initial notification: due 26 Oct 12:00 CET" in status
    assert "Art. 5(4)" in status
    summary = str(bot.posts(crisis)[0]["blocks"])
    assert "Art. 5(4)" in summary and "notification initiale" in summary


def test_reports_start_the_next_clock_and_bad_times_are_refused(bot):
    crisis = declare(bot)
    at(bot, FRIDAY + timedelta(hours=2, minutes=30))
    classify(bot, "UEN", crisis, MAJOR)
    at(bot, datetime(2026, 10, 26, 9, 30, tzinfo=PARIS))  # Monday morning
    bot.command("UEN", "report initial 23/10/2026 19:00", channel=crisis)
    assert "before" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "report intermediate", channel=crisis)
    assert "`initial` report first" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "report initial 31/12/2026 10:00", channel=crisis)
    assert "future" in bot.replies_to("UEN")[-1]
    assert entries(bot, EntryKind.REPORT) == []  # nothing recorded by a refusal

    bot.command("UEN", "report initial 09:00", channel=crisis)
    reply = bot.replies_to("UEN")[-1]
    assert "recorded as submitted" in reply and "intermediate report: due 29 Oct 09:00 CET" in reply
    report, = entries(bot, EntryKind.REPORT)
    assert report.data["stage"] == "initial" and report.at == datetime(2026, 10, 26, 8, 0, tzinfo=timezone.utc)


def test_reclassified_not_major_stops_the_clock_and_says_so(bot):
    crisis = declare(bot)
    at(bot, FRIDAY + timedelta(hours=1))
    classify(bot, "UEN", crisis, MAJOR)
    at(bot, FRIDAY + timedelta(hours=2))
    classify(bot, "UEN", crisis, {"critical": {"value": []}, "clients_affected": {"value": "10"},
                                  "impacts": {"value": []}})
    assert len(entries(bot, EntryKind.CLASSIFIED)) == 2  # reclassifying is recorded too
    assert any("clock is stopped" in m["text"] for m in bot.posts(crisis))
    at(bot, FRIDAY + timedelta(days=4))
    assert bot.rt.scheduler.tick() == 0 or all("DORA" not in m["text"] for m in bot.posts(crisis)[-1:])
    bot.command("UEN", "report initial", channel=crisis)
    assert "not classified as a major" in bot.replies_to("UEN")[-1]


def test_form_errors_are_inline_in_the_persons_language_and_nothing_is_recorded(bot):
    crisis = declare(bot)
    _, answer = classify(bot, "UFR", crisis, {"clients_affected": {"value": "beaucoup"},
                                              "clients_total": {"value": "-3"},
                                              "member_states": {"value": "2.5"},
                                              "economic_eur": {"value": "1e999"}})
    errors = answer.json["errors"]
    assert set(errors) == {"clients_affected", "clients_total", "member_states", "economic_eur"}
    assert "nombre" in errors["clients_affected"] and "négati" in errors["clients_total"]
    _, answer = classify(bot, "UEN", crisis, {"clients_affected": {"value": "500"}, "clients_total": {"value": "100"},
                                              "member_states": {"value": "31"}})
    assert set(answer.json["errors"]) == {"clients_affected", "member_states"}
    assert entries(bot, EntryKind.CLASSIFIED) == []


def test_deadline_reminders_60_and_15_minutes_before_and_once_when_missed(bot):
    crisis = declare(bot)
    at(bot, FRIDAY + timedelta(hours=2, minutes=30))
    classify(bot, "UEN", crisis, MAJOR)
    due = datetime(2026, 10, 26, 12, 0, tzinfo=PARIS)
    sched = bot.rt.scheduler

    def dora_posts():
        return [m["text"] for m in bot.posts(crisis) if "'deadline:" in str(m.get("metadata"))]

    for minutes, expected in ((61, 0), (60, 1), (30, 1), (15, 2), (1, 2), (0, 3), (-60, 3)):
        at(bot, due - timedelta(minutes=minutes))
        sched.tick()
        bot.settle()
        got = dora_posts()
        # One post per language of those reminded: the commander reads French, comms English.
        assert len(got) == 2 * expected, (minutes, got)
    assert sum("<@UFR>" in t and "dans 60 minutes" in t for t in dora_posts()) == 1
    assert sum("<@UEN>" in t and "in 15 minutes" in t for t in dora_posts()) == 1
    assert sum("<@UEN>" in t and "competent authority" in t for t in dora_posts()) == 1


def test_python_m_bot_dora_prints_the_prefilled_report(bot, database_url, monkeypatch, capsys):
    import json

    from bot import cli

    crisis = declare(bot)
    bot.command("UFR", "event 17:55 🚨 alerts raised", channel=crisis)
    bot.command("UFR", "impact start 17:50", channel=crisis)
    at(bot, FRIDAY + timedelta(hours=2, minutes=30))
    classify(bot, "UEN", crisis, {**MAJOR, "clients_total": {"value": "1000000"}})
    at(bot, datetime(2026, 10, 26, 9, 30, tzinfo=PARIS))
    bot.command("UEN", "report initial 09:00", channel=crisis)
    for name, value in {"DATABASE_URL": database_url, "INCIDENT_PREFIX": "TSR", "REGULATION": "dora",
                        "INCIDENT_LANGUAGES": "fr,en", "DORA_LANGUAGE": "en"}.items():
        monkeypatch.setenv(name, value)

    assert cli.main(["dora", "TSR-2641", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["classification"]["major"] and out["classification"]["rule"] == "8(1)(b)"
    assert [d["stage"] for d in out["deadlines"]] == ["initial", "intermediate"]
    assert out["deadlines"][0]["due"] == "2026-10-26T11:00:00+00:00" and out["deadlines"][0]["moved_to_next_working_day"]
    initial = {f["field"]: f for f in out["reports"]["initial"]}
    assert initial["2.1"]["value"] == "TSR-2641"
    assert initial["2.2"]["value"] == "2026-10-23T15:55:00+00:00"  # the alert, before the declaration
    assert initial["2.3"]["value"] == "2026-10-23T18:30:00+00:00"
    assert initial["2.4"]["value"].startswith("Payments declined")  # the authority's language (DORA_LANGUAGE)
    assert initial["1.2"]["to_fill"] and initial["1.2"]["value"] is None  # never invented
    assert initial["2.9"]["to_fill"]
    intermediate = {f["field"]: f for f in out["reports"]["intermediate"]}
    assert intermediate["3.2"]["value"] == "2026-10-23T15:50:00+00:00"
    assert intermediate["3.4"]["value"] == 150000 and intermediate["3.5"]["value"] == 15.0
    assert intermediate["3.3"]["to_fill"]  # the impact is still going on

    assert cli.main(["dora", "TSR-2641"]) == 0
    text = capsys.readouterr().out
    assert "2.1 Incident reference code assigned by the financial entity: TSR-2641" in text
    assert "1.2 Name of the entity submitting the report: to fill" in text
    assert cli.main(["dora", "TSR-9"]) == 3  # no such incident (README: exit statuses)


def test_help_lists_the_dora_commands_when_on(bot):
    bot.command("UFR", "help")
    assert "`classify`" in bot.replies_to("UFR")[-1] and "formulaire de classification" in bot.replies_to("UFR")[-1]
