"""Slack's 3 seconds: an acknowledgement that comes too late is not sent, and its work never runs.

When a request is not acknowledged in time, Slack tells its author that it failed. If the work ran
anyway a little later, the author would retry and the update would reach stakeholders twice. So
each request gets an `ack` that remembers when the request arrived: called after ACK_DEADLINE,
it refuses (raises TooLate) before the listener has done anything, and nothing runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_bolt.context.ack import Ack

from bot import metrics

log = logging.getLogger("cellule.deadline")

ACK_DEADLINE = 2.5  # seconds after arrival; Slack gives up at 3, and the answer must still travel


class TooLate(Exception):
    """The request waited past Slack's deadline: Slack has told its author it failed."""


class DeadlineAck(Ack):
    def __init__(self, received: float, clock: Callable[[], float] = time.monotonic, kind: str = "other"):
        super().__init__()
        self.received = received
        self.clock = clock
        self.kind = kind

    def __call__(self, *args, **kwargs):
        waited = self.clock() - self.received
        if waited > ACK_DEADLINE:
            metrics.ACKS_TOO_LATE.labels(self.kind).inc()
            raise TooLate(f"acknowledged {waited:.1f} s after the request arrived")
        metrics.ACK_SECONDS.labels(self.kind).observe(waited)
        return super().__call__(*args, **kwargs)


def install(app, clock: Callable[[], float] = time.monotonic) -> None:
    """Give every request a DeadlineAck, stamped when Bolt receives it (before any listener)."""

    @app.middleware
    def stamp_arrival(context, body, next):  # noqa: A002 - Bolt passes it by this name
        context["ack"] = DeadlineAck(clock(), clock, metrics.kind_of(body))
        return next()
