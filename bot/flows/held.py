"""Events that could not be recorded because the database did not answer: kept on disk, then recorded.

Slack's events are acknowledged at once (before the work), so Slack will not send them again. Each
one is therefore written to the event journal (`bot.store.spool`: a local file, fsync'd) before its
acknowledgement, and marked done once recorded. An event whose recording fails on the database is
held: a watcher asks the database every few seconds and, once it answers, records what was held in
the order it came, then fetches back from Slack whatever the channels got meanwhile (the backfill).
Events that come while others are held wait behind them, so the order is kept.

A process killed during the outage loses nothing: the next start (this process or a replica on the
same host) finds the events in the journal and records them before its backfill. If the journal
cannot take an event (an unwritable disk, or full) while the database is known down, the event is
refused (`Refused`: the caller answers non-200) and Slack sends it again, 3 times over 5 minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot import metrics
from bot.flows.deps import Deps
from bot.store.db import DATABASE_DOWN
from bot.store.spool import Spool

log = logging.getLogger("cellule.held")

CHECK_EVERY = 5.0  # seconds between two looks at the database while events are held
MAX_HELD = 20000  # without a journal, beyond this the oldest are let go (the backfill fetches their messages)


class Refused(Exception):
    """The event can be neither recorded now nor kept: Slack must send it again."""


def backfill_open(deps: Deps) -> None:
    """Fetch back from Slack what every open incident's channel got while we could not record it."""
    from bot.flows import timeline
    from bot.store import incidents as store

    with deps.db.session() as s:
        ids = [r.id for r in store.open_incidents(session=s) if r.channel_id]
    for incident_id in ids:
        metrics.BACKFILLED.inc(timeline.backfill(deps, incident_id) or 0)


def open_spool(directory: str | None) -> tuple[Spool | None, list[tuple[int, dict]]]:
    """The process's journal and what dead processes left in theirs; (None, []) without one."""
    if not directory:
        return None, []
    spool = Spool(directory)
    try:
        return spool, spool.open()
    except OSError as e:
        log.warning("the event journal cannot be used (%s): events are held in memory only", type(e).__name__)
        return None, []


class Held:
    def __init__(self, deps: Deps, wait: Callable[[float], object] | None = None,
                 on_hold: Callable[[], None] | None = None, journal: str | None = None):
        self.deps = deps
        self._wait = wait or threading.Event().wait  # tests pass one that returns at once
        # (record, envelope, its number in the journal or None), in the order they came.
        self._items: list[tuple[Callable[[dict], None], dict, int | None]] = []
        self._lock = threading.Lock()
        self._replaying = threading.Lock()
        self._watcher: threading.Thread | None = None
        self.on_hold = on_hold  # counted by the metrics
        self.dropped = 0
        self._warned = False
        self.spool, self.left = open_spool(journal)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def holding(self) -> bool:
        """The database did not answer the last time we tried, and has not been seen answering since."""
        return bool(len(self))

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()

    def journal(self, envelope: dict) -> int | None:
        """Before the acknowledgement: write the event down; returns its number in the journal.

        None when it is not written but may be acknowledged (no journal, or one that fails while
        the database answers: it is recorded from memory). Raises Refused when it cannot be kept
        and the database is known down: Slack must send it again."""
        if self.spool is not None:
            try:
                return self.spool.append(envelope)
            except OSError as e:
                problem = type(e).__name__
        else:
            problem = "no journal"
        if self.holding:
            metrics.event("sent_back")
            raise Refused(problem)
        if not self._warned:
            self._warned = True
            log.warning("an event could not be written to the journal (%s); recorded from memory", problem)
        return None

    def run(self, record: Callable[[dict], None], envelope: dict, n: int | None = None) -> bool:
        """Record the event (`record(envelope)`); if the database does not answer, hold it until it does."""
        with self._lock:
            behind = bool(self._items)
        if behind:  # others are held: this one comes after them
            self._hold(record, envelope, n)
            return False
        try:
            record(envelope)
        except DATABASE_DOWN as e:
            log.warning("database unavailable (%s): event held until it answers", type(e).__name__)
            metrics.DB_ERRORS.inc()
            self._hold(record, envelope, n)
            return False
        except Exception:
            self._done(n)  # a failure of ours, not the database's: replaying it would fail again
            raise
        self._done(n)
        metrics.event("recorded")
        return True

    def _done(self, n: int | None) -> None:
        if n is not None and self.spool is not None:
            self.spool.done(n)

    def _hold(self, record: Callable[[dict], None], envelope: dict, n: int | None) -> None:
        metrics.event("held")
        with self._lock:
            self._items.append((record, envelope, n))
            if self.spool is None and len(self._items) > MAX_HELD:
                self._items.pop(0)
                self.dropped += 1
            self._watch_locked()
        if self.on_hold:
            self.on_hold()

    def _watch_locked(self) -> None:
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name="held-events", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while len(self):
            self._wait(CHECK_EVERY)
            self.recover()

    def adopt(self, record: Callable[[dict], None]) -> int:
        """At start: the events a dead process wrote down and never recorded are recorded, in order
        (now if the database answers, else once it does). Returns how many were recorded now."""
        left, self.left = self.left, []
        if left:
            log.info("%d events from before a restart to record", len(left))
            with self._lock:
                self._items[:0] = [(record, envelope, n) for n, envelope in left]
                self._watch_locked()  # if the database does not answer yet
        return self.recover(backfill=False)

    def recover(self, backfill: bool = True) -> int:
        """If the database answers: record what was held, in order, then backfill. Returns how many."""
        if not len(self) or not self.deps.db.ping():
            return 0
        if not self._replaying.acquire(blocking=False):
            return 0  # the watcher is at it
        count = 0
        try:
            while True:
                with self._lock:
                    if not self._items:
                        break
                    record, envelope, n = self._items[0]
                try:
                    record(envelope)
                except DATABASE_DOWN:
                    log.warning("database unavailable again: %d events still held", len(self))
                    return count
                except Exception as e:  # no traceback: its values may hold what someone wrote
                    log.warning("a held event could not be recorded (%s)", type(e).__name__)
                with self._lock:
                    self._items.pop(0)
                self._done(n)
                metrics.event("replayed")
                count += 1
        finally:
            self._replaying.release()
        if backfill:
            try:
                backfill_open(self.deps)
            except Exception:
                log.warning("backfill after the database came back did not finish", exc_info=True)
        return count
