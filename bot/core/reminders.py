"""What reminders an incident should have pending, and when (pure: no Slack, SQL or Babel).

The scheduler stores due work as rows keyed by a stable `key`. A key names one reminder for good:
once it is sent (done) or cancelled it is never planned again, so replicas and restarts never
send it twice. `plan` is recomputed from the incident's facts whenever the incident changes and
at every tick; keys that are no longer planned are cancelled, which is how an update, a
resolution or a new priority moves or stops pending reminders.

A series of reminders (every cadence period, or the warnings before one deadline) that all fell
due while no process was running yields only its latest step: it is sent once at start, not once
per missed period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.model import Priority, Status

DEFAULT_CADENCE = "P1=30m,P2=1h,P3=4h,P4=off"
DEFAULT_POSTMORTEM_DUE = "5d"
NO_COMMANDER_AFTER = timedelta(minutes=15)
# Minutes before a regulatory deadline at which the commander and comms are reminded; 0 = missed.
DEADLINE_WARNINGS = (60, 15, 0)

_DURATION = re.compile(r"(\d+)\s*([dhm])")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


class ScheduleError(ValueError):
    """A setting that does not parse; the message names what was given."""


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `1h`, `2h30m`, `5d`; `off` gives None."""
    raw = text.strip().lower()
    if raw in {"off", "none", "0"}:
        return None
    if not raw or _DURATION.sub("", raw).strip():
        raise ScheduleError(text)
    total = sum((int(n) * _UNITS[u] for n, u in _DURATION.findall(raw)), timedelta(0))
    if total <= timedelta(0):
        raise ScheduleError(text)
    return total


def parse_cadence(raw: str) -> dict[Priority, timedelta | None]:
    """`P1=30m,P2=1h,P3=4h,P4=off`; priorities left out keep their default."""
    cadence = {Priority(k): parse_duration(v) for k, v in
               (p.split("=") for p in DEFAULT_CADENCE.split(","))}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = part.partition("=")
        try:
            priority = Priority(name.strip().upper())
        except ValueError:
            raise ScheduleError(part) from None
        if not sep:
            raise ScheduleError(part)
        try:
            cadence[priority] = parse_duration(value)
        except ScheduleError:
            raise ScheduleError(part) from None
    return cadence


@dataclass(frozen=True)
class Due:
    key: str
    kind: str  # cadence | no_commander | postmortem | deadline
    due_at: datetime
    data: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Facts:
    """What the plan depends on, read from the store."""

    incident_id: int
    status: Status
    priority: Priority
    declared_at: datetime
    last_update_at: datetime  # the latest status update, else the declaration
    resolved_at: datetime | None = None
    has_commander: bool = False
    has_postmortem: bool = False
    # (stage, due) of each regulatory deadline still to meet
    deadlines: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass(frozen=True)
class Policy:
    cadence: dict[Priority, timedelta | None]
    postmortem_due: timedelta | None = timedelta(days=5)
    no_commander_after: timedelta = NO_COMMANDER_AFTER


def latest_steps(steps: list[Due], done: set[str], now: datetime) -> list[Due]:
    """Of an ordered series, the steps still to send: those after the last one done, with all the
    ones already overdue but the latest dropped (sent once at start, not once per missed step)."""
    last_done = max((i for i, s in enumerate(steps) if s.key in done), default=-1)
    rest = steps[last_done + 1:]
    overdue = [s for s in rest if s.due_at <= now]
    return ([overdue[-1]] if overdue else []) + [s for s in rest if s.due_at > now]


def cadence_steps(f: Facts, period: timedelta, done: set[str], now: datetime) -> list[Due]:
    """Reminders every `period` after the last update: only the next one is planned."""
    series = f"cadence:{f.incident_id}:{f.priority.value}:{f.last_update_at.isoformat()}"
    done_n = [int(k.rsplit(":", 1)[1]) for k in done if k.startswith(series + ":")]
    elapsed = int((now - f.last_update_at) / period)
    n = max(max(done_n, default=0) + 1, elapsed, 1)
    return [Due(f"{series}:{n}", "cadence", f.last_update_at + n * period, {"period": int(period.total_seconds()), "since": f.last_update_at.isoformat()})]


def plan(f: Facts, policy: Policy, done: set[str], now: datetime) -> list[Due]:
    """Every reminder the incident should have pending now (keys in `done` are never returned)."""
    out: list[Due] = []
    active = f.status is not Status.RESOLVED
    period = policy.cadence.get(f.priority)
    if active and period:
        out += cadence_steps(f, period, done, now)
    if active and not f.has_commander:
        out.append(Due(f"no_commander:{f.incident_id}", "no_commander", f.declared_at + policy.no_commander_after))
    if not active and f.resolved_at and not f.has_postmortem and policy.postmortem_due:
        out.append(Due(f"postmortem:{f.incident_id}:{f.resolved_at.isoformat()}", "postmortem",
                       f.resolved_at + policy.postmortem_due))
    for stage, due in f.deadlines:
        steps = [Due(f"deadline:{f.incident_id}:{stage}:{due.isoformat()}:{m}", "deadline", due - timedelta(minutes=m),
                     {"stage": stage, "due": due.isoformat(), "minutes": m}) for m in DEADLINE_WARNINGS]
        out += latest_steps(steps, done, now)
    return [d for d in out if d.key not in done]
