"""Knowing when the bot has finished: its listener pool counts unfinished work, and a clock the replay sets."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone


class CountingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting what is still running so the playground can wait for the bot."""

    def __init__(self, workers: int = 8):
        super().__init__(max_workers=workers, thread_name_prefix="bolt")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._idle:
            self._pending += 1

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class ReplayClock:
    """The bot's clock: a fixed moment while the example is replayed, real time afterwards."""

    def __init__(self):
        self._fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self._fixed or datetime.now(timezone.utc)

    def set(self, when: datetime) -> None:
        self._fixed = when.astimezone(timezone.utc)

    def release(self) -> None:
        self._fixed = None


class ReplayPacing:
    """The rate limiter's clock and sleeper: while the example is replayed, a wait for Slack's pace
    skips ahead instead of sleeping (the replay is the past; pacing it would keep a newcomer waiting
    12 s for 23 commands); once live, real waits. The skips stay in the clock, so the slots the
    replay booked are behind the first live call, not ahead of it."""

    def __init__(self, sleep=time.sleep):
        self.replaying = True
        self._sleep = sleep
        self._skipped = 0.0
        self._lock = threading.Lock()

    def clock(self) -> float:
        return time.monotonic() + self._skipped

    def sleep(self, seconds: float) -> None:
        if not self.replaying:
            self._sleep(seconds)
            return
        with self._lock:
            self._skipped += max(seconds, 0.0)
