"""The newcomer path (issue 14): what a fresh clone says at each first step."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from tests import forked

ROOT = Path(__file__).resolve().parents[2]


def _bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` in a process of its own (forked from tests/forked.py's preloaded server)."""
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "INCIDENT_PREFIX": "TSR"}
    return forked.run(["-m", "bot", *args], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True,
                      timeout=60)


def test_the_postmortem_on_a_fresh_clone_says_where_the_example_lives(tmp_path):
    out = _bot(tmp_path, "postmortem", "TSR-2641")
    assert out.returncode == 2
    line, = out.stderr.strip().splitlines()
    assert "cellule.db" in line and "playground-data/playground-3000.db" in line, line


def test_db_upgrade_says_what_it_did(tmp_path):
    first = _bot(tmp_path, "db", "upgrade")
    assert first.returncode == 0 and "created" in first.stdout and "up to date" not in first.stdout, first.stdout
    again = _bot(tmp_path, "db", "upgrade")
    assert again.returncode == 0 and "already up to date" in again.stdout, again.stdout


def test_no_such_incident_has_its_own_documented_exit_status(tmp_path):
    assert _bot(tmp_path, "db", "upgrade").returncode == 0
    for command in ("postmortem", "timeline"):
        out = _bot(tmp_path, command, "TSR-9999")
        assert out.returncode == 3 and "no incident TSR-9999" in out.stderr
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"exit status.*\b3\b.*no (such )?incident", readme, re.IGNORECASE | re.DOTALL)


def test_dev_help_names_the_test_command():
    out = subprocess.run([str(ROOT / "dev"), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and re.search(r"^\s*\./dev test\b", out.stdout, re.M), out.stdout
    assert "postmortem" in out.stdout  # the program's own help follows


def test_the_license_is_an_spdx_string_so_setuptools_does_not_warn():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert isinstance(project["license"], str)


def test_the_outside_interface_is_readable_from_the_repository():
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\(([^)#]+\.md)\)", readme):
        assert (ROOT / link).is_file(), f"the README links {link}, which is not in the repository"
    assert "(docs/CONTRACT.md)" in readme
    assert "## Environment" in (ROOT / "docs" / "CONTRACT.md").read_text()
