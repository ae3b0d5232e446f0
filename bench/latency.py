"""Figures 1 and 4: how fast `/incident declare|update` is acknowledged over HTTP, and how many
Web API calls each one costs, against the minimal Bolt app on the same stack.

In-process, like tests/e2e/harness.py, so that Bolt's listener pool can be drained exactly
(TrackingExecutor) between batches: the bot keeps working after its ack, and a pool still busy
with the previous batch would measure a backlog rather than an acknowledgement. Batches of the
bot and of the minimal app alternate, so both see the same machine conditions.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from pathlib import Path

from bench.stack import BOLT_POOL, WORK_POOL, Served, minimal_app, minimal_wsgi
from bench.workspace import database, emulator, percentile
from bot import runtime
from bot.config import Settings
from bot.store.migrate import upgrade
from tests.e2e.harness import TrackingExecutor, env_for

WARMUP = 5


def _pool(size: int = BOLT_POOL) -> TrackingExecutor:
    pool = TrackingExecutor()
    pool._max_workers = size  # the serving bot's pool sizes, not the tests' 8 threads
    return pool


class Target:
    def __init__(self, name: str, emu, wsgi, pool: TrackingExecutor, closers=(), work: TrackingExecutor | None = None):
        self.name, self.emu, self.pool = name, emu, pool
        self.pools = [pool] + ([work] if work else [])
        self.served = Served(wsgi)
        self.closers = closers

    def settle(self) -> None:
        """Until the listener pool and the emulator's event deliveries (which feed the pool) are idle."""
        for _ in range(200):
            for pool in self.pools:
                pool.wait_idle(timeout=120)
            self.emu.wait_idle()
            time.sleep(0.005)
            if not any(p._pending for p in self.pools) and self.emu._queue.unfinished_tasks == 0:
                return
        raise TimeoutError(f"{self.name} did not settle")

    def command(self, user: str, channel: str, text: str) -> float:
        self.emu.bot_url = self.served.url
        delivery = self.emu.slash_command(user, channel, text)
        if delivery.status != 200:
            raise RuntimeError(f"{self.name}: {text!r} answered {delivery.status} {delivery.body_text[:200]}")
        return delivery.seconds

    def close(self) -> None:
        self.settle()
        self.served.close()
        self.pool.shutdown(wait=True)
        for close in self.closers:
            close()
        if self.pool.errors:
            raise RuntimeError(f"{self.name}: listener errors {self.pool.errors!r}")


def _summary(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": percentile(seconds, 50) * 1000, "p99_ms": percentile(seconds, 99) * 1000,
            "max_ms": max(seconds) * 1000}


def compare(runs: dict[str, dict[str, list[float]]]) -> dict:
    """Per kind of command: the bot's and the floor's summaries and their ratios."""
    result = {}
    for kind, samples in runs.items():
        b, m = _summary(samples["bot"]), _summary(samples["minimal"])
        result[kind] = {"bot": b, "minimal": m, "ratio_p50": b["p50_ms"] / m["p50_ms"],
                        "ratio_p99": b["p99_ms"] / m["p99_ms"]}
    return result


def _alternate(targets, user: str, channel: str, text, n: int, batch: int) -> tuple[dict, int]:
    """n commands to each target, in alternating batches, draining after each batch.

    Returns the ack times per target and the Web API calls the bot made during its batches."""
    samples = {t.name: [] for t in targets}
    calls = 0
    for start in range(0, n, batch):
        for t in targets:
            # The Slack emulator lives in this process only because this is a benchmark; its growing
            # state made every full collection scan it (60-85 ms pauses in the bot's batches, which
            # allocate; not in the minimal app's, which do not). Collect, then freeze what is alive, so
            # collections scan what the targets allocate — as `bot serve` does after start-up.
            gc.collect()
            gc.freeze()
            before = len(t.emu.calls)
            for i in range(start, min(n, start + batch)):
                samples[t.name].append(t.command(user, channel, text(i)))
            t.settle()
            if t.name == "bot":
                calls += len(t.emu.calls) - before
    return samples, calls


def _one(target: Target, user: str, channel: str, text: str) -> Counter:
    target.settle()
    target.emu.reset_calls()
    target.command(user, channel, text)
    target.settle()
    return Counter(c.method for c in target.emu.calls)


def run(tmp: Path, n: int, batch: int) -> dict:
    emu = emulator()
    with database("sqlite", tmp, "latency") as url:
        upgrade(url)
        settings = Settings.from_env(env_for(emu, url, SLACK_RATE_LIMITS="off"))  # figure 1 is about acks
        bot_pool, work_pool = _pool(BOLT_POOL), _pool(WORK_POOL)
        rt = runtime.build(settings, executor=bot_pool, work_executor=work_pool)
        bot = Target("bot", emu, rt.wsgi(), bot_pool, closers=[rt.deps.db.dispose, work_pool.shutdown], work=work_pool)
        min_pool = _pool()
        floor = Target("minimal", emu, minimal_wsgi(minimal_app(settings, min_pool)), min_pool)
        targets = [bot, floor]
        try:
            for t in targets:  # first requests pay for imports, caches and connections
                for i in range(WARMUP):
                    t.command("UFR", "COPS", f"declare P3 FR Échauffement {i} EN Warm-up {i}")
                t.settle()
            declare_text = lambda i: f"declare P2 FR Panne du service de paiement {i} EN Payment service outage {i}"  # noqa: E731
            declare, declare_calls = _alternate(targets, "UFR", "COPS", declare_text, n, batch)
            # Updates go to one incident's crisis channel, declared first.
            bot.command("UFR", "COPS", "declare P2 FR Perturbations plateforme EN Platform disruptions")
            bot.settle()
            crisis = [c for c in emu.state.channels.values() if c.name.startswith("tsr-")][-1].id
            for t in targets:
                for i in range(WARMUP):
                    t.command("UEN", crisis, f"update identified FR Échauffement {i} EN Warm-up {i}")
                t.settle()
            update_text = lambda i: (f"update monitoring FR Correctif déployé, nous surveillons ({i}). "  # noqa: E731
                                     f"EN Fix deployed, we are monitoring ({i}).")
            update, update_calls = _alternate(targets, "UEN", crisis, update_text, n, batch)
            # One declare and one status change (investigating -> identified) in a fresh incident.
            one_declare = _one(bot, "UFR", "COPS", "declare P3 FR Lenteurs API EN Slow API")
            fresh = [c for c in emu.state.channels.values() if c.name.startswith("tsr-")][-1].id
            one_update = _one(bot, "UEN", fresh, "update identified FR Cause trouvée EN Cause found")
        finally:
            for t in targets:
                t.close()
            emu.stop()
    result = compare({"declare": declare, "update": update})
    calls = {
        "declare": {"methods": dict(sorted(one_declare.items())), "total": sum(one_declare.values()),
                    "mean_over_run": declare_calls / n},
        "update": {"methods": dict(sorted(one_update.items())), "total": sum(one_update.values()),
                   "mean_over_run": update_calls / n},
        "violations": list(emu.violations),
    }
    return {"latency": result, "api_calls": calls, "batch": batch}
