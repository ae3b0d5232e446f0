"""tests/forked.py stands in for a new interpreter: same output and exit status, its own process
and session, the environment and folder it was given, and a SIGKILL seen as a real process's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests import forked


def test_a_forked_command_says_and_exits_as_a_new_interpreter_would(tmp_path):
    env = {**os.environ, "LOG_LEVEL": "WARNING", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    for args in (["-m", "bot", "--help"], ["-m", "bot", "postmortem", "TSR-404"]):
        real = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True)
        fork = forked.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert (fork.returncode, fork.stdout, fork.stderr) == (real.returncode, real.stdout, real.stderr)


def test_a_forked_process_has_its_own_session_folder_and_environment_and_dies_by_sigkill(tmp_path):
    script = tmp_path / "child.py"
    script.write_text("import os, sys\nprint(os.getsid(0) == os.getpid(), os.getcwd(), os.environ['WHO'], flush=True)\n"
                      "sys.stdin.readline()\n")
    proc = forked.popen([str(script)], cwd=tmp_path, env={"WHO": "me"}, stdin=forked.PIPE, stdout=forked.PIPE,
                        text=True, start_new_session=True)
    assert proc.stdout.readline().split() == ["True", str(tmp_path), "me"]
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
