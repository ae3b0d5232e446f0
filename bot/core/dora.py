"""DORA: classifying an ICT-related incident and the reporting clock (pure: no Slack, SQL or Babel).

Sources, read in the texts themselves:
- Commission Delegated Regulation (EU) 2024/1772 (classification criteria and materiality
  thresholds): Articles 1 to 7 define the criteria, Article 8 the rule for a major incident and
  for recurring incidents, Article 9 the materiality thresholds.
- Commission Delegated Regulation (EU) 2025/301 (content and time limits of the reports):
  Article 5 sets the time limits and the weekend and public-holiday rule.
- Commission Implementing Regulation (EU) 2025/302 (templates): see `bot.core.dora_report`.

Numbers the financial entity does not know are None: a threshold is met only on a value given,
never on a guess (Art. 9(1), second subparagraph, asks the entity itself to estimate them).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo


class Threshold(StrEnum):
    """The materiality thresholds of Art. 9 of 2024/1772, one per criterion."""

    CLIENTS = "clients"  # Art. 9(1): clients, financial counterparts and transactions (Art. 1)
    REPUTATION = "reputation"  # Art. 9(2): reputational impact (Art. 2)
    DURATION = "duration"  # Art. 9(3): duration and service downtime (Art. 3)
    GEOGRAPHY = "geography"  # Art. 9(4): geographical spread (Art. 4)
    DATA = "data"  # Art. 9(5)(a): data losses (Art. 5)
    ECONOMIC = "economic"  # Art. 9(6): economic impact (Art. 7)
    MALICIOUS_ACCESS = "malicious_access"  # Art. 9(5)(b): alone enough, Art. 8(1)(a)


# Figures of Art. 9 of 2024/1772.
CLIENTS_SHARE = 0.10  # Art. 9(1)(a): more than 10 % of all clients using the affected service
CLIENTS_ABSOLUTE = 100_000  # Art. 9(1)(b): more than 100 000 clients using the affected service
COUNTERPARTS_SHARE = 0.30  # Art. 9(1)(c): more than 30 % of the financial counterparts
TRANSACTIONS_SHARE = 0.10  # Art. 9(1)(d): more than 10 % of the daily average number of transactions
VALUE_SHARE = 0.10  # Art. 9(1)(e): more than 10 % of the daily average value of transactions
DURATION_LIMIT = timedelta(hours=24)  # Art. 9(3)(a): the incident lasts longer than 24 hours
DOWNTIME_LIMIT = timedelta(hours=2)  # Art. 9(3)(b): downtime longer than 2 hours (critical or important functions)
MEMBER_STATES = 2  # Art. 9(4): impact in two or more Member States
ECONOMIC_LIMIT = 100_000  # Art. 9(6): costs and losses over EUR 100 000
RECURRENCE_WINDOW = timedelta(days=183)  # Art. 8(2)(a): at least twice within 6 months


@dataclass(frozen=True)
class Criteria:
    """The values of the classification criteria (Art. 1 to 7 of 2024/1772)."""

    # Art. 6: critical services affected (the gate of Art. 8(1))
    critical_functions: bool = False  # Art. 6(a): ICT services or systems supporting critical or important functions
    supervised_services: bool = False  # Art. 6(b): financial services needing authorisation, registration or supervision
    malicious_access: bool = False  # Art. 6(c) and 9(5)(b): successful, malicious and unauthorised access (may lose data)
    # Art. 1: clients, financial counterparts and transactions
    clients_affected: int | None = None
    clients_total: int | None = None  # all clients using the affected service
    counterparts_affected: int | None = None
    counterparts_total: int | None = None
    transactions_affected: int | None = None
    transactions_daily: float | None = None  # daily average number for the affected service
    value_affected: float | None = None  # EUR
    value_daily: float | None = None  # daily average value, EUR
    relevant_clients: bool = False  # Art. 1(3) and 9(1)(f): clients or counterparts identified as relevant
    # Art. 2 and 9(2): media attention, repeated complaints, regulatory requirements missed, clients likely lost
    reputational: bool = False
    # Art. 3: duration (occurrence to resolution) and service downtime
    duration: timedelta | None = None
    downtime: timedelta | None = None
    # Art. 4: Member States where it had an impact
    member_states: int | None = None
    # Art. 5 and 9(5)(a): availability, authenticity, integrity or confidentiality of data hit, with an adverse impact
    data_losses: bool = False
    # Art. 7: costs and losses, EUR
    economic_eur: float | None = None


@dataclass(frozen=True)
class Classification:
    major: bool
    critical: bool  # the gate of Art. 8(1)
    met: tuple[Threshold, ...]  # thresholds met
    rule: str  # which rule decided: "8(1)(a)", "8(1)(b)", "8(2)", "no_critical_service", "below_thresholds"


def _over(part: float | None, whole: float | None, share: float) -> bool:
    return part is not None and whole is not None and whole > 0 and part > share * whole


def thresholds_met(c: Criteria) -> tuple[Threshold, ...]:
    met = []
    # Art. 9(1)(a) to (f): any one condition is enough.
    if (_over(c.clients_affected, c.clients_total, CLIENTS_SHARE)  # (a)
            or (c.clients_affected is not None and c.clients_affected > CLIENTS_ABSOLUTE)  # (b)
            or _over(c.counterparts_affected, c.counterparts_total, COUNTERPARTS_SHARE)  # (c)
            or _over(c.transactions_affected, c.transactions_daily, TRANSACTIONS_SHARE)  # (d)
            or _over(c.value_affected, c.value_daily, VALUE_SHARE)  # (e)
            or c.relevant_clients):  # (f)
        met.append(Threshold.CLIENTS)
    if c.reputational:  # Art. 9(2): any condition of Art. 2(a) to (d)
        met.append(Threshold.REPUTATION)
    if ((c.duration is not None and c.duration > DURATION_LIMIT)  # Art. 9(3)(a)
            or (c.downtime is not None and c.downtime > DOWNTIME_LIMIT and c.critical_functions)):  # Art. 9(3)(b)
        met.append(Threshold.DURATION)
    if c.member_states is not None and c.member_states >= MEMBER_STATES:  # Art. 9(4)
        met.append(Threshold.GEOGRAPHY)
    if c.data_losses:  # Art. 9(5)(a)
        met.append(Threshold.DATA)
    if c.economic_eur is not None and c.economic_eur > ECONOMIC_LIMIT:  # Art. 9(6)
        met.append(Threshold.ECONOMIC)
    if c.malicious_access:  # Art. 9(5)(b)
        met.append(Threshold.MALICIOUS_ACCESS)
    return tuple(met)


def classify(c: Criteria) -> Classification:
    """Art. 8(1) of 2024/1772: major when critical services (Art. 6) were affected and either the
    threshold of Art. 9(5)(b) is met, or two or more of the other thresholds of Art. 9(1) to (6)."""
    met = thresholds_met(c)
    critical = c.critical_functions or c.supervised_services or c.malicious_access  # Art. 6(a), (b), (c)
    if not critical:
        return Classification(False, False, met, "no_critical_service")
    if Threshold.MALICIOUS_ACCESS in met:  # Art. 8(1)(a)
        return Classification(True, True, met, "8(1)(a)")
    if len([t for t in met if t is not Threshold.MALICIOUS_ACCESS]) >= 2:  # Art. 8(1)(b)
        return Classification(True, True, met, "8(1)(b)")
    return Classification(False, True, met, "below_thresholds")


def combine(items: Iterable[Criteria]) -> Criteria:
    """Criteria of several incidents taken together (Art. 8(2)(c)): counts, times and costs add up,
    totals of reference (all clients, daily averages) are the largest given, flags are any."""
    items = list(items)
    values = {}
    for f in fields(Criteria):
        got = [getattr(i, f.name) for i in items if getattr(i, f.name) is not None]
        if f.type == "bool":
            values[f.name] = any(got)
        elif not got:
            values[f.name] = None
        elif f.name in {"clients_total", "counterparts_total", "transactions_daily", "value_daily", "member_states"}:
            values[f.name] = max(got)
        else:
            values[f.name] = sum(got[1:], got[0])
    return Criteria(**values)


@dataclass(frozen=True)
class Past:
    """An earlier incident's classification, for the recurring-incident rule."""

    occurred_at: datetime
    root_cause: str  # the apparent root cause (Art. 20, first subparagraph, point (b) of 2022/2554)
    criteria: Criteria


def recurring_major(current: Past, earlier: Iterable[Past], *, applies: bool = True) -> bool:
    """Art. 8(2) of 2024/1772: recurring incidents, each not major, are one major incident when
    (a) they occurred at least twice within 6 months, (b) they have the same apparent root cause
    and (c) together they meet Art. 8(1). It does not apply to microenterprises and to the
    entities of Art. 16(1) of 2022/2554 (`applies=False`)."""
    if not applies or not current.root_cause or classify(current.criteria).major:
        return False
    same = [p for p in earlier if p.root_cause == current.root_cause  # (b)
            and timedelta(0) <= current.occurred_at - p.occurred_at <= RECURRENCE_WINDOW  # (a)
            and not classify(p.criteria).major]
    if not same:
        return False  # (a): at least twice
    return classify(combine([current.criteria] + [p.criteria for p in same])).major  # (c)


def assess(current: Past, earlier: Iterable[Past] = (), *, recurring_applies: bool = True) -> Classification:
    result = classify(current.criteria)
    if not result.major and recurring_major(current, earlier, applies=recurring_applies):
        return replace(result, major=True, rule="8(2)")
    return result


# --- The reporting clock: Article 5 of Delegated Regulation (EU) 2025/301 -------------------------

class Stage(StrEnum):
    INITIAL = "initial"
    INTERMEDIATE = "intermediate"
    FINAL = "final"


class WeekendRule(StrEnum):
    """Art. 5(4) of 2025/301: a time limit falling on a weekend day or a public holiday may be met by
    12:00 of the next working day. Art. 5(5): not for the initial notification and the intermediate
    report of credit institutions, central counterparties, operators of trading venues and entities
    identified as essential or important under the NIS2 rules (`final_only`). `off` for entities
    whose competent authority decided otherwise, or that choose not to use it."""

    ON = "on"
    FINAL_ONLY = "final-only"
    OFF = "off"


INITIAL_AFTER_MAJOR = timedelta(hours=4)  # Art. 5(1)(a): within 4 hours of the classification as major
INITIAL_AFTER_AWARE = timedelta(hours=24)  # Art. 5(1)(a): and no later than 24 hours after becoming aware
INTERMEDIATE_AFTER = timedelta(hours=72)  # Art. 5(1)(b): within 72 hours of the initial notification
NEXT_WORKING_DAY_AT = time(12, 0)  # Art. 5(4): by noon of the next working day


@dataclass(frozen=True)
class Deadline:
    stage: Stage
    due: datetime  # UTC, after the weekend and holiday rule
    raw: datetime  # UTC, the time limit before it
    submitted_at: datetime | None = None

    @property
    def extended(self) -> bool:
        return self.due != self.raw


def add_month(at: datetime, tz: ZoneInfo) -> datetime:
    """One calendar month later, on the local clock (the 31st gives the month's last day)."""
    local = at.astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day, tzinfo=None).replace(tzinfo=tz).astimezone(timezone.utc)


def next_working_noon(raw: datetime, tz: ZoneInfo, is_holiday: Callable[[date], bool]) -> datetime:
    """Art. 5(4): when the time limit falls on a weekend day or a public holiday, noon of the next
    working day; otherwise the time limit itself."""
    day = raw.astimezone(tz).date()

    def off(d: date) -> bool:
        return d.weekday() >= 5 or is_holiday(d)

    if not off(day):
        return raw
    day += timedelta(days=1)
    while off(day):
        day += timedelta(days=1)
    return datetime.combine(day, NEXT_WORKING_DAY_AT, tzinfo=tz).astimezone(timezone.utc)


def deadlines(*, aware_at: datetime, major_at: datetime, tz: ZoneInfo, is_holiday: Callable[[date], bool],
              rule: WeekendRule = WeekendRule.ON, initial_at: datetime | None = None,
              intermediate_at: datetime | None = None, final_at: datetime | None = None) -> list[Deadline]:
    """The time limits of Art. 5 of 2025/301 known so far: each next one starts from the submission
    of the one before (the intermediate from the initial, the final from the latest intermediate)."""

    def extend(stage: Stage, raw: datetime) -> datetime:
        if rule is WeekendRule.OFF or (rule is WeekendRule.FINAL_ONLY and stage is not Stage.FINAL):  # Art. 5(5)
            return raw
        return next_working_noon(raw, tz, is_holiday)  # Art. 5(4)

    if major_at <= aware_at + INITIAL_AFTER_AWARE:
        raw = min(major_at + INITIAL_AFTER_MAJOR, aware_at + INITIAL_AFTER_AWARE)  # Art. 5(1)(a)
    else:
        raw = major_at + INITIAL_AFTER_MAJOR  # Art. 5(2): classified as major after the first 24 hours
    out = [Deadline(Stage.INITIAL, extend(Stage.INITIAL, raw), raw, initial_at)]
    if initial_at is not None:
        raw = initial_at + INTERMEDIATE_AFTER  # Art. 5(1)(b)
        out.append(Deadline(Stage.INTERMEDIATE, extend(Stage.INTERMEDIATE, raw), raw, intermediate_at))
    if intermediate_at is not None:
        raw = add_month(intermediate_at, tz)  # Art. 5(1)(c): one month after the latest intermediate report
        out.append(Deadline(Stage.FINAL, extend(Stage.FINAL, raw), raw, final_at))
    return out


def pending(items: list[Deadline]) -> list[Deadline]:
    return [d for d in items if d.submitted_at is None]


# --- Public holidays -----------------------------------------------------------------------------

def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def french_holidays(year: int) -> set[date]:
    """Public holidays of metropolitan France (Code du travail, art. L3133-1)."""
    e = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, m, d) for m, d in fixed} | {e + timedelta(days=1), e + timedelta(days=39), e + timedelta(days=50)}


HOLIDAY_CALENDARS: dict[str, Callable[[int], set[date]]] = {"FR": french_holidays}


def holiday_checker(spec: str) -> Callable[[date], bool]:
    """`FR` (a built-in calendar), or ISO dates separated by commas, or both: `FR,2026-12-24`."""
    calendars, dates = [], set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if part.upper() in HOLIDAY_CALENDARS:
            calendars.append(HOLIDAY_CALENDARS[part.upper()])
        else:
            dates.add(date.fromisoformat(part))  # ValueError names the part

    def is_holiday(d: date) -> bool:
        return d in dates or any(d in cal(d.year) for cal in calendars)

    return is_holiday


# --- The clock from the timeline -------------------------------------------------------------------

def criteria_to_data(c: Criteria) -> dict:
    out = {}
    for f in fields(Criteria):
        v = getattr(c, f.name)
        out[f.name] = v.total_seconds() if isinstance(v, timedelta) else v
    return out


def criteria_from_data(data: dict) -> Criteria:
    values = {}
    for f in fields(Criteria):
        if f.name not in data:
            continue
        v = data[f.name]
        values[f.name] = timedelta(seconds=v) if f.name in {"duration", "downtime"} and v is not None else v
    return Criteria(**values)


@dataclass(frozen=True)
class Clock:
    """Where an incident stands: its latest classification and, while major, its time limits."""

    major: bool
    classified_at: datetime | None = None
    classified_by: str | None = None
    rule: str | None = None
    met: tuple[str, ...] = ()
    major_since: datetime | None = None  # the classification as major the time limits count from
    aware_at: datetime | None = None
    stopped_at: datetime | None = None  # reclassified not major after being major
    deadlines: tuple[Deadline, ...] = ()
    reports: tuple[tuple[Stage, datetime], ...] = ()

    @property
    def next_deadline(self) -> Deadline | None:
        left = pending(list(self.deadlines))
        return left[0] if left else None


def clock_from(entries, *, tz: ZoneInfo, is_holiday: Callable[[date], bool], rule: WeekendRule) -> Clock | None:
    """The clock from CLASSIFIED and REPORT entries (bot.core.model.Entry), in time order.

    The time limits count from the first classification as major since the incident was last
    classified not major; reclassifying a major incident as major again does not restart them."""
    entries = sorted(entries, key=lambda e: e.at)
    classes = [e for e in entries if e.kind == "classified"]
    if not classes:
        return None
    latest = classes[-1]
    base = dict(classified_at=latest.at, classified_by=latest.author, rule=latest.data.get("rule"),
                met=tuple(latest.data.get("met") or ()))
    if not latest.data.get("major"):
        was_major = any(e.data.get("major") for e in classes)
        return Clock(False, stopped_at=latest.at if was_major else None, **base)
    since = latest
    for e in reversed(classes):
        if not e.data.get("major"):
            break
        since = e
    aware = datetime.fromisoformat(since.data["aware_at"]) if since.data.get("aware_at") else since.at
    reports = tuple((Stage(e.data["stage"]), e.at) for e in entries
                    if e.kind == "report" and e.data.get("stage") in set(Stage) and e.at >= since.at)
    initial = min((at for s, at in reports if s is Stage.INITIAL), default=None)
    intermediate = max((at for s, at in reports if s is Stage.INTERMEDIATE), default=None)
    final = min((at for s, at in reports if s is Stage.FINAL), default=None)
    limits = deadlines(aware_at=aware, major_at=since.at, tz=tz, is_holiday=is_holiday, rule=rule,
                       initial_at=initial, intermediate_at=intermediate, final_at=final)
    return Clock(True, major_since=since.at, aware_at=aware, deadlines=tuple(limits), reports=reports, **base)
