"""The playground started as a newcomer starts it: `python -m bot [playground]` in a subprocess.

Each process runs in its own tmp directory (so the default `playground-data/` lands there), on a
free port, with no Slack settings. Starting replays the example incident; the fixtures wait for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # the replay types 23 commands through the bot


@dataclass
class Playground:
    url: str
    proc: subprocess.Popen
    cwd: Path
    log: Path

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def state(self, user: str = "UCAMILLE") -> dict:
        status, _, body = self.get(f"/playground/state?user={user}")
        assert status == 200
        return json.loads(body)

    def do(self, action: str, **args) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + f"playground/do/{action}", data=json.dumps(args).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def channel(self, name_prefix: str, user: str = "UCAMILLE") -> dict:
        return next(c for c in self.state(user)["channels"] if c["name"].startswith(name_prefix))

    @property
    def database(self) -> Path:
        """Its own SQLite file: by default one per port, so two playgrounds never share one."""
        return self.cwd / "playground-data" / f"playground-{self.url.rstrip('/').rsplit(':', 1)[1]}.db"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(tmp: Path, *args: str, **env: str) -> Playground:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INCIDENT_", "ANNOUNCE_", "CRISIS_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("PLAYGROUND_DATABASE_URL", None)
    clean.update({"PORT": str(port), "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **env})
    log = tmp / "playground.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=tmp, env=clean, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    pg = Playground(f"http://127.0.0.1:{port}/", proc, tmp, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the playground exited ({proc.returncode}):\n{pg.output()}")
        try:
            if pg.state().get("ready"):
                return pg
        except (OSError, AssertionError, ValueError):
            pass
        time.sleep(0.2)
    stop(pg)
    raise AssertionError(f"the playground did not get ready in {START_TIMEOUT} s:\n{pg.output()}")


def stop(pg: Playground) -> None:
    if pg.proc.poll() is None:
        os.killpg(pg.proc.pid, signal.SIGTERM)  # its own session: only what this test started
        try:
            pg.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(pg.proc.pid, signal.SIGKILL)
            pg.proc.wait()


@pytest.fixture(scope="module")
def playground(tmp_path_factory) -> Iterator[Playground]:
    """`python -m bot playground`, shared by a module's tests (starting replays the example)."""
    pg = start(tmp_path_factory.mktemp("playground"), "playground")
    try:
        yield pg
        assert pg.state()["violations"] == [], "the bot made calls Slack would refuse"
    finally:
        stop(pg)
