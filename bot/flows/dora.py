"""DORA (REGULATION=dora): record a classification or a submitted report, and read the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import dora
from bot.core.impact import WINDOW_KINDS, figures, impact_windows, incident_start, is_alert
from bot.core.model import Entry, EntryKind, Incident
from bot.flows import sync
from bot.flows.deps import Deps, UserError
from bot.i18n import N_
from bot.store import dora as dora_store
from bot.store import incidents as store
from bot.store import timeline as tl

# Refusals of the DORA commands (merged into bot.flows.messages.MESSAGES).
MESSAGES = {
    "dora_off": N_("DORA is not turned on here (REGULATION=dora)."),
    "dora_stage": N_("Say which report: `/incident report initial|intermediate|final [time]` (not “{given}”)."),
    "dora_not_major": N_("{ref} is not classified as a major incident, so no report is due. Classify it with `/incident classify`."),
    "dora_report_future": N_("{time} is in the future: record a report once it is submitted."),
    "dora_report_before": N_("{time} is before {classified}: a report cannot be submitted before what it follows."),
    "dora_report_order": N_("Record the `{needed}` report first: `{stage}` follows it."),
}
DORA_KINDS = {EntryKind.CLASSIFIED, EntryKind.REPORT}
CLOCK_SKEW = timedelta(minutes=2)  # a typed time this far ahead of our clock is still "now"


def clock_of(deps: Deps, entries: list[Entry]) -> dora.Clock | None:
    s = deps.settings
    return dora.clock_from([e for e in entries if e.kind in DORA_KINDS], tz=s.tz,
                           is_holiday=dora.holiday_checker(s.dora_holidays), rule=dora.WeekendRule(s.dora_weekend_rule))


def clock(deps: Deps, incident_id: int) -> dora.Clock | None:
    if not deps.settings.dora:
        return None
    with deps.db.session() as s:
        return clock_of(deps, tl.entries(session=s, incident_id=incident_id, kinds=DORA_KINDS))


@dataclass
class Measured:
    """What Cellule knows of the criteria, to pre-fill the form (never a guess)."""

    aware_at: datetime | None  # the first alert, else the declaration (Art. 5(1)(a) of 2025/301: becoming aware)
    occurred_at: datetime | None  # the first customer impact, else the declaration
    duration: timedelta | None  # Art. 3(a) of 2024/1772: occurrence to resolution (so far, while open)
    downtime: timedelta | None  # Art. 3(b): the customer-impact windows added up
    ongoing: bool  # durations still counting: they are the time so far


def measured(deps: Deps, incident: Incident) -> Measured:
    now = deps.now()
    with deps.db.session() as s:
        entries = tl.entries(session=s, incident_id=incident.id, kinds=WINDOW_KINDS | {EntryKind.EVENT, EntryKind.MESSAGE})
    alerts = [e.at for e in entries if is_alert(e)]
    declared = incident.declared_at
    aware = min(alerts + ([declared] if declared else []), default=None)
    start = incident_start(incident, entries)
    fig = figures(incident, entries, now)
    end = incident.resolved_at or now
    windows = impact_windows(entries)
    return Measured(aware_at=aware, occurred_at=start, duration=(end - start) if start else None,
                    downtime=fig.total_impact if windows else None,
                    ongoing=incident.resolved_at is None or (bool(windows) and windows[-1].end is None))


def classify(deps: Deps, incident_id: int, *, user: str, criteria: dora.Criteria, aware_at: datetime,
             root_cause: str = "") -> tuple[dora.Classification, dora.Clock | None, dora.Clock | None]:
    """Record a (re)classification; returns the result, the clock before and the clock after."""
    now = deps.now()
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        incident = store.to_incident(row)
        before = clock_of(deps, tl.entries(session=s, incident_id=incident_id, kinds=DORA_KINDS))
        occurred = measured_start(s, incident)
        earlier = [dora.Past(datetime.fromisoformat(r.data["occurred_at"]), r.data.get("root_cause") or "",
                             dora.criteria_from_data(r.data.get("criteria") or {}))
                   for r in dora_store.latest_classifications(session=s, since=occurred - dora.RECURRENCE_WINDOW,
                                                             exclude=incident_id)
                   if r.data.get("occurred_at")]
        current = dora.Past(occurred, root_cause.strip().lower(), criteria)
        result = dora.assess(current, earlier, recurring_applies=deps.settings.dora_recurring)
        tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
            kind=EntryKind.CLASSIFIED, at=now, author=user, data={
                "criteria": dora.criteria_to_data(criteria), "major": result.major, "rule": result.rule,
                "met": [t.value for t in result.met], "aware_at": aware_at.isoformat(),
                "occurred_at": occurred.isoformat(), "root_cause": current.root_cause}))
        store.save(session=s, row=row, now=now)
        after = clock_of(deps, tl.entries(session=s, incident_id=incident_id, kinds=DORA_KINDS))
    sync.refresh(deps, incident_id)
    return result, before, after


def measured_start(session, incident: Incident) -> datetime:
    entries = tl.entries(session=session, incident_id=incident.id, kinds=WINDOW_KINDS)
    return incident_start(incident, entries) or incident.declared_at


def check_report(current: dora.Clock | None, incident: Incident, stage: dora.Stage, at: datetime,
                 now: datetime) -> None:
    """Refuse a report time before the classification (or the report it follows), or in the future."""
    if current is None or not current.major:
        raise UserError("dora_not_major", ref=incident.ref)
    if at > now + CLOCK_SKEW:
        raise UserError("dora_report_future", time=at)
    if at < current.major_since:
        raise UserError("dora_report_before", time=at, classified=current.major_since)
    done = {st for st, _ in current.reports}
    needed = {dora.Stage.INTERMEDIATE: dora.Stage.INITIAL, dora.Stage.FINAL: dora.Stage.INTERMEDIATE}.get(stage)
    if needed and needed not in done:
        raise UserError("dora_report_order", stage=stage.value, needed=needed.value)
    previous = max((t for st, t in current.reports if st is needed), default=None) if needed else None
    if previous and at < previous:
        raise UserError("dora_report_before", time=at, classified=previous)


def record_report(deps: Deps, incident_id: int, *, user: str, stage: dora.Stage, at: datetime | None) -> dora.Clock:
    """Record that a report was submitted at `at` (now when None); starts the next time limit."""
    now = deps.now()
    at = at or now
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        incident = store.to_incident(row)
        check_report(clock_of(deps, tl.entries(session=s, incident_id=incident_id, kinds=DORA_KINDS)),
                     incident, stage, at, now)
        tl.add(session=s, incident_id=incident_id, now=now, entry=Entry(
            kind=EntryKind.REPORT, at=at, author=user, data={"stage": stage.value}))
        store.save(session=s, row=row, now=now)
        after = clock_of(deps, tl.entries(session=s, incident_id=incident_id, kinds=DORA_KINDS))
    sync.refresh(deps, incident_id)
    return after


def report_facts(deps: Deps, incident: Incident):
    """What `python -m bot dora` fills the report fields from (bot.core.dora_report.Facts)."""
    from bot.core.dora_report import Facts

    code = deps.settings.dora_language or deps.settings.languages[0]
    with deps.db.session() as s:
        entries = tl.entries(session=s, incident_id=incident.id,
                             kinds=WINDOW_KINDS | DORA_KINDS | {EntryKind.EVENT, EntryKind.MESSAGE})
        actions = store.actions(session=s, incident_id=incident.id)
    c = clock_of(deps, entries)
    classes = [e for e in entries if e.kind is EntryKind.CLASSIFIED]
    criteria = dora.criteria_from_data(classes[-1].data.get("criteria") or {}) if classes else None
    windows = impact_windows(entries)
    alerts = [e.at for e in entries if is_alert(e)]
    return Facts(
        ref=incident.ref, title=incident.title.get(code, ""), description=incident.impact.get(code, ""),
        cause=incident.cause.get(code, ""), components=incident.components.get(code, ""), clock=c,
        criteria=criteria, alert_at=min(alerts, default=None),
        occurred_at=windows[0].start if windows else None,
        recovered_at=windows[-1].end if windows and windows[-1].end else None,
        resolved_at=incident.resolved_at,
        actions=[a.action.get(code, "") for a in actions if a.action.get(code)])
