"""Hostile input, correctly signed: shapes Slack never sends get a 4xx or a clean reply, never a 500
or a traceback; Slack's real shapes keep working afterwards."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.store import incidents as store
from tests import forked
from tests.e2e.harness import env_for

# Hostile requests come to the Request URL: about HTTP delivery itself, not run over Socket Mode.
# Refused at the door, before the database is reached: the same on any database.
pytestmark = [pytest.mark.http_only, pytest.mark.any_database]

FORM = "application/x-www-form-urlencoded"
DECLARE = "declare P2 FR Panne paiement EN Payment outage"


def _payload(payload) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _event(emu, event, **envelope) -> bytes:
    return json.dumps({"type": "event_callback", "event_id": "EvHOSTILE", "team_id": emu.team_id,
                       "api_app_id": emu.app_id, "event": event, "event_time": int(time.time()),
                       **envelope}).encode()


def _hostile(bot, crisis: str, incident_id: int) -> list[tuple[bytes, str]]:
    emu = bot.emu
    team = {"id": emu.team_id, "domain": emu.team_domain}
    user = {"id": "UEN", "name": "alex", "team_id": emu.team_id}
    bot.command("UEN", "update", channel=crisis)
    form = emu.views("UEN")[-1]
    huge = str(10 ** 30)

    def submission(view):
        return _payload({"type": "view_submission", "team": team, "user": user, "api_app_id": emu.app_id,
                         "trigger_id": "1.2", "view": view})

    def click(action_id, value):
        return _payload({"type": "block_actions", "team": team, "user": user, "api_app_id": emu.app_id,
                         "trigger_id": "1.2", "response_url": emu.base_url + "response/none",
                         "container": {"type": "message", "channel_id": crisis},
                         "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                                      "action_ts": "1.3"}]})

    reaction = {"type": "reaction_added", "user": "UEN", "reaction": "pushpin", "event_ts": "nan",
                "item": {"type": "message", "channel": crisis, "ts": "nan"}}
    bodies = [
        # Bolt's parsing
        (b"payload=%7B", FORM), (b"payload=[1,2]", FORM), (b"payload=null", FORM), (b"{not json", "application/json"),
        (b"[]", "application/json"), (b"null", "application/json"), (b"\xff\xfe", "application/json"),
        (_payload({"type": "block_actions"}), FORM), (_payload({"type": "view_submission"}), FORM),
        (_payload({"type": "view_submission", "view": "x", "user": user, "team": team}), FORM),
        (_payload({"type": "shortcut"}), FORM), (_payload({"type": "message_action", "callback_id": "add_to_timeline"}), FORM),
        (json.dumps({"type": "event_callback", "event": "x"}).encode(), "application/json"),
        (json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode(), "application/json"),
        (urlencode({"command": "/incident"}).encode(), FORM),
        (urlencode({"command": "/incident", "text": "help", "user_id": "UEN"}).encode(), FORM),
        # Values
        (_event(emu, {"type": "message", "channel": crisis, "user": "UEN", "text": "x", "ts": "nan"}), "application/json"),
        (_event(emu, {"type": "message", "channel": crisis, "user": "UEN", "text": "x", "ts": "1e309"}), "application/json"),
        (_event(emu, {"type": "message", "channel": crisis, "user": "UEN", "text": ["x"], "ts": "1.2"}), "application/json"),
        (_event(emu, {"type": "message", "subtype": "message_changed", "channel": crisis, "message": "x"}), "application/json"),
        (_event(emu, {"type": "message", "subtype": "message_deleted", "channel": crisis, "deleted_ts": "inf"}), "application/json"),
        (_event(emu, reaction), "application/json"),
        (_event(emu, {**reaction, "item": "x"}), "application/json"),
        (_event(emu, {**reaction, "item": {"type": "message", "channel": crisis, "ts": "1e309"}, "event_ts": "1e309"}),
         "application/json"),
        (submission({**form, "state": "not an object"}), FORM),
        (submission({**form, "state": {"values": ["x"]}}), FORM),
        (submission({**form, "state": {"values": {"b": "x"}}}), FORM),
        (submission({**form, "private_metadata": json.dumps({"incident": huge, "lang": "en"})}), FORM),
        (submission({**form, "private_metadata": "[1]"}), FORM),
        (submission({**form, "private_metadata": json.dumps({"incident": [1]})}), FORM),
        (submission({**form, "callback_id": "translate", "private_metadata": json.dumps({"incident": incident_id, "entry": huge})}), FORM),
        (submission({**form, "callback_id": "declare", "state": {"values": {"x": {"title_en": {"type": "plain_text_input", "value": ["x"]}}}}}), FORM),
        # Types of the fields the listeners read
        (_event(emu, {**reaction, "item": {"type": "message", "channel": [crisis], "ts": "1.2"}, "event_ts": "1.2"}),
         "application/json"),
        (_event(emu, {"type": "message", "subtype": "message_changed", "channel": crisis, "ts": "1.3",
                      "message": {"type": "message", "user": "UEN", "text": "x", "ts": "1.2", "edited": "x"}}),
         "application/json"),
        (_event(emu, {"type": "message", "subtype": "file_share", "channel": crisis, "user": "UEN", "text": "x",
                      "ts": "1.2", "files": ["x"]}), "application/json"),
        (_event(emu, {**reaction, "item": {"type": "message", "channel": crisis, "ts": "1.2"}, "event_ts": None},
                event_id=["x"]), "application/json"),
        (click("retry_setup", ["x"]), FORM),
        (click("retry_setup", huge), FORM), (click("add_translation", f"{incident_id}:{huge}"), FORM),
        (click("add_translation", f"{incident_id}"), FORM), (click("postmortem_form", "-1"), FORM),
        (_payload({"type": "block_actions", "team": team, "user": user, "actions": []}), FORM),
        (_payload({"type": "shortcut", "callback_id": "add_to_timeline", "team": team, "user": user}), FORM),
        (_payload({"type": "message_action", "callback_id": "add_to_timeline", "team": team, "user": user,
                   "channel": {"id": crisis}, "message": {"ts": "nan", "text": "x"}, "trigger_id": "1.2",
                   "response_url": emu.base_url + "response/none"}), FORM),
    ]
    return bodies


def test_hostile_signed_requests_get_no_500_and_log_no_traceback(bot, caplog):
    bot.command("UFR", DECLARE)
    crisis = bot.incident_channel()
    with bot.rt.deps.db.session() as s:
        incident_id = store.by_channel(session=s, channel_id=crisis).id
    bodies = _hostile(bot, crisis, incident_id)
    caplog.clear()
    caplog.set_level(logging.WARNING)
    statuses = []
    for body, content_type in bodies:
        statuses.append(bot.emu.sign_and_post(body, content_type).status)
    bot.settle()
    bad = [(body[:90], status) for (body, _), status in zip(bodies, statuses) if status >= 500]
    assert bad == []
    tracebacks = [r.getMessage()[:120] for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert tracebacks == []
    bot.forget_errors()
    # Slack's real shapes still work.
    bot.command("UEN", "event Still here", channel=crisis)
    assert "Added to the timeline" in bot.replies_to("UEN")[-1]


def test_a_second_serve_on_a_port_in_use_says_so_in_one_line(emulator, database_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = env_for(emulator, database_url, PORT=str(port), HOST="127.0.0.1", PATH=os.environ["PATH"])
        done = forked.run(["-m", "bot", "serve"], env=env, capture_output=True, text=True,
                          timeout=60, cwd=str(Path(__file__).parents[2]))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if str(port) in line]
    assert len(lines) == 1, done.stderr
