"""The public status page under load (issue 15, item 7).

    .venv/bin/python bench/statuspage.py            # about a minute on 2 cores
    .venv/bin/python bench/statuspage.py --quick    # a few seconds: it works, figures are rough
    .venv/bin/python bench/statuspage.py --smoke    # the test suite's: every figure, none meaningful

The bot as `serve` builds it (waitress with the settings and task queue of `bot.server.serve_http`,
STATUS_PAGE=on, SQLite) against the Slack emulator, in this process. Readers (keep-alive HTTP clients
in threads of a second process, forked at start, as readers are other machines in production) fetch `/status`, `/api/v2/summary.json`, and — the floor — a static file served by the same
server through the same WSGI entry, in alternating rounds so all three see the same machine.
Meanwhile a signed `/incident update` arrives every `UPDATE_EVERY` seconds, so pages are rendered
again as they change. The acknowledgement time of those updates is measured with and without
the readers (none, a steady crowd, readers at full speed). Figures are ratios against the floor of
the same run, and the acks under load against the acks alone; writes bench/results-statuspage.json.
`--plain-queue` serves with waitress's own task queue instead (first come, first served; the code
before Slack went first), for comparison.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.stack import WAITRESS  # noqa: E402
from bench.workspace import emulator, percentile  # noqa: E402
from bot import runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.emulator.server import Server  # noqa: E402
from bot.server import dispatcher  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from tests.e2e.harness import TrackingExecutor, env_for  # noqa: E402

STATIC = "/bench/static.html"
UPDATE_EVERY = 0.25  # also the pace of the timed acknowledgements: 4 a second
PACED_RATE = 200.0  # requests/s of the steady crowd (each reader of it refreshes every few seconds)


def with_static(wsgi, path: Path):
    """The bot's WSGI app, plus one static file read from disk on each request (the floor)."""

    def app(environ, start_response):
        if environ.get("PATH_INFO") == STATIC:
            body = path.read_bytes()
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return wsgi(environ, start_response)

    return app


def read_load(port: int, path: str, seconds: float, clients: int, rate: float = 0.0) -> dict:
    """`clients` keep-alive readers for `seconds`; as fast as answered, or `rate` requests/s in all."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        step = clients / rate if rate else 0.0
        due = time.monotonic()
        while time.monotonic() < stop:
            if step:
                due += step
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "en"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - t)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"n": len(times), "rps": len(times) / seconds, "p50_ms": 1000 * percentile(times, 50),
            "p99_ms": 1000 * percentile(times, 99), "errors": errors[0]}


# (seconds per round of reads, rounds, readers at once) per size
SIZES = {"full": (4.0, 3, 8), "quick": (0.5, 1, 4), "smoke": (0.15, 1, 2)}


def run(size: str, plain_queue: bool = False, readers=None, crowd: int | None = None,
        public_threads: int | None = None) -> dict:
    """`readers`: a one-process multiprocessing pool that runs `read_load` (None: in this process)."""
    with tempfile.TemporaryDirectory(prefix="cellule-bench-page-") as tmp:
        return measure(Path(tmp), size, plain_queue, readers, crowd, public_threads)


def measure(tmp: Path, size: str, plain_queue: bool, readers, crowd: int | None, public_threads: int | None) -> dict:
    seconds, rounds, clients = SIZES[size]
    clients = crowd or clients
    emu = emulator()
    url = f"sqlite:///{tmp / 'page.db'}"
    upgrade(url)
    settings = Settings.from_env(env_for(emu, url, STATUS_PAGE="on", STATUS_PAGE_NAME="Bench", SLACK_RATE_LIMITS="off"))
    pool = TrackingExecutor()
    rt = runtime.build(settings, executor=pool)
    bound = {"public_threads": public_threads} if public_threads else {}
    queue = {} if plain_queue else {"_dispatcher": dispatcher(threads=WAITRESS["threads"], **bound)}
    served = Server(with_static(rt.wsgi(), tmp / "static.html"), "127.0.0.1", 0, **WAITRESS, **queue)

    def load(*args, **kw) -> dict:
        return readers.apply(read_load, args, kw) if readers is not None else read_load(*args, **kw)
    emu.bot_url = f"http://127.0.0.1:{served.port}/slack/events"

    def command(text: str, channel: str = "COPS") -> float:
        d = emu.slash_command("UFR", channel, text)
        return d.seconds

    for key in ("api", "web", "pay", "pos", "mail"):
        command(f"component add {key} FR Service {key} EN {key} service")
    for n in range(3):
        command(f"declare P{n + 1} FR Panne {n} EN Outage {n}")
        pool.wait_idle(120)
    channel = [c for c in emu.state.channels.values() if c.name.startswith("tsr-")][-1].id
    command("affects api,web", channel)
    for ref in ("TSR-2641", "TSR-2642", "TSR-2643"):
        command(f"publish {ref}")
        command(f"update {ref} identified FR Cause trouvée EN Cause found")
    pool.wait_idle(120)
    (tmp / "static.html").write_bytes(rt.site.respond("GET", "/status").body)  # same size as the page

    acks: dict[str, list[float]] = {"alone": [], "paced": [], "under_load": []}
    phase = ["alone"]
    stop = threading.Event()

    def updates():
        i = 0
        while not stop.is_set():
            i += 1
            acks[phase[0]].append(command(f"update monitoring FR Suivi {i} EN Watching {i}", channel))
            stop.wait(UPDATE_EVERY)

    for i in range(5):  # warm-up, not timed: the first updates of a channel fill caches
        command(f"update monitoring FR Prêt {i} EN Ready {i}", channel)
    pool.wait_idle(120)
    writer = threading.Thread(target=updates)
    writer.start()
    time.sleep(seconds * 6)  # acknowledgements with no reader (as many as under load: p99 needs them)
    phase[0] = "paced"  # a crowd at a steady PACED_RATE requests/s on /status
    paced = load(served.port, "/status", seconds * 3, clients, rate=PACED_RATE)
    phase[0] = "under_load"
    results: dict[str, list[dict]] = {"static": [], "status": [], "summary": []}
    for _ in range(rounds):
        for name, path in (("static", STATIC), ("status", "/status"), ("summary", "/api/v2/summary.json")):
            results[name].append(load(served.port, path, seconds, clients))
    stop.set()
    writer.join()
    pool.wait_idle(120)
    served.stop()
    rt.deps.db.dispose()
    emu.stop()

    def merge(rows: list[dict]) -> dict:
        return {"rps": sum(r["rps"] for r in rows) / len(rows), "p99_ms": max(r["p99_ms"] for r in rows),
                "p50_ms": sum(r["p50_ms"] for r in rows) / len(rows), "n": sum(r["n"] for r in rows),
                "errors": sum(r["errors"] for r in rows)}

    out = {name: merge(rows) for name, rows in results.items()}
    for name in ("status", "summary"):
        out[name]["ratio_to_floor"] = out[name]["rps"] / out["static"]["rps"] if out["static"]["rps"] else 0.0
    out["paced_status"] = paced
    out["ack"] = {k: {"n": len(v), "p50_ms": 1000 * percentile(v, 50) if v else 0.0,
                      "p99_ms": 1000 * percentile(v, 99) if v else 0.0} for k, v in acks.items()}
    alone = out["ack"]["alone"]
    for k in ("paced", "under_load"):
        for q in ("p50_ms", "p99_ms"):
            out["ack"][k][q.replace("_ms", "_ratio")] = out["ack"][k][q] / alone[q] if alone[q] else 0.0
    out["queue"] = "waitress" if plain_queue else "slack-first"
    out["settings"] = {"seconds_per_round": seconds, "rounds": rounds, "clients": clients,
                       "update_every_s": UPDATE_EVERY, "cpus": os.cpu_count(), "load": os.getloadavg()}
    out["emulator_violations"] = list(emu.violations)
    return out


def table(r: dict) -> str:
    lines = ["| what | req/s | p50 ms | p99 ms | vs static floor |", "|---|---|---|---|---|"]
    for name, label in (("static", "static file (floor)"), ("status", "`/status`"),
                        ("summary", "`/api/v2/summary.json`")):
        f = r[name]
        ratio = f"{f['ratio_to_floor']:.2f}×" if "ratio_to_floor" in f else "1×"
        lines.append(f"| {label} | {f['rps']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {ratio} |")
    p = r["paced_status"]
    lines.append(f"| `/status` at a steady {PACED_RATE:.0f} req/s | {p['rps']:.0f} | {p['p50_ms']:.1f} | {p['p99_ms']:.1f} | |")
    a = r["ack"]
    for k, label in (("paced", f"{PACED_RATE:.0f} req/s on `/status`"), ("under_load", "readers at full speed")):
        lines.append(f"| Slack ack, {label} (n={a[k]['n']}) vs no readers (n={a['alone']['n']}) | | "
                     f"{a[k]['p50_ms']:.1f} vs {a['alone']['p50_ms']:.1f} | {a[k]['p99_ms']:.1f} vs "
                     f"{a['alone']['p99_ms']:.1f} | p50 {a[k]['p50_ratio']:.2f}×, p99 {a[k]['p99_ratio']:.2f}× |")
    lines.append(f"\nqueue: {r.get('queue')}; readers: {r.get('readers')}; load average {r['settings']['load'][0]:.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = p.add_mutually_exclusive_group()
    sizes.add_argument("--quick", dest="size", action="store_const", const="quick")
    sizes.add_argument("--smoke", dest="size", action="store_const", const="smoke")
    p.set_defaults(size="full")
    p.add_argument("--plain-queue", action="store_true", help="waitress's own first-come task queue (before)")
    p.add_argument("--readers-here", action="store_true",
                   help="readers in this process, as the bench did before (they take turns with the server)")
    p.add_argument("--public-threads", type=int, help="page reads at once (default bot.server.PUBLIC_THREADS)")
    p.add_argument("--clients", type=int, help="readers at once (default 8; more than waitress's 16 threads queue)")
    p.add_argument("--out", default=str(REPO / "bench" / "results-statuspage.json"))
    args = p.parse_args(argv)
    # Forked before any thread starts: the readers' own work does not take turns with the server's.
    if args.readers_here:
        r = run(args.size, args.plain_queue, crowd=args.clients)
    else:
        with multiprocessing.get_context("fork").Pool(1) as readers:
            r = run(args.size, args.plain_queue, readers, args.clients, args.public_threads)
    r["readers"] = "this process" if args.readers_here else "own process"
    Path(args.out).write_text(json.dumps(r, indent=2) + "\n")
    print(table(r))
    return 1 if r["emulator_violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
