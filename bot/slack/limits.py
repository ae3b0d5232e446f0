"""Slack's rate limits, kept on our side so a burst waits its turn instead of meeting 429s.

Slack limits each Web API method per workspace by its tier (calls per minute: Tier 1 one, Tier 2
20, Tier 3 50, Tier 4 100; "special" methods have their own rules) and `chat.postMessage` to about
one message per second per channel. `Limiter.wait` reserves the next free slot of the method (and,
for a post, of the channel) and waits until then, through the injected clock and sleeper, so tests
never really sleep. Slots are handed out first come, first served: posts to one channel keep the
order they were asked in. Slack's own 429 + Retry-After stays the backstop (bot/slack/client.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Calls per WINDOW seconds, by tier (https://api.slack.com/apis/rate-limits).
WINDOW = 60.0
PER_TIER = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}

# The tier of each method the bot calls, as the vendored specs say (`rate_limits`; checked against
# them by tests/slack/test_limits.py). t5 is "special": no per-method limit we know of.
TIERS = {
    "auth.test": "t5", "bookmarks.add": "t2", "bookmarks.list": "t3", "canvases.edit": "t3",
    "chat.delete": "t3", "chat.getPermalink": "t5", "chat.postEphemeral": "t4", "chat.postMessage": "t5",
    "chat.update": "t3", "conversations.canvases.create": "t2", "conversations.create": "t2",
    "conversations.history": "t3", "conversations.info": "t3", "conversations.invite": "t3",
    "conversations.replies": "t3", "conversations.setTopic": "t2", "files.completeUploadExternal": "t4",
    "files.getUploadURLExternal": "t4", "pins.add": "t2", "usergroups.users.list": "t2",
    "users.conversations": "t3", "users.info": "t4", "views.open": "t4", "views.publish": "t4",
    "views.update": "t4",
}

# chat.postMessage: one message per second per channel (Slack allows short bursts; we do not count
# on them).
POST_METHOD = "chat.postMessage"
POST_SPACING = 1.0

# Our slots are this much wider than Slack's, so requests sent on time that arrive a little apart
# (network, threads) are still within Slack's count.
MARGIN = 0.1


class Window:
    """At most `count` calls in any `seconds`: the reserved times of the last `count` calls."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self.times: deque[float] = deque(maxlen=count)

    def next_slot(self, now: float) -> float:
        slot = now if len(self.times) < self.count else max(now, self.times[0] + self.seconds)
        return max(slot, self.times[-1]) if self.times else slot  # never ahead of an earlier call

    def take(self, slot: float) -> None:
        self.times.append(slot)


class Limiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 tiers: dict[str, str] | None = None, margin: float = MARGIN):
        self.clock, self.sleep = clock, sleep
        self.tiers = TIERS if tiers is None else tiers
        self.margin = margin
        self._windows: dict[str, Window] = {}
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds waited in all, for the benchmark and the logs
        self.waiting = 0  # calls waiting for their slot
        self.active = 0  # calls past their slot, not answered yet

    def _window(self, key: str, count: int, seconds: float) -> Window:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = Window(count, seconds + self.margin)
        return window

    @contextmanager
    def slot(self, method: str, channel: str | None = None) -> Iterator[float]:
        """Around one call: waits for its slot (yields how long), counts it as active until answered."""
        waited = self.wait(method, channel)
        try:
            yield waited
        finally:
            with self._lock:
                self.active -= 1

    def wait(self, method: str, channel: str | None = None) -> float:
        """Wait for a slot for this call and count it as active; returns how long we waited."""
        with self._lock:
            windows = []
            per_minute = PER_TIER.get(self.tiers.get(method, ""))
            if per_minute:
                windows.append(self._window(method, per_minute, WINDOW))
            if method == POST_METHOD and channel:
                windows.append(self._window(f"{POST_METHOD} {channel}", 1, POST_SPACING))
            if not windows:
                self.active += 1
                return 0.0
            now = self.clock()
            slot = max(w.next_slot(now) for w in windows)
            for w in windows:
                w.take(slot)
            delay = max(slot - now, 0.0)
            self.waited += delay
            if not delay:
                self.active += 1
                return 0.0
            self.waiting += 1
        self.sleep(delay)
        with self._lock:
            self.waiting -= 1
            self.active += 1
        return delay
