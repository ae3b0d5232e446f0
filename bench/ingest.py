"""Figures 2 and 5: timeline ingest rate and memory, with the bot as a real `python -m bot serve`
process, against the minimal Bolt app (bench/stack.py) as its own process under the same load.

Both processes get the same requests: one declare, a few updates, then N signed `message`
events in a crisis channel, posted by a few client threads at once. The bot's rate counts
until every message is a row in the database (its listener runs after the ack); the minimal
app's rate until every event is acknowledged. Rows are counted and their ts compared with
the ts sent, so a lost or doubled message fails the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench.workspace import REPO, database, emulator, wait_until
from bot.store.db import make_engine
from tests.e2e.harness import env_for
from tests.ports import free_port

UPDATES = 10


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class Process:
    """A server process started here; only this process is ever stopped."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.port = name, int(env["PORT"])
        self.log = log
        with open(log, "wb") as out:
            self.popen = subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        wait_until(lambda: self.popen.poll() is not None or _listening(self.port), 60, f"{name} to listen")
        if self.popen.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        self.url = f"http://127.0.0.1:{self.port}/slack/events"

    def memory_kb(self) -> dict:
        fields = {}
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
        return fields

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def _quiet(emu, seconds: float = 0.3, timeout: float = 60) -> None:
    """Until the bot has made no Web API call for `seconds` (its background work is done)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        emu.wait_idle()
        n = len(emu.calls)
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        time.sleep(0.02)
    raise TimeoutError("the bot did not go quiet")


def _post_concurrently(emu, channel: str, n: int, threads: int) -> list[str]:
    sent: list[list[str]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def client(k: int) -> None:
        user = ("UFR", "UEN")[k % 2]
        try:
            for i in range(k, n, threads):
                sent[k].append(emu.post_message(user, channel, f"message {i}: latency on the acquirer link, checking"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    bad = [d for kind, d in emu.deliveries if kind == "event" and d.status != 200]
    if bad:
        raise RuntimeError(f"{len(bad)} events not acknowledged with 200, e.g. {bad[0]}")
    return [ts for part in sent for ts in part]


def _recorded(engine, incident_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT ts FROM timeline_entry WHERE incident_id = :i AND kind = 'message' AND NOT deleted"),
            {"i": incident_id}).scalars())


def _incident(engine) -> tuple[int, str] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, channel_id FROM incident WHERE ref = 'TSR-2641'")).first()
    return (row[0], row[1]) if row and row[1] else None


def run_one(kind: str, tmp: Path, n: int, threads: int, db_kind: str = "sqlite") -> dict:
    """One process under the load: kind is "bot" or "minimal"."""
    emu = emulator()
    try:
        with database(db_kind, tmp, f"ingest-{kind}") as url:
            port = free_port()
            env = {**os.environ, **env_for(emu, url), "SLACK_RATE_LIMITS": "off", "HOST": "127.0.0.1", "PORT": str(port)}
            argv = [sys.executable, "-m", "bot", "serve"] if kind == "bot" else [sys.executable, str(REPO / "bench" / "stack.py")]
            proc = Process(kind, argv, env, tmp / f"{kind}-{db_kind}.log")
            engine = make_engine(url) if kind == "bot" else None
            try:
                emu.bot_url = proc.url
                emu.slash_command("UFR", "COPS", "declare P2 FR Panne paiement EN Payment outage")
                if kind == "bot":
                    incident_id, crisis = wait_until(lambda: _incident(engine), 30, "the crisis channel")
                else:  # the minimal app opens no channel: give its events one of the same shape
                    crisis = emu.add_channel("tsr-2641-panne-paiement", members=(emu.bot_user_id, "UFR", "UEN"))
                _quiet(emu)
                for i in range(UPDATES):
                    emu.slash_command("UEN", crisis, f"update monitoring FR Surveillance {i} EN Monitoring {i}")
                _quiet(emu)
                started = time.monotonic()
                sent = _post_concurrently(emu, crisis, n, threads)
                acked = time.monotonic() - started
                result = {"events": n, "threads": threads, "acked_per_s": n / acked}
                if kind == "bot":
                    wait_until(lambda: len(_recorded(engine, incident_id)) >= n, 120, "every message recorded",
                               step=0.005)
                    done = time.monotonic() - started
                    rows = _recorded(engine, incident_id)
                    result.update(recorded_per_s=n / done, rows=len(rows),
                                  lost=len(set(sent) - set(rows)), doubled=len(rows) - len(set(rows)))
                    _quiet(emu)
                result["memory_kb"] = proc.memory_kb()
                result["violations"] = list(emu.violations)
                return result
            finally:
                proc.stop()
                if engine is not None:
                    engine.dispose()
    finally:
        emu.stop()


def run(tmp: Path, n: int, threads: int, postgres: bool) -> dict:
    out = {"minimal": run_one("minimal", tmp, n, threads), "bot_sqlite": run_one("bot", tmp, n, threads)}
    if postgres:
        out["bot_postgres"] = run_one("bot", tmp, n, threads, "postgres")
    return out
