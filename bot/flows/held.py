"""Events that could not be recorded because the database did not answer: held, then recorded.

Slack's events are acknowledged at once (before the work), so Slack will not send them again. An
event whose recording fails on the database is kept here instead of being dropped; a watcher asks
the database every few seconds, and once it answers, records what was held and fetches back from
Slack whatever the channels got meanwhile (the backfill), so nothing said during the outage is
lost. Held events live in this process's memory: a process killed during the outage loses them,
and the backfill at its next start fetches the messages back from Slack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot import metrics
from bot.flows.deps import Deps
from bot.store.db import DATABASE_DOWN

log = logging.getLogger("cellule.held")

CHECK_EVERY = 5.0  # seconds between two looks at the database while events are held
MAX_HELD = 20000  # beyond this the oldest are let go: the backfill still fetches their messages


def backfill_open(deps: Deps) -> None:
    """Fetch back from Slack what every open incident's channel got while we could not record it."""
    from bot.flows import timeline
    from bot.store import incidents as store

    with deps.db.session() as s:
        ids = [r.id for r in store.open_incidents(session=s) if r.channel_id]
    for incident_id in ids:
        metrics.BACKFILLED.inc(timeline.backfill(deps, incident_id) or 0)


class Held:
    def __init__(self, deps: Deps, wait: Callable[[float], object] | None = None,
                 on_hold: Callable[[], None] | None = None):
        self.deps = deps
        self._wait = wait or threading.Event().wait  # tests pass one that returns at once
        self._items: list[tuple[Callable, tuple]] = []
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self.on_hold = on_hold  # counted by the metrics
        self.dropped = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def run(self, fn: Callable, *args) -> bool:
        """Do `fn(*args)`; if the database does not answer, keep it for when it does."""
        try:
            fn(*args)
        except DATABASE_DOWN as e:
            log.warning("database unavailable (%s): event held until it answers", type(e).__name__)
            metrics.DB_ERRORS.inc()
            metrics.event("held")
            self._hold(fn, args)
            return False
        metrics.event("recorded")
        return True

    def _hold(self, fn: Callable, args: tuple) -> None:
        with self._lock:
            self._items.append((fn, args))
            if len(self._items) > MAX_HELD:
                self._items.pop(0)
                self.dropped += 1
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, name="held-events", daemon=True)
                self._watcher.start()
        if self.on_hold:
            self.on_hold()

    def _watch(self) -> None:
        while len(self):
            self._wait(CHECK_EVERY)
            self.recover()

    def recover(self) -> int:
        """If the database answers: record what was held, then backfill. Returns how many were replayed."""
        if not len(self) or not self.deps.db.ping():
            return 0
        with self._lock:
            items, self._items = self._items, []
        for fn, args in items:
            try:
                if self.run(fn, *args):
                    metrics.event("replayed")
            except Exception:
                log.warning("a held event could not be recorded", exc_info=True)
        try:
            backfill_open(self.deps)
        except Exception:
            log.warning("backfill after the database came back did not finish", exc_info=True)
        return len(items)
