"""Customer-impact windows and the figures derived from them (pure: no Slack, SQL or Babel).

A window opens at an IMPACT_START entry, or at a REOPENED entry (a recurrence means the customers are
hit again), and closes at the next IMPACT_END. Entries are replayed in time order; entries with the
same time keep the order they were given in (insertion order), so a start and an end recorded at
the same minute stay in the order people recorded them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.errors import Refusal
from bot.core.model import EntryKind, Entry, Incident

OPENING_KINDS = frozenset({EntryKind.IMPACT_START, EntryKind.REOPENED})
# All that windows, the incident's start and the header line are made of: reading only these
# keeps an update's cost flat however much was said in the channel.
WINDOW_KINDS = OPENING_KINDS | {EntryKind.IMPACT_END, EntryKind.DECLARED}


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None = None  # None while the impact goes on
    recurrence: bool = False  # opened by a REOPENED entry

    def length(self, now: datetime) -> timedelta:
        """How long customers were hit; an open window counts up to `now`."""
        return max((self.end or now) - self.start, timedelta(0))


class ImpactError(Refusal, ValueError):
    """A start or end that would make the windows inconsistent.

    Stable codes (callers pick the message from the code; params fill it in):
    - ``"already_open"``: a start while a window is open. params: ``since`` (that window's start).
    - ``"overlap"``: a start inside a closed window, or before a later window (an open window from
      there would swallow it). params: ``start``, ``end`` (the window it collides with).
    - ``"none_open"``: an end while no window is open. params: none.
    - ``"end_before_start"``: an end at or before the open window's start. params: ``start``.
    `check_impact_window` (a whole window typed after the fact) raises ``"end_before_start"`` and
    ``"overlap"`` with the same params.
    """

    def __repr__(self) -> str:
        return f"ImpactError({self.code!r}, **{self.params!r})"


def in_time_order(entries: Iterable[Entry]) -> list[Entry]:
    """Entries sorted by when they happened; `sorted` is stable, so ties keep the given order."""
    return sorted(entries, key=lambda e: e.at)


def impact_windows(entries: Iterable[Entry]) -> list[Window]:
    """The impact windows, in time order. Only the last one can be open.

    Replay is lenient (a start while open or an end while closed is ignored) so that a timeline
    edited by hand never crashes rendering; `check_impact_start`/`check_impact_end` keep new
    entries consistent in the first place.
    """
    windows: list[Window] = []
    open_: Window | None = None
    for entry in in_time_order(entries):
        if entry.kind in OPENING_KINDS and open_ is None:
            open_ = Window(entry.at, recurrence=entry.kind is EntryKind.REOPENED)
        elif entry.kind is EntryKind.IMPACT_END and open_ is not None:
            windows.append(Window(open_.start, entry.at, open_.recurrence))
            open_ = None
    if open_ is not None:
        windows.append(open_)
    return windows


def check_impact_start(entries: Iterable[Entry], at: datetime) -> None:
    """Raise ImpactError unless a window may start at `at` (also use it before recording a REOPENED)."""
    windows = impact_windows(entries)
    for w in windows:
        if w.end is None:
            raise ImpactError("already_open", since=w.start)
    for w in windows:
        assert w.end is not None
        # Touching windows are allowed: one may end at 12:13 and the next start at 12:13.
        if w.start <= at < w.end or at < w.start:
            raise ImpactError("overlap", start=w.start, end=w.end)


def check_impact_end(entries: Iterable[Entry], at: datetime) -> None:
    """Raise ImpactError unless the open window may end at `at`."""
    windows = impact_windows(entries)
    if not windows or windows[-1].end is not None:
        raise ImpactError("none_open")
    if at <= windows[-1].start:
        raise ImpactError("end_before_start", start=windows[-1].start)


def check_impact_window(entries: Iterable[Entry], start: datetime, end: datetime) -> None:
    """Raise ImpactError unless a whole window [start, end), typed after the fact, fits between the
    windows already recorded (an open one counts as running until now and beyond)."""
    if end <= start:
        raise ImpactError("end_before_start", start=start)
    for w in impact_windows(entries):
        # Ending exactly where a later window starts is refused too: at equal times the entries
        # replay in the order recorded, so the new end would close the later window instead.
        if start < (w.end or datetime.max.replace(tzinfo=start.tzinfo)) and w.start <= end:
            raise ImpactError("overlap", start=w.start, end=w.end)


@dataclass(frozen=True)
class Figures:
    """Durations for the postmortem; None when the facts to compute one are not there yet."""

    windows: tuple[Window, ...]
    impacts: tuple[timedelta, ...]  # one per window, an open one counted up to `now`
    total_impact: timedelta | None  # None when no window was recorded
    time_to_detect: timedelta | None
    time_to_resolve: timedelta | None
    duration: timedelta | None


# Typed at the start of an event's text, it says "this is when we were alerted" (time to detect).
ALERT_MARKS = ("🚨", ":rotating_light:")


def alert_mark(text: str, marks: tuple[str, ...] = ALERT_MARKS) -> tuple[bool, str]:
    """(whether the text starts with an alert mark, the text without it)."""
    stripped = text.lstrip()
    for mark in marks:
        if stripped.startswith(mark):
            return True, stripped[len(mark):].lstrip()
    return False, text


def is_alert(entry: Entry) -> bool:
    """A key moment that says when the alert came: an event typed with the mark, or a message
    marked with the alert reaction."""
    if not entry.data.get("alert"):
        return False
    return entry.kind is EntryKind.EVENT or (entry.kind is EntryKind.MESSAGE and entry.key)


def declared_at(incident: Incident, entries: Iterable[Entry]) -> datetime | None:
    """When the incident was declared: its DECLARED entry, else the incident's own field."""
    times = [e.at for e in entries if e.kind is EntryKind.DECLARED]
    return min(times) if times else incident.declared_at


def incident_start(incident: Incident, entries: Iterable[Entry]) -> datetime | None:
    """The first impact start, or the declaration when no impact was recorded."""
    entries = list(entries)
    windows = impact_windows(entries)
    return windows[0].start if windows else declared_at(incident, entries)


def figures(incident: Incident, entries: Iterable[Entry], now: datetime) -> Figures:
    """Impact per window and in total, time to detect, time to resolve, whole duration.

    - time to detect: first impact start -> the first alert (see `is_alert`) or the
      declaration, whichever came first; zero when the alert came before the impact; None without
      an impact start (nothing to detect from).
    - time to resolve: first impact start (or the declaration without impact) -> `resolved_at`.
    - duration: the same start -> the later of the last impact end and `resolved_at`. It is taken
      from the incident's own facts. The example page's "lasting 3h 34m" is measured between two
      status-page posts (first 'monitoring' to 'resolved'), which says when people wrote, not when
      customers were hit, and it even ends before the recurrence; we do not copy that. While an
      impact window is open, or with neither an impact end nor a resolution, it is None.
    """
    entries = list(entries)
    windows = impact_windows(entries)
    impacts = tuple(w.length(now) for w in windows)
    total = sum(impacts, timedelta(0)) if windows else None
    start = incident_start(incident, entries)

    detect: timedelta | None = None
    if windows:
        signals = [e.at for e in entries if is_alert(e)]
        declared = declared_at(incident, entries)
        if declared is not None:
            signals.append(declared)
        if signals:
            detect = max(min(signals) - windows[0].start, timedelta(0))

    resolve = incident.resolved_at - start if start and incident.resolved_at else None

    duration: timedelta | None = None
    still_open = bool(windows) and windows[-1].end is None
    ends = [t for t in (windows[-1].end if windows else None, incident.resolved_at) if t]
    if start and ends and not still_open:
        duration = max(ends) - start

    return Figures(tuple(windows), impacts, total, detect, resolve, duration)
