"""Figure 1 again, with every party in its own process, as in production: Slack (the emulator,
bench/slack_process.py), the bot (`python -m bot serve`), the minimal app (bench/stack.py), and
this process, which only signs the commands and times the round trips.

In-process (bench/latency.py) the bot's background work and the emulator share one interpreter
lock with the acknowledgement being timed; here the bot's own background work still competes
with its next acknowledgement (that is the bot's cost), but Slack's work does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from bench.ingest import Process
from tests.ports import free_port
from bench.latency import compare
from bench.workspace import REPO, database
from bot.emulator.driver import signature
from tests.e2e.harness import env_for

WARMUP = 5


class Slack:
    """The emulator process and its control endpoints."""

    def __init__(self, log: Path):
        self.log = open(log, "wb")
        self.popen = subprocess.Popen([sys.executable, str(REPO / "bench" / "slack_process.py")], cwd=REPO,
                                      stdout=subprocess.PIPE, stderr=self.log)
        info = json.loads(self.popen.stdout.readline() or b"{}")
        if "control" not in info:
            raise RuntimeError(f"the Slack process did not start: see {log}")
        self.info = info
        self.emu = SimpleNamespace(bot_token=info["bot_token"], signing_secret=info["signing_secret"],
                                   api_url=info["api_url"])

    def control(self, path: str, **args) -> dict:
        request = urllib.request.Request(self.info["control"] + path, data=json.dumps(args).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=180) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.popen.terminate()
        self.popen.wait(timeout=10)
        self.log.close()


def _command(slack: Slack, url: str, user: str, channel: str, text: str, fields: dict | None = None) -> float:
    """One signed slash command to `url`; the time of its HTTP round trip (the acknowledgement)."""
    body = urlencode(fields or slack.control("/fields", user=user, channel=channel, text=text)).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(slack.emu.signing_secret, timestamp, body)})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        status = response.status
    seconds = time.monotonic() - started
    if status != 200:
        raise RuntimeError(f"{text!r} answered {status}")
    return seconds


def _alternate(slack: Slack, targets: dict, user: str, channel: str, text, n: int, batch: int) -> dict:
    samples = {name: [] for name in targets}
    for start in range(0, n, batch):
        for name, proc in targets.items():
            slack.control("/bot_url", url=proc.url)
            # The forms first: asking Slack for them between timed commands would space the bot's
            # commands out more than the floor's (Slack is busier during the bot's batches).
            forms = [slack.control("/fields", user=user, channel=channel, text=text(i))
                     for i in range(start, min(n, start + batch))]
            for fields in forms:
                samples[name].append(_command(slack, proc.url, user, channel, fields["text"], fields))
            slack.control("/quiet", seconds=0.15)
    return samples


def run(tmp: Path, n: int, batch: int) -> dict:
    slack = Slack(tmp / "slack.log")
    procs = {}
    try:
        with database("sqlite", tmp, "latency-processes") as url:
            for name, argv in (("bot", [sys.executable, "-m", "bot", "serve"]),
                               ("minimal", [sys.executable, str(REPO / "bench" / "stack.py")])):
                env = {**os.environ, **env_for(slack.emu, url), "SLACK_RATE_LIMITS": "off", "HOST": "127.0.0.1", "PORT": str(free_port())}
                procs[name] = Process(name, argv, env, tmp / f"latency-{name}.log")
            for name, proc in procs.items():  # first requests pay for imports, caches and connections
                slack.control("/bot_url", url=proc.url)
                for i in range(WARMUP):
                    _command(slack, proc.url, "UFR", "COPS", f"declare P3 FR Échauffement {i} EN Warm-up {i}")
                slack.control("/quiet", seconds=0.15)
            declare = _alternate(slack, procs, "UFR", "COPS",
                                 lambda i: f"declare P2 FR Panne du service {i} EN Service outage {i}", n, batch)
            slack.control("/bot_url", url=procs["bot"].url)
            _command(slack, procs["bot"].url, "UFR", "COPS", "declare P2 FR Perturbations EN Disruptions")
            slack.control("/quiet", seconds=0.15)
            crisis = slack.control("/newest_crisis_channel")["id"]
            update = _alternate(slack, procs, "UEN", crisis,
                                lambda i: f"update monitoring FR Correctif déployé ({i}). EN Fix deployed ({i}).",
                                n, batch)
            violations = slack.control("/quiet", seconds=0.15)["violations"]
    finally:
        for proc in procs.values():
            proc.stop()
        slack.stop()
    return {"latency": compare({"declare": declare, "update": update}), "violations": violations, "batch": batch}

