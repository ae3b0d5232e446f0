"""Two real bot processes (`python -m bot serve`) on one database and one Slack: numbers and events stay single."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.db import Database
from bot.store.migrate import upgrade
from tests.e2e.harness import env_for
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


class BotProcess:
    """`python -m bot serve`, the README's way, on its own port."""

    def __init__(self, emu, database_url: str, log: Path):
        port = free_port()
        env = {**os.environ, **env_for(emu, database_url, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING")}
        env.pop("SLACK_APP_TOKEN", None)
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                                     stdout=self._out, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.health = f"http://127.0.0.1:{port}/healthz"
        # The same emulator (state, calls, signing), delivering to this process.
        self.slack = copy.copy(emu)
        self.slack.bot_url = self.url

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the bot exited ({self.proc.returncode}):\n{self.output()}")
            try:
                with urllib.request.urlopen(self.health, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"no /healthz answer after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._out.close()


@pytest.fixture
def two_bots(emulator, tmp_path):
    started: list[BotProcess] = []

    def start(database_url: str) -> list[BotProcess]:
        for name in ("a", "b"):
            started.append(BotProcess(emulator, database_url, tmp_path / f"bot-{name}.log"))
        for p in started:
            p.wait_ready()
        emulator.bot_url = started[0].url  # events caused by the bots' own calls go to the first
        return started

    try:
        yield start
    finally:
        for p in started:
            p.stop()


def _wait_for(what: str, check, timeout: float = 90, bots=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    logs = "\n".join(f"--- {p.log.name}\n{p.output()}" for p in bots)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _rows(db: Database) -> list:
    with db.session() as s:
        return store.open_incidents(session=s)


def _concurrent_declares(emulator, database_url: str, bots: list[BotProcess]) -> list:
    """Eight declares at once, half to each process; returns the incidents once all are set up."""
    jobs = [(bots[i % 2], "UFR" if i % 3 else "UEN", f"declare P2 FR Panne {w} EN Outage {w}")
            for i, w in enumerate(WORDS)]
    start = threading.Barrier(len(jobs))

    def fire(job):
        bot, user, text = job
        start.wait()
        return bot.slack.slash_command(user, "COPS", text)

    with ThreadPoolExecutor(len(jobs)) as pool:
        deliveries = list(pool.map(fire, jobs))
    assert [d.status for d in deliveries] == [200] * len(jobs)
    db = Database(database_url)
    try:
        _wait_for("every declare to be set up", lambda: len(_rows(db)) == len(jobs)
                  and all((r.setup or {}).get("done") for r in _rows(db)), bots=bots)
        rows = _rows(db)
    finally:
        db.dispose()
    numbers = sorted(r.number for r in rows)
    assert numbers == list(range(2641, 2641 + len(jobs)))  # distinct, none skipped, none twice
    assert len({r.ref for r in rows}) == len(jobs)
    assert len({r.channel_id for r in rows}) == len(jobs)
    crisis = [c for c in emulator.state.channels.values() if c.name.startswith("tsr-")]
    assert len(crisis) == len(jobs)
    assert len([m for m in emulator.messages("CINCEN") if m.get("bot_id")]) == len(jobs)  # one announcement each
    return rows


def _message_event(emulator, channel: str, event_id: str, text: str) -> bytes:
    ts = f"{time.time():.6f}"
    event = {"type": "message", "channel": channel, "channel_type": "channel", "user": "UEN", "text": text,
             "ts": ts, "event_ts": ts, "team": emulator.team_id, "client_msg_id": event_id.lower()}
    return json.dumps({
        "token": emulator.verification_token, "team_id": emulator.team_id, "api_app_id": emulator.app_id,
        "event": event, "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"team_id": emulator.team_id, "user_id": emulator.bot_user_id, "is_bot": True,
                            "enterprise_id": None, "is_enterprise_install": False}],
    }).encode()


def _messages(db: Database, incident_id: int) -> list:
    with db.session() as s:
        return [e for e in tl.entries(session=s, incident_id=incident_id) if e.kind.value == "message"]


@pytest.mark.requires_postgres
def test_two_processes_on_postgresql_number_and_record_once(emulator, database_url, two_bots):
    bots = two_bots(database_url)
    rows = _concurrent_declares(emulator, database_url, bots)
    incident = rows[0]
    # Slack delivers one event to both processes at the same moment (a retry racing the original).
    body = _message_event(emulator, incident.channel_id, "EvTWICE00001", "router 3 down")
    together = threading.Barrier(2)

    def deliver(bot):
        together.wait()
        return bot.slack.sign_and_post(body, "application/json").status

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(deliver, bots)) == [200, 200]
    # Then one more message through each process: once both are in, the first is settled too.
    for i, bot in enumerate(bots):
        assert bot.slack.sign_and_post(_message_event(emulator, incident.channel_id, f"EvAFTER0000{i}", f"after {i}"),
                                       "application/json").status == 200
    db = Database(database_url)
    try:
        _wait_for("the messages", lambda: len(_messages(db, incident.id)) >= 3, bots=bots)
        texts = [m.text for m in _messages(db, incident.id)]
    finally:
        db.dispose()
    assert texts.count("router 3 down") == 1
    assert sorted(t for t in texts if t.startswith("after")) == ["after 0", "after 1"]


def test_two_processes_on_sqlite_number_declares_once(emulator, tmp_path, two_bots):
    url = f"sqlite:///{tmp_path / 'shared.db'}"  # a file in WAL mode, shared by both processes
    upgrade(url)
    bots = two_bots(url)
    _concurrent_declares(emulator, url, bots)
