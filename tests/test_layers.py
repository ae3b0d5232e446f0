"""The layers of docs/ARCHITECTURE.md hold (`lint-imports`), and the check really bites: a use
case that imports Slack breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"], cwd=tree,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=120)


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "bot", tree / "bot", ignore=shutil.ignore_patterns("__pycache__", "*.json", "static"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_layers_hold(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_a_flow_that_imports_slack_breaks_the_contract(tmp_path):
    tree = _copy(tmp_path)
    flow = tree / "bot" / "flows" / "updates.py"
    flow.write_text(flow.read_text() + "\nimport bot.slack.chat  # deliberate: a use case calling Slack\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Use cases reach Slack only through their ports BROKEN" in result.stdout
    assert "bot.flows.updates -> bot.slack.chat" in result.stdout
