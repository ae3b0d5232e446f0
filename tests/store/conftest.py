"""Helpers for the store tests: an incident to hang rows on, and a two-process race runner."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.core.model import Incident
from bot.store import incidents
from tests import forked

WORKER = Path(__file__).with_name("race_worker.py")


@pytest.fixture
def incident_id(db) -> int:
    with db.session() as session:
        row = incidents.create(session=session, incident=Incident(ref="TSR-1", number=1, title={"en": "Payments down"}),
                               declare_key=None, is_private=False, now=datetime.now(timezone.utc))
        return row.id


@pytest.fixture
def race():
    """`race(url, *job)`: runs race_worker.py JOB in two processes started together; returns each one's results."""
    return run_race


def run_race(url: str, *job: str, processes: int = 2) -> list[list]:
    procs = [forked.popen([str(WORKER), url, *job], stdin=forked.PIPE, stdout=forked.PIPE, stderr=forked.PIPE,
                          text=True) for _ in range(processes)]
    try:
        for proc in procs:  # all connected before any starts
            line = proc.stdout.readline()
            assert line.strip() == "ready", f"worker did not start: {line!r} {proc.stderr.read()}"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=90) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, f"worker failed:\n{err}"
    return [json.loads(out) for out, _ in outputs]
