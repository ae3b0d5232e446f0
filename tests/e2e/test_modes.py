"""`serve` picks Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise (CONTRACT), after migrating."""

from __future__ import annotations

import pytest

from bot import cli, server
from bot.config import Settings
from tests.e2e.harness import env_for
from tests.ports import free_port

# How `serve` chooses and leaves its mode: the same on any database.
pytestmark = pytest.mark.any_database


@pytest.mark.parametrize("app_token,expected", [(None, "http"), ("xapp-1-A1-1-abc", "socket")])
def test_serve_chooses_the_mode_from_the_environment(emulator, database_url, monkeypatch, app_token, expected):
    chosen = []
    monkeypatch.setattr(server, "serve_http", lambda wsgi, host, port: chosen.append(("http", port)))
    monkeypatch.setattr(server, "serve_socket_mode", lambda app, token: chosen.append(("socket", token)))
    port = free_port()  # serve checks it is free before it chooses
    env = env_for(emulator, database_url, PORT=str(port))
    if app_token:
        env["SLACK_APP_TOKEN"] = app_token
        env.pop("SLACK_SIGNING_SECRET")  # not needed in Socket Mode
    assert cli.serve(Settings.from_env(env)) == 0
    assert [kind for kind, _ in chosen] == [expected]
    assert chosen[0][1] == (app_token if app_token else port)


def test_a_refused_token_is_a_configuration_error_and_an_absent_slack_is_not(emulator, database_url, tmp_path):
    """`python -m bot serve` in processes of their own (forked from tests/forked.py's preloaded server)."""
    import os

    from tests import forked

    base = {**os.environ, **env_for(emulator, database_url), "PORT": "0"}
    base.pop("TEST_DATABASE_URL", None)
    refused = forked.run(["-m", "bot", "serve"], env={**base, "SLACK_BOT_TOKEN": "xoxb-not-this-one"},
                         capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in refused.stderr
    absent = forked.run(["-m", "bot", "serve"], env={**base, "SLACK_API_URL": "http://127.0.0.1:9/api/"},
                        capture_output=True, text=True, timeout=60)
    assert absent.returncode == 1 and "does not answer" in absent.stderr and "Traceback" not in absent.stderr
    emulator.violations.clear()  # the refused token was the point


def test_when_serving_ends_the_background_work_stops(emulator, database_url, monkeypatch):
    """The scheduler and the heartbeat end with the server: nothing keeps ticking on a database
    that may be gone (a test's schema once dropped under a leftover scheduler logged failed ticks)."""
    import threading

    monkeypatch.setattr(server, "serve_http", lambda wsgi, host, port: None)
    # Its own port: serve checks the port is free first, and the playground may be open on 3000.
    assert cli.serve(Settings.from_env(env_for(emulator, database_url, PORT=str(free_port())))) == 0
    left = [t.name for t in threading.enumerate() if t.name in ("cellule-scheduler", "cellule-heartbeat")]
    assert left == []
