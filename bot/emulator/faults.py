"""Fault injection for Web API calls: rate limits, errors, server errors, delays."""
from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    method: str
    kind: str  # "ratelimit" | "error" | "server_error" | "lost_answer"
    times: int
    error: str = ""
    status: int = 200
    retry_after: int = 1


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._delays: dict[str, float] = {}

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def delay(self, method: str, seconds: float) -> None:
        with self._lock:
            self._delays[method] = seconds

    def delay_for(self, method: str) -> float:
        with self._lock:
            return self._delays.get(method, self._delays.get("*", 0.0))

    def take(self, method: str) -> Fault | None:
        """The first pending fault for this method (or "*"), used up one time."""
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
            return None
