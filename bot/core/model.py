"""Plain values of the incident domain. No Slack, SQL or Babel here: tests build these by hand.

Times are always timezone-aware UTC datetimes; conversion to a local zone happens when rendering.
Per-language texts are dicts keyed by language code (``{"fr": "...", "en": "..."}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

Texts = dict[str, str]


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Role(StrEnum):
    COMMANDER = "commander"
    COMMS = "comms"
    SCRIBE = "scribe"


class Responsibility(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class EntryKind(StrEnum):
    """What a timeline entry records. The bot's own posts are typed entries, never raw chat."""

    DECLARED = "declared"  # data: {"title": Texts, "priority": str}
    STATUS = "status"  # texts: the update per language; data: {"from": str, "to": str}
    FIELD = "field"  # data: {"field": str, "old": Any, "new": Any}
    ROLE = "role"  # data: {"role": str, "user": str}
    MESSAGE = "message"  # text: raw chat; data may hold {"files": [...], "thread_ts": str}
    EVENT = "event"  # texts: what a person recorded with /incident event
    IMPACT_START = "impact_start"  # customer impact begins
    IMPACT_END = "impact_end"  # customer impact ends
    REOPENED = "reopened"  # recurrence: active again, and impact starts again
    ACTION = "action"  # data: {"symptom": Texts, "action": Texts}
    POSTMORTEM = "postmortem"  # the postmortem was compiled and published
    CLASSIFIED = "classified"  # DORA classification; data: criteria, "major", "rule", "met", "aware_at", "root_cause"
    REPORT = "report"  # a DORA report submitted to the authority; data: {"stage": str}, at: when submitted


# Kinds shown in bold in the postmortem overview, as on the example page.
BOLD_KINDS = frozenset({EntryKind.IMPACT_START, EntryKind.IMPACT_END, EntryKind.REOPENED})


@dataclass
class Action:
    symptom: Texts
    action: Texts
    owner: str | None = None


@dataclass
class Entry:
    kind: EntryKind
    at: datetime  # when it happened (UTC), not when it was recorded
    author: str | None = None  # Slack user ID
    text: str = ""  # raw text (chat messages)
    texts: Texts = field(default_factory=dict)  # per-language text (events, updates)
    key: bool = False  # a key moment: appears in the postmortem overview
    data: dict[str, Any] = field(default_factory=dict)
    ts: str | None = None  # Slack message ts when the entry comes from a message
    id: int | None = None


@dataclass
class Incident:
    ref: str
    number: int
    title: Texts
    priority: Priority = Priority.P3
    status: Status = Status.INVESTIGATING
    declared_at: datetime | None = None
    declared_by: str | None = None
    resolved_at: datetime | None = None
    category: str = ""
    responsibility: Responsibility | None = None
    components: Texts = field(default_factory=dict)  # affected services, per language
    impact: Texts = field(default_factory=dict)
    cause: Texts = field(default_factory=dict)
    context: Texts = field(default_factory=dict)
    roles: dict[Role, str] = field(default_factory=dict)
    channel_id: str | None = None
    channel_name: str | None = None
    private: bool = False  # a private crisis channel: only those who may change it may read it
    id: int | None = None
