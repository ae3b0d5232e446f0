"""`serve` picks Socket Mode when SLACK_APP_TOKEN is set, HTTP otherwise (CONTRACT), after migrating."""

from __future__ import annotations

import pytest

from bot import cli, server
from bot.config import Settings
from tests.e2e.harness import env_for


@pytest.mark.parametrize("app_token,expected", [(None, "http"), ("xapp-1-A1-1-abc", "socket")])
def test_serve_chooses_the_mode_from_the_environment(emulator, database_url, monkeypatch, app_token, expected):
    chosen = []
    monkeypatch.setattr(server, "serve_http", lambda wsgi, host, port: chosen.append(("http", port)))
    monkeypatch.setattr(server, "serve_socket_mode", lambda app, token: chosen.append(("socket", token)))
    env = env_for(emulator, database_url, PORT="3111")
    if app_token:
        env["SLACK_APP_TOKEN"] = app_token
        env.pop("SLACK_SIGNING_SECRET")  # not needed in Socket Mode
    assert cli.serve(Settings.from_env(env)) == 0
    assert [kind for kind, _ in chosen] == [expected]
    assert chosen[0][1] == (app_token if app_token else 3111)
