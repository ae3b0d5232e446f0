"""The public status page's rules, as Statuspage has them: component statuses, the page indicator,
an incident's impact, each component's 90-day history, and what of an incident is public.

Pure: no Slack, SQL or Babel. The store hands in plain values, the page renders what comes out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from bot.core.errors import Refusal
from bot.core.model import Priority, Status, Texts


class ComponentStatus(StrEnum):
    """Statuspage's component statuses, mildest first (maintenance is planned, so below any outage)."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


class Indicator(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


_ORDER = list(ComponentStatus)
# Statuspage's rollup: a degraded component is a minor, a partial outage a major, a major outage a
# critical page status. Maintenance is shown as minor (CONTRACT.md keeps the indicator to four values).
INDICATOR = {
    ComponentStatus.OPERATIONAL: Indicator.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Indicator.MINOR,
    ComponentStatus.DEGRADED_PERFORMANCE: Indicator.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Indicator.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Indicator.CRITICAL,
}
# Statuspage's English descriptions of the blended status (status.json `description`), as its docs give them.
DESCRIPTION = {
    ComponentStatus.OPERATIONAL: "All Systems Operational",
    ComponentStatus.UNDER_MAINTENANCE: "Service Under Maintenance",
    ComponentStatus.DEGRADED_PERFORMANCE: "Minor Service Outage",
    ComponentStatus.PARTIAL_OUTAGE: "Partial System Outage",
    ComponentStatus.MAJOR_OUTAGE: "Major Service Outage",
}
DEFAULT_FOR_PRIORITY = {
    Priority.P1: ComponentStatus.MAJOR_OUTAGE,
    Priority.P2: ComponentStatus.PARTIAL_OUTAGE,
    Priority.P3: ComponentStatus.DEGRADED_PERFORMANCE,
    Priority.P4: ComponentStatus.DEGRADED_PERFORMANCE,
}
# An incident with no affected component still has an impact: from its priority.
IMPACT_FOR_PRIORITY = {Priority.P1: Indicator.CRITICAL, Priority.P2: Indicator.MAJOR,
                       Priority.P3: Indicator.MINOR, Priority.P4: Indicator.NONE}

KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
HISTORY_DAYS = 90


class PublicPageError(Refusal):
    """A refused status-page command; its codes live under `public_` in the messages."""


def worst(statuses) -> ComponentStatus:
    return max((ComponentStatus(s) for s in statuses), key=_ORDER.index, default=ComponentStatus.OPERATIONAL)


def parse_component_status(word: str) -> ComponentStatus:
    w = word.strip().lower().replace("-", "_")
    try:
        status = ComponentStatus(w)
    except ValueError:
        raise PublicPageError("component_status", given=word) from None
    if status is ComponentStatus.OPERATIONAL:  # an affected component is affected; resolve to clear it
        raise PublicPageError("component_status", given=word)
    return status


def parse_keys(text: str) -> list[str]:
    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    bad = [k for k in keys if not KEY.fullmatch(k)]
    if not keys or bad:
        raise PublicPageError("component_key", given=(bad or [text])[0])
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class Component:
    key: str
    names: Texts
    position: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True)
class PublicUpdate:
    id: int
    status: Status
    texts: Texts
    display_at: datetime  # the time people gave the update (Statuspage's display_at)
    created_at: datetime


@dataclass
class PublicIncident:
    """What of an incident the public may see once it is published; nothing else is ever built."""

    ref: str
    title: Texts
    status: Status
    priority: Priority
    started_at: datetime
    resolved_at: datetime | None
    updated_at: datetime
    updates: list[PublicUpdate] = field(default_factory=list)  # oldest first
    components: dict[str, ComponentStatus] = field(default_factory=dict)  # key -> status while affected
    postmortem: Texts = field(default_factory=dict)  # Markdown per language, once published
    postmortem_at: datetime | None = None
    monitoring_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status is not Status.RESOLVED

    @property
    def impact(self) -> Indicator:
        if self.components:
            return INDICATOR[worst(self.components.values())]
        return IMPACT_FOR_PRIORITY[self.priority]

    def duration(self, now: datetime) -> timedelta:
        return max((self.resolved_at or now) - self.started_at, timedelta(0))

    def shown_status(self) -> str:
        """Statuspage shows `postmortem` as the incident's status once the postmortem is out."""
        return "postmortem" if self.postmortem and not self.active else self.status.value


def component_statuses(components: list[Component], incidents: list[PublicIncident]) -> dict[str, ComponentStatus]:
    """Each component's status now: the worst among active published incidents, else operational."""
    out = {c.key: ComponentStatus.OPERATIONAL for c in components}
    for incident in incidents:
        if not incident.active:
            continue
        for key, status in incident.components.items():
            if key in out:
                out[key] = worst([out[key], status])
    return out


def page_status(statuses: dict[str, ComponentStatus], incidents: list[PublicIncident]) -> tuple[Indicator, str]:
    """The page indicator and Statuspage's description, from the worst component. An active incident
    that affects no component still raises the indicator to its impact, as on Statuspage."""
    w = worst(statuses.values())
    indicator = INDICATOR[w]
    levels = list(Indicator)
    for i in incidents:
        if i.active and levels.index(i.impact) > levels.index(indicator):
            indicator = i.impact
    if indicator is not INDICATOR[w]:
        w = {Indicator.MINOR: ComponentStatus.DEGRADED_PERFORMANCE, Indicator.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
             Indicator.CRITICAL: ComponentStatus.MAJOR_OUTAGE}[indicator]
    return indicator, DESCRIPTION[w]


def history(key: str, incidents: list[PublicIncident], *, today: date, tz, now: datetime,
            days: int = HISTORY_DAYS) -> list[tuple[date, ComponentStatus, list[str]]]:
    """One bar per day, oldest first: the worst status the component had that day (in the page's
    zone) and the references of the incidents behind it."""
    first = today - timedelta(days=days - 1)
    bars = {first + timedelta(days=n): (ComponentStatus.OPERATIONAL, []) for n in range(days)}
    for incident in incidents:
        status = incident.components.get(key)
        if status is None:
            continue
        start = incident.started_at.astimezone(tz).date()
        end = (incident.resolved_at or now).astimezone(tz).date()
        day = max(start, first)
        while day <= min(end, today):
            old, refs = bars[day]
            bars[day] = (worst([old, status]), refs + [incident.ref])
            day += timedelta(days=1)
    return [(d, s, r) for d, (s, r) in sorted(bars.items())]


def uptime(bars: list[tuple[date, ComponentStatus, list[str]]]) -> float:
    """Share of days without an outage (a day with a partial or major outage counts as down)."""
    down = sum(1 for _, s, _ in bars if s in (ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE))
    return 100.0 * (len(bars) - down) / len(bars) if bars else 100.0


_MENTION = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")
_SLACK_ID = re.compile(r"\b[UWCGS][A-Z0-9]{8,}\b")
_AT_ID = re.compile(r"[@#][UWCGS][A-Z0-9]{1,}\b")  # a mention the postmortem rendered as @U123


def public_text(text: str) -> str:
    """What people typed, made fit for the public: Slack mentions of people and channels go (their
    IDs are not public), links keep their label and address; the rest is left for the page to escape."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _AT_ID.sub("", _MENTION.sub("", text))
    return _SLACK_ID.sub("", text).strip()


def public_texts(texts: Texts) -> Texts:
    return {k: public_text(v) for k, v in texts.items() if v and v.strip()}


def _without(pattern: re.Pattern, markdown: str) -> str:
    """PATTERN's matches cut out of MARKDOWN, each with the backslash that escaped its first character
    (an odd run of backslashes before it): cutting `#U1` alone out of `\\#U1\\[` would leave `\\\\[`,
    an escaped backslash and a live bracket."""
    out, last = [], 0
    for m in pattern.finditer(markdown):
        start = m.start()
        run = start - len(markdown[:start].rstrip("\\"))
        out.append(markdown[last:max(last, start - run % 2)])
        last = m.end()
    return "".join(out) + markdown[last:]


def public_markdown(markdown: str) -> str:
    """`public_text` for Markdown the bot rendered (the postmortem), where what people typed is escaped:
    cutting a mention never unescapes the character after it, so typed text never becomes a link."""
    for pattern in (_MENTION, _AT_ID, _SLACK_ID):
        markdown = _without(pattern, markdown)
    return markdown.strip()


def public_markdowns(texts: Texts) -> Texts:
    return {k: public_markdown(v) for k, v in texts.items() if v and v.strip()}


def combined_body(texts: Texts, languages: tuple[str, ...]) -> str:
    """One text holding every language, as on the example page: ``FR … EN …``."""
    parts = [f"{code.upper()} {texts[code]}" for code in languages if texts.get(code)]
    return " ".join(parts) if len(parts) > 1 else (parts[0].split(" ", 1)[1] if parts else "")


def as_utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)
