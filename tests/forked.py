"""Python processes for the tests, forked from one that has already imported the bot.

The fault tests start the bot (and race workers) dozens of times; a fresh interpreter spends most of
its start importing Bolt, SQLAlchemy and Babel again. `popen(["-m", "bot", "serve"], ...)` behaves like
`subprocess.Popen([sys.executable, "-m", "bot", "serve"], ...)` for what the tests use (a process of
its own, its own session, its environment and folder, pipes for stdin and stdout, exit status, kill)
but forks from multiprocessing's fork server, which imported the bot once. One difference: like any
multiprocessing child, it leaves with os._exit, so atexit handlers do not run — tests that check a
graceful stop start a real interpreter (tests/e2e/test_process.py starts `./dev serve`).
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
import runpy
import subprocess
import sys
from pathlib import Path

PIPE = subprocess.PIPE
STDOUT = subprocess.STDOUT

# What `python -m bot serve` and the race workers import; the server imports it once.
PRELOAD = ["tests.forked", "bot.cli", "bot.runtime", "bot.server", "bot.slack.app", "bot.store.db",
           "bot.flows.reminders", "bot.store.changes", "bot.store.timeline", "bot.store.due", "alembic.command",
           "psycopg"]

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


def _child(argv: list[str], cwd: str, env: dict[str, str], stdin, stdout, stderr, new_session: bool) -> None:
    """Runs in the forked process: become `python ARGV` in CWD with ENV, then run it."""
    # What the fork server imported is the child's for life: out of the collector's reach, a full
    # collection (`serve` makes one at start) neither scans it (60 ms) nor copies every page it touches.
    gc.freeze()
    if new_session:
        os.setsid()
    for conn, fd in ((stdin, 0), (stdout, 1), (stderr, 2)):
        if conn is not None:
            os.dup2(conn.fileno(), fd)
    for conn in {id(c): c for c in (stdin, stdout, stderr) if c is not None}.values():
        conn.close()
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # multiprocessing gave the child /dev/null
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        sys.path.insert(0, str(Path(argv[0]).resolve().parent))
        runpy.run_path(argv[0], run_name="__main__")


class Forked:
    """The part of subprocess.Popen the tests use."""

    def __init__(self, argv: list[str], *, cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None,
                 stdin=None, stdout=None, stderr=None, text: bool = False, start_new_session: bool = False):
        self.args = argv

        def pipe(direction: str, wanted):
            if wanted is None:
                return None, None
            assert wanted is PIPE, "forked processes take pipes only"
            reader, writer = _context.Pipe(duplex=False)
            mine, theirs = (writer, reader) if direction == "in" else (reader, writer)
            mode = ("w" if direction == "in" else "r") + ("" if text else "b")
            return os.fdopen(os.dup(mine.fileno()), mode, **({"encoding": "utf-8"} if text else {})), (mine, theirs)

        self.stdin, child_in = pipe("in", stdin)
        self.stdout, child_out = pipe("out", stdout)
        if stderr is STDOUT:
            self.stderr, child_err = None, child_out
        else:
            self.stderr, child_err = pipe("out", stderr)
        theirs = [c[1] if c else None for c in (child_in, child_out, child_err)]
        self._process = _context.Process(
            target=_child, args=(list(argv), str(cwd or os.getcwd()), dict(os.environ if env is None else env),
                                 *theirs, start_new_session), daemon=False)
        self._process.start()
        self.pid = self._process.pid
        # The pipes' ends are the child's now, and the parent reads and writes through its own dups.
        for conn in {id(c): c for pair in (child_in, child_out, child_err) if pair for c in pair}.values():
            conn.close()
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not self._process.is_alive():
            self.returncode = self._process.exitcode
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def kill(self) -> None:
        self._process.kill()

    def communicate(self, input=None, timeout: float | None = None):
        if input is not None:
            self.stdin.write(input)
        if self.stdin:
            self.stdin.close()
        # Both pipes read at once: a child filling one while the other is read would wait forever.
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            reads = [pool.submit(f.read) if f else None for f in (self.stdout, self.stderr)]
            out, err = (r.result(timeout) if r else None for r in reads)
        self.wait(timeout)
        return out, err


def popen(argv: list[str], **kwargs) -> Forked:
    """`subprocess.Popen([sys.executable, *argv], **kwargs)`, forked from the preloaded server."""
    return Forked(argv, **kwargs)


def run(argv: list[str], *, capture_output: bool = False, text: bool = False, timeout: float | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run([sys.executable, *argv], ...)`, forked from the preloaded server."""
    pipes = {"stdout": PIPE, "stderr": PIPE} if capture_output else {}
    proc = Forked(argv, text=text, **pipes, **kwargs)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess([sys.executable, *argv], proc.returncode, out, err)
