"""GET /metrics (issue 12, item 11): off by default; with METRICS=on, Prometheus' format, counts
that add up under concurrent requests, and never a token or a person's words in a label."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import Bot

# What /metrics counts and hides: the same on any database.
pytestmark = pytest.mark.any_database

DECLARE = "declare P2 FR Panne secrète EN Secret outage"


def _get(bot, path: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{bot.server.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def _samples(text: str) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(text: str, name: str, **labels) -> float:
    return _samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(emulator, database_url, clock):
    b = Bot(emulator, database_url, clock, METRICS="on")
    yield b
    b.close()


def test_metrics_are_off_unless_asked(bot):
    assert _get(bot, "/metrics")[0] == 404


def test_metrics_count_acks_calls_and_retries_and_show_no_secret(metered):
    bot = metered
    before = _get(bot, "/metrics")[1]
    bot.emu.rate_limit("conversations.setTopic", times=1, retry_after=1)
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.post_message("UFR", crisis, "le mot de passe est hunter2")
    bot.settle()
    status, after = _get(bot, "/metrics")
    assert status == 200

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("cellule_ack_seconds_count", kind="command") == 1
    assert grew("cellule_slack_calls_total", method="conversations.create", outcome="ok") == 1
    assert grew("cellule_slack_calls_total", method="chat.postMessage", outcome="ok") >= 3
    assert grew("cellule_slack_retries_total", method="conversations.setTopic", reason="ratelimited") == 1
    assert grew("cellule_events_total", outcome="recorded") >= 1
    assert "# TYPE cellule_reminders gauge" in after  # read from the database at each scrape
    for secret in (bot.emu.bot_token, bot.emu.signing_secret, "hunter2", "Secret outage", "UEN", "UFR", crisis):
        assert secret not in after


def test_concurrent_requests_are_all_counted(metered):
    bot = metered
    before = _get(bot, "/metrics")[1]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: bot.emu.slash_command("UEN", "COPS", "help"), range(16)))
    bot.settle()
    after = _get(bot, "/metrics")[1]
    assert (_value(after, "cellule_ack_seconds_count", kind="command")
            - _value(before, "cellule_ack_seconds_count", kind="command")) == 16


def test_a_database_outage_shows_as_database_errors_and_held_events(metered, monkeypatch):
    from tests.e2e.test_held_events import database_down

    bot = metered
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    before = _get(bot, "/metrics")[1]
    database_down(monkeypatch, bot.rt.deps.db)
    bot.command("UEN", "status")  # its author is told the database is down: one database error
    told = _get(bot, "/metrics")[1]
    assert _value(told, "cellule_database_errors_total") - _value(before, "cellule_database_errors_total") == 1
    bot.emu.post_message("UFR", crisis, "on attend le prestataire")  # kept until the database is back
    bot.settle()
    status, after = _get(bot, "/metrics")
    assert status == 200
    held = [_value(text, "cellule_events_total", outcome="held") for text in (before, after)]
    assert held[1] - held[0] == 1


@pytest.mark.http_only  # a refusal at the door is an HTTP answer (over Socket Mode there is no door)
def test_refused_requests_and_late_acknowledgements_are_counted(metered, monkeypatch):
    from bot.slack import deadline

    bot = metered
    before = _get(bot, "/metrics")[1]
    forged = urllib.request.Request(bot.url, data=b"command=%2Fincident&text=help", method="POST",
                                    headers={"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 401
    monkeypatch.setattr(deadline, "ACK_DEADLINE", -1.0)  # every acknowledgement comes too late
    bot.command("UEN", "help")
    after = _get(bot, "/metrics")[1]
    assert _value(after, "cellule_events_total", outcome="refused") - _value(before, "cellule_events_total",
                                                                              outcome="refused") == 1
    late = [_value(text, "cellule_acks_too_late_total", kind="command") for text in (before, after)]
    assert late[1] - late[0] == 1
