"""The benchmarks still run: `bench/run.py --smoke` end to end (figures are reported, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench(tmp_path: Path, script: str, size: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run bench/SCRIPT at SIZE as a user would; its printed table and its JSON figures."""
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / script), size, "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run, json.loads(out.read_text())


@pytest.mark.database  # its ingest and postmortem figures run on TEST_DATABASE_URL too
def test_quick_benchmark_run_gives_every_figure(tmp_path):
    run, r = _bench(tmp_path, "run.py", "--smoke")
    assert r["emulator_violations"] == []
    for source in ("latency_processes", "latency"):
        for kind in ("declare", "update"):
            f = r[source]["latency"][kind]
            assert f["bot"]["n"] == f["minimal"]["n"] == r["sizes"]["commands"]
            assert f["bot"]["p99_ms"] > 0 and f["ratio_p99"] > 0
    ingest = r["ingest"]["bot_sqlite"]
    assert ingest["lost"] == 0 and ingest["doubled"] == 0 and ingest["rows"] == r["sizes"]["events"]
    assert r["postmortem"]["sqlite"]["compile_markdown_s"] > 0
    assert r["latency"]["api_calls"]["declare"]["total"] > 0
    assert ingest["memory_kb"]["VmRSS"] > 0
    assert "| 1. ack `/incident declare`" in run.stdout and "| 5. RSS after load" in run.stdout
    assert set(r["rounds"]["round_trips"]) == {"1", "3", "10"} and "| 7. 429s in a burst" in run.stdout
    assert r["rounds"]["burst"]["after"]["incidents"] == r["sizes"]["burst_incidents"]


def test_a_smoke_run_of_the_status_page_benchmark_gives_every_figure(tmp_path):
    run, r = _bench(tmp_path, "statuspage.py", "--smoke")
    for name in ("static", "status", "summary"):
        assert r[name]["n"] > 0 and r[name]["errors"] == 0
    assert r["paced_status"]["n"] > 0 and r["ack"]["paced"]["n"] > 0
    assert r["ack"]["alone"]["n"] > 0 and r["ack"]["under_load"]["n"] > 0
    assert r["ack"]["under_load"]["p99_ratio"] > 0 and r["ack"]["paced"]["p50_ratio"] > 0
    assert r["queue"] == "slack-first" and r["readers"] == "own process"
    assert "| `/status` |" in run.stdout and "| Slack ack, readers at full speed" in run.stdout
