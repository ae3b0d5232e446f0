"""The bot as a newcomer runs it: `./dev serve`, a real process, against the emulator as SLACK_API_URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests import forked
from tests.e2e.harness import env_for, run_cli
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


README_SERVE = ("dev", "serve")
FORKED_SERVE = ("-m", "bot", "serve")


def _start(emu, database_url: str, port: int, argv: tuple[str, ...] = README_SERVE, **extra: str):
    """The bot served as a process of its own in its own session, returned once it answers: `./dev serve`
    run from the project's folder as the README runs it, or `python ARGV` forked from the tests'
    preloaded fork server (tests/forked.py) for the tests that start it again and again."""
    env = {**os.environ, **env_for(emu, database_url, **extra), "HOST": "127.0.0.1", "PORT": str(port),
           "LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE_URL", None)
    how = {"cwd": ROOT, "env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT,
           "start_new_session": True}
    if argv == README_SERVE:
        proc = subprocess.Popen([str(ROOT / argv[0]), *argv[1:]], **how)
    else:
        proc = forked.popen(list(argv), **how)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200 and json.loads(r.read())["ok"]:
                    return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("the bot did not answer /healthz")


def _stop(proc: subprocess.Popen, emu) -> None:
    """Slack stops delivering first (an event cut off mid-delivery would be a failed delivery)."""
    emu.bot_url = None
    emu.wait_idle()
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _timeline(database_url: str) -> list[dict]:
    """What `python -m bot timeline` prints (run in this process: the served bot is the process here)."""
    out = run_cli("timeline", "TSR-2641", "--json",
                  env={**os.environ, "DATABASE_URL": database_url, "INCIDENT_PREFIX": "TSR"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["entries"]


@pytest.mark.http_only  # `serve` over HTTP as the README runs it (test_socket_mode.py serves over Socket Mode)
def test_served_process_answers_signed_commands_and_recovers_what_was_said_while_down(emulator, database_url):
    emu = emulator
    port = free_port()
    proc = _start(emu, database_url, port)
    try:
        emu.bot_url = f"http://127.0.0.1:{port}/slack/events"
        d = emu.slash_command("UEN", "COPS", "help")
        assert d.status == 200 and d.seconds < 3
        assert _wait_for(lambda: any("/incident" in e.get("text", "") for e in emu.ephemerals("UEN")))
        forged = emu.sign_and_post(b"command=%2Fincident&text=help", "application/x-www-form-urlencoded", secret="nope")
        assert forged.status == 401
        emu.slash_command("UFR", "COPS", "declare P2 FR Panne EN Outage")
        assert _wait_for(lambda: emu.channel_by_name("tsr-2641-panne") is not None)
        channel = emu.channel_by_name("tsr-2641-panne").id
        assert _wait_for(lambda: "UEN" in emu.state.channels[channel].members)  # invited by the bot, just after
        emu.post_message("UEN", channel, "said while the bot was up")
        assert _wait_for(lambda: any(e["text"] == "said while the bot was up" for e in _timeline(database_url)))
        emu.wait_idle()  # what Slack is still delivering (echoes of the bot's posts) arrives before the stop
    finally:
        _stop(proc, emu)  # down: Slack cannot deliver
    ch = emu.state.channels[channel]
    emu.state.add_message(ch, {"user": "UEN", "text": "said while the bot was down"})
    proc = _start(emu, database_url, port)
    try:
        assert _wait_for(lambda: any(e["text"] == "said while the bot was down" for e in _timeline(database_url)), 30)
        texts = [e["text"] for e in _timeline(database_url) if e["kind"] == "message"]
        assert texts.count("said while the bot was up") == 1
    finally:
        _stop(proc, emu)


@pytest.mark.parametrize("env,needle", [
    ({}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "INCIDENT_TIMEZONE": "Mars/Olympus"}, "INCIDENT_TIMEZONE"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "INCIDENT_LANGUAGES": "fr,xx-nope"}, "INCIDENT_LANGUAGES"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "PORT": "eighty"}, "PORT"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "ANNOUNCE_CHANNELS": "#incidents"}, "ANNOUNCE_CHANNELS"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "ALERT_EMOJI": ":pushpin:"}, "ALERT_EMOJI"),
])
def test_bad_configuration_is_one_line_and_status_2(env, needle, tmp_path):
    base = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = run_cli("serve", env={**base, **env})  # what `python -m bot serve` prints and exits with
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in out.stderr
