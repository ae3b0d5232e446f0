"""Fault injection for Web API calls: rate limits, errors, server errors, delays."""
from __future__ import annotations

import threading
import time
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
        self._lags: dict[str, float] = {}
        self.lagged = 0.0  # seconds the emulator's clock was moved by lags (see SlackEmulator.clock)
        self._holds: dict[str, threading.Event] = {}
        # method -> [calls still to do before the held one, set once it is done, set to answer it]
        self._answer_holds: dict[str, list] = {}
        self._stopped = threading.Event()  # the emulator stops: nothing is kept waiting any more
        self._quiet = 0.0  # answer in waves (see in_waves); 0: each call on its own
        self._arrived = threading.Condition(self._lock)
        self._last_arrival = 0.0
        self._in_wave = 0  # calls waiting for their wave's answer

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def delay(self, method: str, seconds: float) -> None:
        with self._lock:
            self._delays[method] = seconds

    def delay_for(self, method: str) -> float:
        with self._lock:
            return self._delays.get(method, self._delays.get("*", 0.0))

    def lag(self, method: str, seconds: float) -> None:
        """Answer `method` `seconds` later on the emulator's clock, without sleeping: what expires
        meanwhile (a trigger_id's 3 s, a response_url) expires as if Slack had been that slow."""
        with self._lock:
            self._lags[method] = seconds

    def hold(self, method: str) -> None:
        """Answer no call of `method` until release(): slow for exactly as long as a test needs."""
        with self._lock:
            self._holds.setdefault(method, threading.Event())

    def hold_answer(self, method: str, nth: int = 1) -> threading.Event:
        """Do the `nth` call of `method` from now, then keep its answer until release(): Slack has
        done the work and the caller cannot know yet. The event returned is set once the work is done."""
        done = threading.Event()
        with self._lock:
            self._answer_holds[method] = [nth, done, threading.Event()]
        return done

    def answered(self, method: str) -> None:
        """After `method`'s work is done, before its answer: wait if it is the call hold_answer names."""
        with self._lock:
            held = self._answer_holds.get(method)
            if held is None or self._stopped.is_set():
                return
            held[0] -= 1
            if held[0] != 0:
                return
            _, done, answer = held
        done.set()
        answer.wait()

    def in_waves(self, quiet: float) -> None:
        """Answer every call once no new call has come for `quiet` seconds: calls sent together are
        answered together, however long the caller takes to send the last of them, and a call sent
        after an answer starts the next wave. A wave is one round trip whatever the machine's load."""
        with self._lock:
            self._quiet = quiet
            self._arrived.notify_all()  # calls waiting on the old quiet look again

    def release(self) -> None:
        with self._lock:
            holds, self._holds = list(self._holds.values()), {}
            holds += [answer for _, _, answer in self._answer_holds.values()]
            self._answer_holds = {}
        for held in holds:
            held.set()

    def wait(self, method: str) -> None:
        """Before answering `method`: its delay, its lag, then its hold (both cut short when the emulator stops)."""
        delay = self.delay_for(method)
        if delay:
            self._stopped.wait(delay)
        with self._lock:
            self.lagged += self._lags.get(method, self._lags.get("*", 0.0))
            held = None if self._stopped.is_set() else self._holds.get(method)
        if held is not None:
            held.wait()
        self._wait_for_the_wave()

    def _wait_for_the_wave(self) -> None:
        with self._arrived:
            if not self._quiet:
                return
            self._last_arrival = time.monotonic()
            self._arrived.notify_all()
            self._in_wave += 1
            try:
                while not self._stopped.is_set():
                    left = self._last_arrival + self._quiet - time.monotonic()
                    if left <= 0:
                        return
                    self._arrived.wait(left)
            finally:
                self._in_wave -= 1

    def waiting(self) -> int:
        """How many calls wait for their wave's answer."""
        with self._lock:
            return self._in_wave

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self._arrived.notify_all()
        self.release()

    def take(self, method: str) -> Fault | None:
        """The first pending fault for this method (or "*"), used up one time."""
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
            return None
