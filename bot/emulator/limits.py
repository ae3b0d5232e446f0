"""Slack's rate limits, enforced when a test asks for them (`SlackEmulator.enforce_limits`).

Each method is limited per workspace by its tier, from the vendored spec's `rate_limits` field
(calls per minute: t1 1, t2 20, t3 50, t4 100; t5, "special", has no per-method limit here), and
`chat.postMessage` to one message per second per channel. A call over a limit is answered as Slack
does: HTTP 429, `Retry-After` in seconds, `{"ok": false, "error": "ratelimited"}`, and it is not
carried out. Time is read from the clock given (tests share theirs with the bot's limiter).
"""
from __future__ import annotations

import math
import threading
from collections import deque

WINDOW = 60.0
PER_MINUTE = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
POST_SPACING = 1.0


class RateLimits:
    def __init__(self, clock):
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}
        self.limited: list[tuple[str, str | None]] = []  # (method, channel) of each 429

    def _over(self, key: str, count: int, seconds: float, now: float) -> float:
        """Seconds until one more call fits (0: it fits now)."""
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - seconds:
            seen.popleft()
        return seen[0] + seconds - now if len(seen) >= count else 0.0

    def check(self, method: str, tier: str | None, channel: str | None) -> int | None:
        """None when the call may go ahead (and it is counted), else the Retry-After to answer."""
        limits = []
        if tier in PER_MINUTE:
            limits.append((method, PER_MINUTE[tier], WINDOW))
        if method == "chat.postMessage" and channel:
            limits.append((f"{method} {channel}", 1, POST_SPACING))
        with self._lock:
            now = self.clock()
            wait = max((self._over(key, count, seconds, now) for key, count, seconds in limits), default=0.0)
            if wait > 0:
                self.limited.append((method, channel))
                return max(1, math.ceil(wait))
            for key, _, _ in limits:
                self._seen[key].append(now)
            return None
