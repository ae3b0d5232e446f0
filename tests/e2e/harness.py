"""The bot against the Slack emulator, in the test's process (so a test can set the bot's clock).

How Slack's signed requests reach the bot (`CELLULE_E2E_MODE`):
- `inprocess` (the default): the emulator hands each signed request, bytes and headers as it would
  POST them, to the bot's WSGI app in this process: the signature check, the shape checks, Bolt's
  `app.dispatch` and the listeners all run; only the socket is skipped.
- `http`: a real HTTP POST to the bot served by waitress, as in production. Tests about HTTP itself
  are marked `http_only` and always run this way; `test_process.py` and `test_kills.py` start the
  bot the README's way, in its own process.
- `socket`: Bolt's Socket Mode adapter connected to the emulator's WebSocket server.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime, timezone
from unittest import mock
from wsgiref.util import setup_testing_defaults

from bot import cli, runtime
from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.emulator.server import Server
from bot.slack.limits import Limiter

MODE = os.environ.get("CELLULE_E2E_MODE", "inprocess")  # inprocess | http | socket
JOURNAL_ROOT: str | None = None  # where env_for puts a PostgreSQL test's event journal (the test's tmp_path)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting unfinished work so a test can wait for the bot to settle."""

    def __init__(self):
        super().__init__(max_workers=8, thread_name_prefix="bolt")
        self._pending = 0
        self.submitted = 0  # ever, so a test can tell that nothing new came while it waited
        self._cv = threading.Condition()
        self.errors: list[BaseException] = []

    def submit(self, fn, /, *args, **kwargs):
        with self._cv:
            self._pending += 1
            self.submitted += 1

        def run():
            try:
                return fn(*args, **kwargs)
            except BaseException as e:  # noqa: BLE001 - recorded for the test to see
                self.errors.append(e)
                raise
            finally:
                with self._cv:
                    self._pending -= 1
                    self._cv.notify_all()

        return super().submit(run)

    @property
    def pending(self) -> int:
        with self._cv:
            return self._pending

    def wait_idle(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the bot's listeners did not finish")
                self._cv.wait(left)


class Sleeper:
    """The bot's waits between two tries of a Slack call: recorded, and over at once.

    `monotonic()` is a clock that those waits move forward, so a test can still see that a retry
    came no sooner than the wait it was told (e.g. Retry-After) without spending the time."""

    def __init__(self):
        self.waits: list[float] = []
        self._lock = threading.Lock()
        self._waited = 0.0

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            self._waited += seconds

    def monotonic(self) -> float:
        with self._lock:
            return time.monotonic() + self._waited


class Clock:
    def __init__(self, start: datetime | None = None):
        self.now = start

    def __call__(self) -> datetime:
        return self.now or datetime.now(timezone.utc)

    def set(self, when: datetime) -> None:
        self.now = when.astimezone(timezone.utc)


def env_for(emu: SlackEmulator, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_SIGNING_SECRET": emu.signing_secret,
        "SLACK_API_URL": emu.api_url,
        "DATABASE_URL": database_url,
        "INCIDENT_PREFIX": "TSR",
        "INCIDENT_FIRST_NUMBER": "2641",
        "ANNOUNCE_CHANNELS": "fr:CINCFR,en:CINCEN",
        "CRISIS_UNIT": "SCRISIS",
    }
    if not database_url.startswith("sqlite"):  # a journal per test database (a SQLite file has its own beside it)
        import hashlib
        import tempfile

        digest = hashlib.sha1(database_url.encode()).hexdigest()[:16]
        env["EVENT_JOURNAL"] = os.path.join(JOURNAL_ROOT or tempfile.gettempdir(), f"cellule-journal-{digest}")
    env.update(extra)
    return env


def in_process(wsgi):
    """Hand a signed request to the bot's WSGI app as waitress would, without the socket."""

    def handle(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_LENGTH": str(len(body)),
                   "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body), "wsgi.multithread": True}
        setup_testing_defaults(environ)  # the rest of a WSGI environ, as the standard library fills it in
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
        answer: list[str] = []
        chunks = wsgi(environ, lambda status, _headers, exc_info=None: answer.append(status))
        try:
            raw = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return int(answer[0].split()[0]), raw.decode("utf-8", "replace")

    return handle


class Bot:
    def __init__(self, emu: SlackEmulator, database_url: str, clock: Clock | None = None,
                 sleeper: Sleeper | None = None, mode: str | None = None, *, limiter: Limiter | None = None,
                 slack_width: int | None = None, **env: str):
        """`limiter`: the bot's rate limiter; by default one whose waits are recorded in `waits`,
        not slept (the emulator does not enforce Slack's limits unless a test asks it to).
        `mode`: "inprocess", "http" or "socket" (default from CELLULE_E2E_MODE)."""
        self.emu = emu
        self.clock = clock or Clock()
        self.sleeper = sleeper or Sleeper()
        self.mode = mode or MODE
        if self.mode == "socket":
            env.setdefault("SLACK_APP_TOKEN", emu.start_socket_mode())
        self.settings = Settings.from_env(env_for(emu, database_url, **env))  # database_url is migrated
        self.executor = TrackingExecutor()  # Bolt's listeners
        self.work_executor = TrackingExecutor()  # what they hand over after acknowledging, as in production
        self.waits: list[float] = []
        self.rt = runtime.build(self.settings, clock=self.clock, sleep=self.sleeper, executor=self.executor,
                                work_executor=self.work_executor, limiter=limiter or Limiter(sleep=self.waits.append),
                                slack_width=slack_width)
        self.wsgi = self.rt.wsgi()
        self.server = Server(self.wsgi, "127.0.0.1", 0)  # also served: tests may POST to `url` themselves
        self.url = f"http://127.0.0.1:{self.server.port}/slack/events"
        emu.bot_url = self.url
        if self.mode == "inprocess":
            emu.in_process[self.url] = in_process(self.wsgi)
        self.socket = None
        if self.mode == "socket":
            from bot.server import socket_mode_handler

            connected = emu.socket_mode.connected
            # As `serve` connects, with a shorter ping: a dropped connection is reopened within seconds.
            self.socket = socket_mode_handler(self.rt.app, self.settings.app_token, ping_interval=1)
            self.socket.connect()
            if not emu.socket_mode.wait_connected(connected + 1):
                raise RuntimeError("the bot did not connect over Socket Mode")

    def settle(self) -> None:
        """Wait until the bot and the emulator have nothing left in flight.

        The bot's work queues events (its posts, as Slack echoes them) and those events start more
        work: done when, over one round of waiting for both, neither was given anything new."""
        while True:
            before = (self.executor.submitted, self.work_executor.submitted, self.emu.events_queued)
            self.executor.wait_idle()
            self.work_executor.wait_idle()
            self.emu.wait_idle()
            if (not self.executor.pending and not self.work_executor.pending
                    and (self.executor.submitted, self.work_executor.submitted, self.emu.events_queued) == before):
                return

    def forget_errors(self) -> None:
        """For tests that make the bot fail on purpose (a simulated crash)."""
        self.executor.errors.clear()
        self.work_executor.errors.clear()

    def command(self, user: str, text: str, channel: str = "COPS"):
        delivery = self.emu.slash_command(user, channel, text)
        self.settle()
        return delivery

    def posts(self, channel: str) -> list[dict]:
        """The bot's own top-level posts (not Slack's system messages such as topic changes)."""
        return [m for m in self.emu.messages(channel) if m.get("bot_id") and not m.get("subtype")]

    def replies_to(self, user: str) -> list[str]:
        return [e.get("text", "") for e in self.emu.ephemerals(user)]

    def incident_channel(self) -> str:
        """The most recently created crisis channel (its ID)."""
        chans = [c for c in self.emu.state.channels.values() if c.name.startswith(self.settings.prefix.lower() + "-")]
        return chans[-1].id

    def close(self) -> None:
        self.settle()
        self.emu.in_process.pop(self.url, None)  # from now on, as over HTTP: nobody answers
        if self.socket is not None:
            # slack_sdk's client can wait forever on a session thread left over from a reconnection,
            # and its close otherwise waits out a 3 s receive: its threads are daemons, stopped from
            # reconnecting by close() itself, so a test does not wait for them to end.
            # The emulator then cuts the connection, so the client's receive ends now rather than
            # after its timeout; what is left of close() is its threads' 1 s polls, not waited for.
            closing = threading.Thread(target=self.socket.close, daemon=True)
            closing.start()
            closing.join(0.05)  # close() stops reconnections first thing: the cut below is final
            self.emu.socket_mode.drop()
        self.server.stop()
        self.executor.shutdown(wait=True)
        self.work_executor.shutdown(wait=True)
        self.rt.deps.messenger.close()
        self.rt.edge.held.close()
        self.rt.deps.db.dispose()
        errors = self.executor.errors + self.work_executor.errors
        assert not errors, f"listener errors: {errors!r}"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str]) -> Ran:
    """`python -m bot ARGS` run in this process, with `env` as its whole environment and its output
    captured, log lines included as a process would print them on stderr (a new Python process
    costs about a second of CPU). test_process.py and test_modes.py start real ones."""
    out, err = io.StringIO(), io.StringIO()
    logs = logging.StreamHandler(err)
    logs.setLevel(env.get("LOG_LEVEL", "INFO").upper())
    root = logging.getLogger()
    level = root.level
    root.addHandler(logs)
    root.setLevel(min(level, logs.level) or logs.level)
    try:
        with mock.patch.dict(os.environ, env, clear=True), redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as e:  # argparse refusing the arguments
                code = e.code if isinstance(e.code, int) else 1
    finally:
        root.removeHandler(logs)
        root.setLevel(level)
    return Ran(code, out.getvalue(), err.getvalue())
