"""SIGKILL at each Web API call of a declare, then a restart (issue 12, items 1, 2, 3).

The served bot is a real process (`python -m bot serve`, forked from tests/forked.py). It is killed
while the emulator holds its answer to the bot's N-th call of a method (`hold_answer`): Slack did
the work, the bot cannot have written it down. Then it is started again. The restart must finish
the declare with one of everything, quickly, and tell the declarer. Bounded in time: every wait
has a limit.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from bot.store import incidents as store
from bot.store.db import Database
from tests.conftest import POSTGRES_URL
from tests.e2e.test_process import FORKED_SERVE, _start, _wait_for
from tests.ports import free_port
from tests.store.test_locked_database import locked

DECLARE = "declare P2 FR Panne du réseau EN Network outage"
RESTART_BOUND = 15.0  # seconds from the restart's /healthz to a finished declare

# Each Web API call of a declare: (method, which call of it). users.info and usergroups.users.list
# come before the incident is written (the journal, then the inbox, keep the command).
CALLS = [("users.info", 1), ("usergroups.users.list", 1), ("conversations.create", 1),
         ("conversations.invite", 1), ("chat.postMessage", 1), ("chat.getPermalink", 1), ("pins.add", 1),
         ("conversations.setTopic", 1), ("chat.postMessage", 2), ("chat.postMessage", 3), ("bookmarks.add", 1)]


def _kill(proc) -> None:
    if proc.poll() is not None:
        return  # killed already (a failure's report reads its output first)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _forget_failed_deliveries(emu) -> None:
    emu.wait_idle()  # deliveries still under way fail now, not after the filter below (a teardown error once)
    with emu.state.lock:  # Slack's deliveries to the killed process fail: that is the point
        emu.violations[:] = [v for v in emu.violations if not v.startswith("event delivery failed")]


def _incidents(database_url: str) -> list[str]:
    db = Database(database_url)
    try:
        with db.session() as s:
            return [r.ref for r in store.open_incidents(session=s)]
    finally:
        db.dispose()


def _finished(database_url: str) -> bool:
    db = Database(database_url)
    try:
        with db.session() as s:
            rows = store.open_incidents(session=s)
            return len(rows) == 1 and bool((rows[0].setup or {}).get("done"))
    finally:
        db.dispose()


def _state(database_url: str) -> str:
    db = Database(database_url)
    try:
        with db.session() as s:
            return "the declare did not finish after the restart: " + repr(
                [(r.ref, r.setup, r.setup_lease, r.setup_holder) for r in store.open_incidents(session=s)])
    finally:
        db.dispose()


def _told(emu, channel: str) -> bool:
    """The declarer was told where the incident is: in the command's reply or by DM."""
    texts = [e.get("text", "") for e in emu.ephemerals("UEN")]
    with emu.state.lock:
        texts += [m.get("text", "") for c in emu.state.channels.values() if c.is_im and "UEN" in c.members
                  for m in c.top_level()]
    return any(f"<#{channel}>" in t for t in texts)


@pytest.mark.parametrize("method,nth", CALLS, ids=[f"{m}#{n}" for m, n in CALLS])
def test_a_kill_at_each_call_of_a_declare_then_a_restart_gives_one_of_everything(emulator, database_url, method, nth):
    emu = emulator
    port = free_port()
    proc = _start(emu, database_url, port, FORKED_SERVE)
    emu.bot_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        done = emu.hold_answer(method, nth)  # Slack does the call's work; its answer waits for the kill
        emu.slash_command("UEN", "COPS", DECLARE)
        assert done.wait(30), f"{method} #{nth} never came"
        _kill(proc)
    finally:
        if proc.poll() is None:
            _kill(proc)
        emu.release()  # the held answer goes to a dead process
    _restart_finishes_the_declare(emu, database_url, port)


def _restart_finishes_the_declare(emu, database_url: str, port: int) -> None:
    """Start the bot again: within RESTART_BOUND, one of everything, and the declarer told."""
    emu.wait_idle()  # what Slack was delivering to the dead process has failed by now
    proc = _start(emu, database_url, port, FORKED_SERVE)
    try:
        restarted = time.monotonic()
        if not _wait_for(lambda: _finished(database_url), RESTART_BOUND):
            _kill(proc)
            raise AssertionError(_state(database_url) + "\n" + proc.stdout.read().decode()[-4000:])
        assert time.monotonic() - restarted <= RESTART_BOUND
        channels = [c for c in emu.state.channels.values() if c.name.startswith("tsr-")]
        assert [c.name for c in channels] == ["tsr-2641-panne-du-reseau"]
        crisis = channels[0].id
        posts = [m for m in emu.messages(crisis) if m.get("bot_id") and not m.get("subtype")]
        assert len(posts) == 1 and len(emu.pins(crisis)) == 1 and len(emu.bookmarks(crisis)) == 1
        for stakeholders in ("CINCFR", "CINCEN"):
            assert len([m for m in emu.messages(stakeholders) if m.get("bot_id") and not m.get("subtype")]) == 1
        assert _wait_for(lambda: _told(emu, crisis), 10), "the declarer was not told"
    finally:
        _kill(proc)
        _forget_failed_deliveries(emu)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="a SQLite file locked by another process")
def test_a_declare_acknowledged_while_its_work_waits_on_a_locked_database_is_carried_out_after_a_kill(
        emulator, database_url):
    """The work pool's threads wait on the database (here: a file locked by another process), so the
    declare is only acknowledged, not yet in the inbox, when the process is killed (issue 12, item 1)."""
    emu = emulator
    port = free_port()
    proc = _start(emu, database_url, port, FORKED_SERVE)
    emu.bot_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        with locked(database_url):
            delivery = emu.slash_command("UEN", "COPS", DECLARE)
            assert delivery.status == 200 and delivery.seconds < 3  # acknowledged, though the database waits
            _kill(proc)
        assert _incidents(database_url) == []
    finally:
        if proc.poll() is None:
            _kill(proc)
    _restart_finishes_the_declare(emu, database_url, port)
