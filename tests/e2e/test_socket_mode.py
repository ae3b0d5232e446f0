"""Socket Mode (issue 14): the bot behind a firewall, connected to the emulator's WebSocket server.

The whole end-to-end suite also runs this way with CELLULE_E2E_MODE=socket (.ci/run does); these
tests are about the transport itself: envelopes and their acknowledgements, Slack asking for a
fresh connection, and a connection that drops.
"""

from __future__ import annotations

import pytest

from bot.store import incidents as store
from tests.e2e.harness import Bot

# How requests travel (Socket Mode's envelopes and connection), the same on any database.
pytestmark = pytest.mark.any_database


@pytest.fixture
def sbot(emulator, database_url, clock):
    b = Bot(emulator, database_url, clock, mode="socket")
    yield b
    b.close()


def _declared(bot) -> bool:
    with bot.rt.deps.db.session() as s:
        return store.by_ref(session=s, ref="TSR-2641") is not None


def test_commands_events_and_forms_arrive_as_envelopes_the_bot_acknowledges(sbot):
    emu = sbot.emu
    sock = emu.socket_mode
    assert sock.opened == 1 and sock.connections == 1
    d = sbot.command("UFR", "declare P2 FR Panne paiement EN Payment outage")
    assert d.status == 200 and d.seconds < 3
    assert _declared(sbot)
    channel = sbot.incident_channel()
    emu.post_message("UEN", channel, "acquirer link down")  # an events_api envelope
    sbot.command("UEN", "update", channel=channel)  # opens a form: an interactive envelope follows
    view = emu.views("UEN")[-1]
    answer = emu.submit_view("UEN", view["id"], {"status": {"value": "investigating"}, "text_fr": {"value": "x"}})
    assert answer.status == 200  # an interactive envelope, acknowledged
    sbot.settle()
    with sbot.rt.deps.db.session() as s:
        from bot.store import timeline as tl

        row = store.by_ref(session=s, ref="TSR-2641")
        assert "acquirer link down" in [e.text for e in tl.entries(session=s, incident_id=row.id)]
    assert len(sock.acknowledged) >= 4 and not sock.redelivered
    assert emu.violations == []


def test_a_refresh_requested_by_slack_moves_the_bot_to_a_new_connection(sbot):
    sock = sbot.emu.socket_mode
    sock.refresh()
    assert sock.wait_connected(at_least=2)
    assert sock.opened == 2  # a new URL from apps.connections.open
    sbot.command("UFR", "declare P2 FR Panne paiement EN Payment outage")
    assert _declared(sbot)
    assert sbot.emu.violations == []


def test_a_dropped_connection_is_reopened_and_nothing_is_lost(sbot):
    sock = sbot.emu.socket_mode
    sock.drop()
    # Whatever Slack sends meanwhile waits for the new connection (or is sent again on it).
    d = sbot.command("UFR", "declare P2 FR Panne paiement EN Payment outage")
    assert d.status == 200
    assert sock.wait_connected(at_least=2) and sock.opened >= 2
    assert _declared(sbot)
    sbot.command("UFR", "status", channel=sbot.incident_channel())
    assert "TSR-2641" in sbot.replies_to("UFR")[-1]


def test_the_socket_url_needs_the_app_level_token(sbot):
    from slack_sdk import WebClient

    client = WebClient(token=sbot.emu.bot_token, base_url=sbot.emu.api_url)
    from slack_sdk.errors import SlackApiError

    with pytest.raises(SlackApiError) as e:
        client.apps_connections_open(app_token=sbot.emu.bot_token)
    assert e.value.response["error"] == "invalid_auth"
    sbot.emu.violations.clear()


def test_serve_with_an_app_token_answers_over_socket_mode(emulator, database_url):
    """`python -m bot serve` with SLACK_APP_TOKEN and no signing secret, as the README says to run it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.e2e.harness import env_for

    env = {**os.environ, **env_for(emulator, database_url), "SLACK_APP_TOKEN": emulator.start_socket_mode(),
           "LOG_LEVEL": "WARNING"}
    env.pop("SLACK_SIGNING_SECRET")
    env.pop("TEST_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert emulator.socket_mode.wait_connected(timeout=60), "serve did not connect over Socket Mode"
        d = emulator.slash_command("UEN", "COPS", "help")
        assert d.status == 200
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not emulator.ephemerals("UEN"):
            time.sleep(0.1)
        assert "/incident" in emulator.ephemerals("UEN")[-1]["text"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_large_payload_is_read_whole(sbot):
    """slack_sdk's reader recurses once per receive buffer: with its default 1 KiB buffer a payload over
    about 1 MB hit Python's recursion limit and the envelope was never acknowledged."""
    d = sbot.emu.slash_command("UEN", "COPS", "help " + "x" * 1_200_000)
    assert d.status == 200


def test_hostile_envelopes_are_acknowledged_and_dropped_without_a_traceback(sbot, caplog, monkeypatch):
    """The request shapes Slack never sends, arriving as envelopes: checked as HTTP requests are
    (acknowledged and dropped); the others reach Bolt, and none leaves a traceback."""
    import logging

    from bot.emulator import socket_mode
    from bot.slack import shapes
    from tests.e2e.test_hostile import _hostile

    monkeypatch.setattr(socket_mode, "ACK_WAIT", 2.0)  # Bolt leaves what no listener takes unacknowledged

    sbot.command("UFR", "declare P2 FR Panne paiement EN Payment outage")
    crisis = sbot.incident_channel()
    with sbot.rt.deps.db.session() as s:
        incident_id = store.by_channel(session=s, channel_id=crisis).id
    sock = sbot.emu.socket_mode
    envelopes = []
    for body, content_type in _hostile(sbot, crisis, incident_id):
        try:
            envelopes.append(sock.envelope(body, content_type, None))
        except (ValueError, AttributeError):  # not a JSON object or a form: Slack would not wrap it
            continue
    envelopes = [e for e in envelopes if isinstance(e["payload"], dict)]  # slack_sdk reads nothing else
    assert len(envelopes) > 20
    caplog.clear()
    caplog.set_level(logging.WARNING)
    refused = [e for e in envelopes if shapes.problem_in(e["payload"])]
    assert len(refused) > 10
    answered = {e["envelope_id"]: sock.deliver(e)[0] for e in envelopes}
    assert [str(e["payload"])[:200] for e in refused if answered[e["envelope_id"]] != 200] == []
    sbot.settle()
    tracebacks = [r.getMessage()[:120] for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert tracebacks == []
    sbot.forget_errors()
    sbot.command("UEN", "event Still here", channel=crisis)
    assert "Added to the timeline" in sbot.replies_to("UEN")[-1]
