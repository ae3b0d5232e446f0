"""Cellule benchmarks (issues 7, 17): seven figures, each against a baseline measured in the same run.

    .venv/bin/python bench/run.py            # full run (about 1-2 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # smoke version (about 20 s)
    .venv/bin/python bench/run.py --smoke    # the least that still runs every figure (the test suite's)

Prints a table and writes bench/results.json (--quick: bench/results-quick.json, not committed). PostgreSQL figures are added when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set (see .ci/postgres.sh). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo, for `bench` and `tests`

from bench import ingest, latency, latency_processes, postmortem, rounds  # noqa: E402
from bench.workspace import postgres_url  # noqa: E402
from tests.e2e import harness  # noqa: E402

HERE = Path(__file__).resolve().parent
ANNOUNCE_CHANNELS = 2  # tests.e2e.harness.env_for: fr:CINCFR, en:CINCEN

FULL = {"commands": 300, "batch": 10, "events": 3000, "threads": 4, "entries": 10_000, "repeat": 5, "latency": 0.2,
        "burst_incidents": 20, "burst_updates": 50}
QUICK = {"commands": 20, "batch": 10, "events": 300, "threads": 4, "entries": 2_000, "repeat": 2, "latency": 0.1,
         "burst_incidents": 20, "burst_updates": 50}
# Figures from so few samples mean nothing: this only shows that every part of the benchmark still runs.
SMOKE = {"commands": 5, "batch": 5, "events": 40, "threads": 2, "entries": 200, "repeat": 1, "latency": 0.01,
         "burst_incidents": 4, "burst_updates": 10}
GOALS = {"declare": 4, "update": 2}  # Slack round trips (issue 17)


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model, "python": platform.python_version(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "loadavg_before": os.getloadavg()[0]}


def human_floor() -> dict:
    """Calls a person would make by hand; the reasoning is in bench/README.md."""
    return {"declare": 3 + ANNOUNCE_CHANNELS, "update": 1 + ANNOUNCE_CHANNELS}


def rows(r: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(figure, bot, baseline, ratio, goal, met)"""
    out = []
    # Figure 1 proper: Slack, the bot and the floor each in their own process, as in production.
    # Then the same in one process with the emulator, for comparison (not what the goal is about).
    for source, where, judged in (("latency_processes", "separate processes", True),
                                  ("latency", "one process with the emulator", False)):
        for kind in ("declare", "update"):
            f = r[source]["latency"][kind]
            b, m = f["bot"], f["minimal"]
            ok = f["ratio_p50"] <= 1.5 and f["ratio_p99"] <= 1.5 and b["p99_ms"] < 100
            out.append((f"1. ack `/incident {kind}` p50 / p99 (n={b['n']}, {where})",
                        f"{b['p50_ms']:.1f} / {b['p99_ms']:.1f} ms", f"{m['p50_ms']:.1f} / {m['p99_ms']:.1f} ms",
                        f"{f['ratio_p50']:.2f}× / {f['ratio_p99']:.2f}×",
                        "≤ 1.5× floor, p99 < 100 ms" if judged else "(for comparison)",
                        _yes(ok) if judged else ("(yes)" if ok else "(no)")))
    ing = r["ingest"]
    floor_rate = ing["minimal"]["acked_per_s"]
    for key, label in (("bot_sqlite", "SQLite"), ("bot_postgres", "PostgreSQL")):
        if key in ing:
            f = ing[key]
            out.append((f"2. timeline ingest, {label} ({f['events']} events, {f['threads']} clients; "
                        f"lost {f['lost']}, doubled {f['doubled']})",
                        f"{f['recorded_per_s']:.0f} recorded/s (acked {f['acked_per_s']:.0f}/s)",
                        f"{floor_rate:.0f} acked/s", f"{f['recorded_per_s'] / floor_rate:.2f}×", "≥ 500/s, none lost",
                        _yes(f["recorded_per_s"] >= 500 and f["lost"] == 0 and f["doubled"] == 0)))
    for key, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        if key in r["postmortem"]:
            f = r["postmortem"][key]
            out.append((f"3. postmortem compile, {label} ({f['entries']} entries)",
                        f"{f['compile_markdown_s'] * 1000:.0f} ms", f"{f['select_s'] * 1000:.1f} ms (SELECT)",
                        f"{f['ratio']:.1f}×", "< 1 s", _yes(f["compile_markdown_s"] < 1)))
    calls, floor = r["latency"]["api_calls"], human_floor()
    for kind in ("declare", "update"):
        c = calls[kind]
        out.append((f"4. Web API calls per {kind}", f"{c['total']} (mean over run {c['mean_over_run']:.1f})",
                    f"{floor[kind]} (by hand)", f"{c['total'] / floor[kind]:.1f}×", "—", "—"))
    bot_mem, min_mem = ing["bot_sqlite"]["memory_kb"], ing["minimal"]["memory_kb"]
    out.append(("5. RSS after load (peak)", f"{bot_mem['VmRSS'] / 1024:.0f} MB ({bot_mem['VmHWM'] / 1024:.0f})",
                f"{min_mem['VmRSS'] / 1024:.0f} MB ({min_mem['VmHWM'] / 1024:.0f})",
                f"{bot_mem['VmRSS'] / min_mem['VmRSS']:.2f}×", "< 150 MB", _yes(bot_mem["VmRSS"] < 150 * 1024)))
    out += round_trip_rows(r["rounds"])
    return out


def round_trip_rows(f: dict) -> list[tuple[str, str, str, str, str, str]]:
    out = []
    for kind in ("declare", "update"):
        for count, modes in f["round_trips"].items():
            after, before = modes["after"][kind], modes["before"][kind]
            out.append((f"6. Slack round trips of a {kind}, {count} stakeholder channel{'s' if count != '1' else ''}"
                        f" ({after['calls']} calls, answered {f['latency_s'] * 1000:.0f} ms after the last of each wave)",
                        f"{after['round_trips']} (wall {after['wall_round_trips']:.1f})",
                        f"{before['round_trips']} (wall {before['wall_round_trips']:.1f}, one after another)",
                        f"{after['round_trips'] / before['round_trips']:.2f}×", f"≤ {GOALS[kind]}",
                        _yes(after["round_trips"] <= GOALS[kind])))
    b = f["burst"]
    out.append((f"7. 429s in a burst ({b['after']['incidents']} declares, then {b['after']['updates']} updates; Slack's limits enforced)",
                f"{b['after']['rate_limited']} ({b['after']['virtual_seconds']:.0f} s of Slack time)",
                f"{b['before']['rate_limited']} (no limiter; first tries)", "—", "0", _yes(b["after"]["rate_limited"] == 0)))
    return out


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(r: dict) -> str:
    m = r["machine"]
    head = (f"{m['date']} · {m['nproc']} CPU ({m['cpu']}) · Python {m['python']}"
            f"{' · quick' if r['quick'] else ''} · {r['seconds']:.0f} s · load average (1 min) "
            f"{m['loadavg_before']:.1f} before, {m['loadavg_after']:.1f} after\n\n")
    lines = ["| figure | bot | baseline | ratio | goal | met |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(r)]
    c = r["latency"]["api_calls"]
    detail = "\n".join(f"- {kind}: " + ", ".join(f"{k} {v}" for k, v in c[kind]["methods"].items())
                       for kind in ("declare", "update"))
    return head + "\n".join(lines) + "\n\nWeb API calls (one status-changing declare/update):\n" + detail + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of about 20 s")
    p.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every figure still runs")
    p.add_argument("--out", type=Path, help="JSON file (default: bench/results.json, or results-quick.json)")
    args = p.parse_args(argv)
    args.quick = args.quick or args.smoke
    args.out = args.out or HERE / ("results-quick.json" if args.quick else "results.json")
    size = SMOKE if args.smoke else QUICK if args.quick else FULL
    pg = bool(postgres_url())
    started = time.monotonic()
    r = {"machine": machine(), "quick": args.quick, "sizes": size, "postgres": pg}
    with tempfile.TemporaryDirectory(prefix="cellule-bench-") as tmp:
        tmp = Path(tmp)
        harness.JOURNAL_ROOT = str(tmp)  # a PostgreSQL run's event journals go with the rest
        print("1: acknowledgement latency, Slack, bot and floor in separate processes…", file=sys.stderr)
        r["latency_processes"] = latency_processes.run(tmp, size["commands"], size["batch"])
        print("1, 4: acknowledgement latency in one process, and Web API calls…", file=sys.stderr)
        r["latency"] = latency.run(tmp, size["commands"], size["batch"])
        print("2, 5: timeline ingest and memory…", file=sys.stderr)
        r["ingest"] = ingest.run(tmp, size["events"], size["threads"], pg)
        print("3: postmortem compile…", file=sys.stderr)
        r["postmortem"] = postmortem.run(tmp, size["entries"], size["repeat"], pg)
        print("6, 7: Slack round trips of a declare and an update, a burst's 429s…", file=sys.stderr)
        r["rounds"] = rounds.run(tmp, size["latency"], size["burst_incidents"], size["burst_updates"])
    r["seconds"] = time.monotonic() - started
    r["machine"]["loadavg_after"] = os.getloadavg()[0]  # other work on the machine skews every figure
    r["human_floor"] = human_floor()
    violations = (r["latency"]["api_calls"]["violations"] + r["latency_processes"]["violations"]
                  + [v for f in r["ingest"].values() for v in f["violations"]]
                  + [v for modes in r["rounds"]["round_trips"].values() for m in modes.values() for v in m["violations"]]
                  + [v for m in r["rounds"]["burst"].values() for v in m["violations"]])
    r["emulator_violations"] = violations
    args.out.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    print(table(r))
    if violations:
        print("Slack emulator violations:\n" + "\n".join(violations), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
