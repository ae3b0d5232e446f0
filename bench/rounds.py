"""Figures 6 and 7 (issue 17): how many Slack round trips a declare and a status update wait for,
with 1, 3 and 10 stakeholder channels, and how many 429s a burst meets; each against the same bot
made sequential (a batch of width 1, no rate limiter of its own: the bot before issue 17) in the
same run.

Round trips: the emulator answers Web API calls in waves, each once no new call has come for
`latency` (`SlackEmulator.in_waves`); the figure is the depth of the call graph it saw (the longest
chain of calls each sent after the one before was answered, `SlackEmulator.round_trips`), and, for
comparison, the wall time from the first call to the last answer divided by `latency`. Caches are
warm (one incident declared and updated first).

Burst: tests/e2e/test_burst.py's (20 incidents declared, then 50 updates; fewer in the smoke run) against an emulator that
enforces Slack's rate limits, in virtual time; the count is of calls answered 429.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.workspace import database, emulator
from bot.store.migrate import upgrade
from tests.e2e.harness import Bot
from tests.e2e.test_burst import burst
from tests.e2e.test_rounds import measured, stakeholders

MODES = (("before", 1), ("after", None))  # (name, batch width: None is the bot's own)


def _span(calls: list, latency: float) -> float:
    return (max(c.ended for c in calls) - min(c.started for c in calls)) / latency if calls else 0.0


def round_trips(tmp: Path, latency: float, counts=(1, 3, 10)) -> dict:
    out: dict = {}
    for count in counts:
        for mode, width in MODES:
            emu = emulator()
            try:
                with database("sqlite", tmp, f"rounds-{count}-{mode}") as url:
                    upgrade(url)
                    bot = Bot(emu, url, ANNOUNCE_CHANNELS=stakeholders(emu, count), slack_width=width)
                    try:
                        declare, update = measured(bot, count, latency)
                    finally:
                        bot.close()
                out.setdefault(str(count), {})[mode] = {
                    kind: {"calls": len(calls), "round_trips": emu.round_trips(calls),
                           "wall_round_trips": round(_span(calls, latency), 2)}
                    for kind, calls in (("declare", declare), ("update", update))}
                out[str(count)][mode]["violations"] = list(emu.violations)
            finally:
                emu.stop()
    return out


def bursts(tmp: Path, incidents: int, updates: int) -> dict:
    out = {}
    for mode, width in MODES:
        emu = emulator()
        try:
            with database("sqlite", tmp, f"burst-{mode}") as url:
                upgrade(url)
                bot, vt, crises = burst(emu, url, client_limits=mode == "after", slack_width=width,
                                           incidents=incidents, updates=updates)
                try:
                    out[mode] = {"rate_limited": len(emu.limits.limited),
                                 "by_method": dict(Counter(m for m, _ in emu.limits.limited)),
                                 "calls": len(emu.calls), "virtual_seconds": round(vt.elapsed, 1),
                                 "incidents": len(crises), "updates": updates, "violations": list(emu.violations)}
                finally:
                    bot.close()
        finally:
            emu.stop()
    return out


def run(tmp: Path, latency: float, incidents: int, updates: int) -> dict:
    return {"latency_s": latency, "round_trips": round_trips(tmp, latency), "burst": bursts(tmp, incidents, updates)}
