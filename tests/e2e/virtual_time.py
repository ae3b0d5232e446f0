"""Virtual time for the rate limits: the bot's limiter and the emulator's limits read one clock that
moves only when every call the bot has under way is waiting for its slot.

Nobody really sleeps: `sleep(s)` blocks until the clock reaches now + s, and a driver thread moves
the clock to the earliest such time as soon as the limiter has no call in flight and every call
waiting for a slot is blocked here. So a call always reaches the emulator at the virtual time its
slot was given (the clock cannot move between the two), as it would with real time and a prompt
network; a minute of Slack's limits passes in a few milliseconds.
"""

from __future__ import annotations

import itertools
import threading


class VirtualTime:
    START = 1_000_000.0

    def __init__(self):
        self.now = self.START
        self._cv = threading.Condition()
        self._sleepers: dict[int, float] = {}  # id -> when it wakes
        self._ids = itertools.count()
        self.limiter = None  # set by the test: the bot's `Limiter`
        self.moves = 0
        self._stopped = False
        self._thread = threading.Thread(target=self._drive, name="virtual-time", daemon=True)
        self._thread.start()

    def __call__(self) -> float:
        return self.now

    @property
    def elapsed(self) -> float:
        return self.now - self.START

    def sleep(self, seconds: float) -> None:
        with self._cv:
            me = next(self._ids)
            self._sleepers[me] = self.now + max(seconds, 0.0)
            self._cv.notify_all()
            while me in self._sleepers:  # the driver removes us when the clock reaches our time
                self._cv.wait(0.05)

    def _drive(self) -> None:
        while not self._stopped:
            with self._cv:
                self._cv.wait(0.002)
                limiter = self.limiter
                if limiter is None or not self._sleepers:
                    continue
            with limiter._lock, self._cv:  # both counts read together: nothing moves meanwhile
                if limiter.active or limiter.waiting != len(self._sleepers):
                    continue  # a call is on its way to Slack, or a woken one has not started yet
                self.now = max(self.now, min(self._sleepers.values()))
                self.moves += 1
                for me in [m for m, when in self._sleepers.items() if when <= self.now]:
                    del self._sleepers[me]
                self._cv.notify_all()

    def stop(self) -> None:
        self._stopped = True
        self._thread.join(timeout=1)
