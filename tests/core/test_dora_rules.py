"""The DORA rules on tables of cases drawn from the articles (2024/1772 Art. 8-9, 2025/301 Art. 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from dataclasses import replace as replace_

from bot.core.dora import (Criteria, Past, Stage, Threshold, WeekendRule, add_month, assess, classify, deadlines,
                           easter, french_holidays, holiday_checker, thresholds_met)

T = Threshold
CRIT = dict(critical_functions=True)
PARIS = ZoneInfo("Europe/Paris")
FR = holiday_checker("FR")

# (case, criteria, thresholds met) — Art. 9 of 2024/1772, each condition at and just over its figure.
THRESHOLDS = [
    ("9(1)(a) 10 % of clients is not over", Criteria(clients_affected=100, clients_total=1000), ()),
    ("9(1)(a) over 10 % of clients", Criteria(clients_affected=101, clients_total=1000), (T.CLIENTS,)),
    ("9(1)(b) 100 000 clients is not over", Criteria(clients_affected=100_000), ()),
    ("9(1)(b) over 100 000 clients", Criteria(clients_affected=100_001), (T.CLIENTS,)),
    ("9(1)(c) 30 % of counterparts is not over", Criteria(counterparts_affected=3, counterparts_total=10), ()),
    ("9(1)(c) over 30 % of counterparts", Criteria(counterparts_affected=31, counterparts_total=100), (T.CLIENTS,)),
    ("9(1)(d) over 10 % of daily transactions", Criteria(transactions_affected=1001, transactions_daily=10_000), (T.CLIENTS,)),
    ("9(1)(d) 10 % of daily transactions", Criteria(transactions_affected=1000, transactions_daily=10_000), ()),
    ("9(1)(e) over 10 % of the daily value", Criteria(value_affected=500_001, value_daily=5_000_000), (T.CLIENTS,)),
    ("9(1)(f) relevant clients affected", Criteria(relevant_clients=True), (T.CLIENTS,)),
    ("9(1) unknown totals meet nothing", Criteria(clients_affected=50, counterparts_affected=3), ()),
    ("9(2) reputational impact", Criteria(reputational=True), (T.REPUTATION,)),
    ("9(3)(a) 24 hours is not longer", Criteria(duration=timedelta(hours=24)), ()),
    ("9(3)(a) longer than 24 hours", Criteria(duration=timedelta(hours=24, minutes=1)), (T.DURATION,)),
    ("9(3)(b) downtime 2 hours is not longer", Criteria(downtime=timedelta(hours=2), **CRIT), ()),
    ("9(3)(b) downtime over 2 hours, critical functions", Criteria(downtime=timedelta(hours=2, minutes=1), **CRIT), (T.DURATION,)),
    ("9(3)(b) downtime over 2 hours of a non-critical service", Criteria(downtime=timedelta(hours=3)), ()),
    ("9(4) one Member State", Criteria(member_states=1), ()),
    ("9(4) two Member States", Criteria(member_states=2), (T.GEOGRAPHY,)),
    ("9(5)(a) data losses", Criteria(data_losses=True), (T.DATA,)),
    ("9(5)(b) malicious access", Criteria(malicious_access=True), (T.MALICIOUS_ACCESS,)),
    ("9(6) EUR 100 000 is not over", Criteria(economic_eur=100_000), ()),
    ("9(6) over EUR 100 000", Criteria(economic_eur=100_000.01), (T.ECONOMIC,)),
]


@pytest.mark.parametrize("case,criteria,met", THRESHOLDS, ids=[c[0] for c in THRESHOLDS])
def test_each_materiality_threshold(case, criteria, met):
    assert thresholds_met(criteria) == met


# (case, criteria, major, rule) — Art. 8(1) of 2024/1772.
MAJOR = [
    ("no critical service, every threshold", Criteria(clients_affected=200_000, reputational=True, member_states=3,
                                                      economic_eur=1e6), False, "no_critical_service"),
    ("critical, one threshold", Criteria(clients_affected=200_000, **CRIT), False, "below_thresholds"),
    ("critical, two thresholds", Criteria(clients_affected=200_000, reputational=True, **CRIT), True, "8(1)(b)"),
    ("supervised services (6(b)), two thresholds", Criteria(supervised_services=True, member_states=2,
                                                            economic_eur=150_000), True, "8(1)(b)"),
    ("two conditions of the same criterion count once", Criteria(clients_affected=200_000, relevant_clients=True,
                                                                  **CRIT), False, "below_thresholds"),
    ("long duration and downtime are one criterion", Criteria(duration=timedelta(days=2), downtime=timedelta(hours=5),
                                                              **CRIT), False, "below_thresholds"),
    ("malicious access alone (6(c), 9(5)(b), 8(1)(a))", Criteria(malicious_access=True), True, "8(1)(a)"),
    ("data losses (9(5)(a)) alone is one threshold", Criteria(data_losses=True, **CRIT), False, "below_thresholds"),
    ("data losses and economic impact", Criteria(data_losses=True, economic_eur=200_000, **CRIT), True, "8(1)(b)"),
    ("nothing known", Criteria(**CRIT), False, "below_thresholds"),
]


@pytest.mark.parametrize("case,criteria,major,rule", MAJOR, ids=[c[0] for c in MAJOR])
def test_the_rule_for_major(case, criteria, major, rule):
    result = classify(criteria)
    assert (result.major, result.rule) == (major, rule)


JAN = datetime(2026, 1, 10, tzinfo=timezone.utc)
SMALL = Criteria(clients_affected=60_000, reputational=False, **CRIT)  # below 100 000: no threshold alone

# (case, current, earlier, applies, major) — Art. 8(2) of 2024/1772, recurring incidents.
RECURRING = [
    ("twice within 6 months, same cause, together over 100 000 clients and reputational",
     Past(JAN + timedelta(days=90), "config", replace_(SMALL, reputational=True)),
     [Past(JAN, "config", SMALL)], True, True),
    ("a different apparent root cause", Past(JAN + timedelta(days=90), "config", replace_(SMALL, reputational=True)),
     [Past(JAN, "network", SMALL)], True, False),
    ("more than 6 months apart", Past(JAN + timedelta(days=200), "config", replace_(SMALL, reputational=True)),
     [Past(JAN, "config", SMALL)], True, False),
    ("together still below two thresholds", Past(JAN + timedelta(days=30), "config", SMALL),
     [Past(JAN, "config", Criteria(clients_affected=10, **CRIT))], True, False),
    ("microenterprise or Art. 16(1) entity: the rule does not apply",
     Past(JAN + timedelta(days=90), "config", replace_(SMALL, reputational=True)),
     [Past(JAN, "config", SMALL)], False, False),
    ("only once", Past(JAN, "config", replace_(SMALL, reputational=True)), [], True, False),
]


@pytest.mark.parametrize("case,current,earlier,applies,major", RECURRING, ids=[c[0] for c in RECURRING])
def test_recurring_incidents(case, current, earlier, applies, major):
    result = assess(current, earlier, recurring_applies=applies)
    assert result.major is major
    if major:
        assert result.rule == "8(2)"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(timezone.utc)


def test_initial_is_4_hours_after_major_within_24_hours_of_awareness():
    d, = deadlines(aware_at=paris(2026, 3, 3, 9, 0), major_at=paris(2026, 3, 3, 10, 0), tz=PARIS, is_holiday=FR)
    assert (d.stage, d.due, d.extended) == (Stage.INITIAL, paris(2026, 3, 3, 14, 0), False)


def test_initial_never_later_than_24_hours_after_awareness():
    d, = deadlines(aware_at=paris(2026, 3, 3, 9, 0), major_at=paris(2026, 3, 4, 7, 0), tz=PARIS, is_holiday=FR)
    assert d.due == paris(2026, 3, 4, 9, 0)


def test_classified_major_after_the_first_24_hours_gets_4_hours():  # Art. 5(2) of 2025/301
    d, = deadlines(aware_at=paris(2026, 3, 3, 9, 0), major_at=paris(2026, 3, 5, 9, 0), tz=PARIS, is_holiday=FR)
    assert d.due == paris(2026, 3, 5, 13, 0)


def test_friday_evening_major_across_the_daylight_saving_change():
    """Classified major on Friday 23 October 2026 at 20:30 in Paris (summer time, UTC+2): the 4 hours
    end on Saturday 00:30, a weekend day, so Art. 5(4) gives Monday 26 October at noon — in winter
    time (UTC+1) since the clocks went back on Sunday 25: 11:00 UTC, not 10:00."""
    aware, major = paris(2026, 10, 23, 18, 0), paris(2026, 10, 23, 20, 30)
    assert major == datetime(2026, 10, 23, 18, 30, tzinfo=timezone.utc)
    initial, = deadlines(aware_at=aware, major_at=major, tz=PARIS, is_holiday=FR)
    assert initial.raw == datetime(2026, 10, 23, 22, 30, tzinfo=timezone.utc)
    assert initial.due == datetime(2026, 10, 26, 11, 0, tzinfo=timezone.utc)
    assert initial.due.astimezone(PARIS).hour == 12 and initial.extended

    # Submitted on Monday at 09:00 Paris; the intermediate report is due 72 hours later, a Thursday.
    sent = paris(2026, 10, 26, 9, 0)
    _, intermediate = deadlines(aware_at=aware, major_at=major, tz=PARIS, is_holiday=FR, initial_at=sent)
    assert intermediate.due == paris(2026, 10, 29, 9, 0) and not intermediate.extended

    # The intermediate on Thursday 29 October at 15:00: the final one month later falls on Sunday
    # 29 November, so noon on Monday 30 November.
    _, _, final = deadlines(aware_at=aware, major_at=major, tz=PARIS, is_holiday=FR, initial_at=sent,
                            intermediate_at=paris(2026, 10, 29, 15, 0))
    assert final.raw == paris(2026, 11, 29, 15, 0)
    assert final.due == paris(2026, 11, 30, 12, 0)


def test_art_5_5_entities_keep_the_weekend_for_the_final_report_only():
    aware, major = paris(2026, 10, 23, 18, 0), paris(2026, 10, 23, 20, 30)
    initial, = deadlines(aware_at=aware, major_at=major, tz=PARIS, is_holiday=FR, rule=WeekendRule.FINAL_ONLY)
    assert initial.due == initial.raw == paris(2026, 10, 24, 0, 30)
    *_, final = deadlines(aware_at=aware, major_at=major, tz=PARIS, is_holiday=FR, rule=WeekendRule.FINAL_ONLY,
                          initial_at=paris(2026, 10, 24, 0, 0), intermediate_at=paris(2026, 10, 29, 15, 0))
    assert final.due == paris(2026, 11, 30, 12, 0)


def test_public_holidays_count_like_weekends():
    # Armistice day, Wednesday 11 November 2026: the limit moves to noon on Thursday 12.
    d, = deadlines(aware_at=paris(2026, 11, 11, 8, 0), major_at=paris(2026, 11, 11, 9, 0), tz=PARIS, is_holiday=FR)
    assert d.due == paris(2026, 11, 12, 12, 0)
    # Friday 25 December, then the weekend: Monday 28 at noon.
    d, = deadlines(aware_at=paris(2026, 12, 24, 22, 0), major_at=paris(2026, 12, 24, 23, 0), tz=PARIS, is_holiday=FR)
    assert d.due == paris(2026, 12, 28, 12, 0)
    d, = deadlines(aware_at=paris(2026, 12, 24, 22, 0), major_at=paris(2026, 12, 24, 23, 0), tz=PARIS, is_holiday=FR,
                   rule=WeekendRule.OFF)
    assert d.due == paris(2026, 12, 25, 3, 0)


def test_calendar_pieces():
    assert easter(2025) == date(2025, 4, 20) and easter(2026) == date(2026, 4, 5) and easter(2027) == date(2027, 3, 28)
    assert date(2026, 5, 14) in french_holidays(2026)  # Ascension
    assert date(2026, 5, 25) in french_holidays(2026)  # Whit Monday
    assert holiday_checker("2026-12-24")(date(2026, 12, 24))
    assert add_month(paris(2026, 1, 31, 10, 0), PARIS) == paris(2026, 2, 28, 10, 0)
    with pytest.raises(ValueError):
        holiday_checker("XX")
