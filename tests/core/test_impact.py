"""Impact windows, their validation and the postmortem figures, replaying incident TSR-2641."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.impact import (
    alert_mark,
    ImpactError,
    Window,
    check_impact_end,
    check_impact_start,
    figures,
    impact_windows,
)
from bot.core.model import Entry, EntryKind, Incident

PARIS = ZoneInfo("Europe/Paris")
K = EntryKind


def at(hhmm: str, day: int = 4) -> datetime:
    """A local Paris time on December `day` 2025, as the aware UTC datetime the model stores."""
    h, m = map(int, hhmm.split(":"))
    return datetime(2025, 12, day, h, m, tzinfo=PARIS).astimezone(timezone.utc)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


# The example page's timeline: (kind, local time, alert?)
TSR_2641 = [
    (K.IMPACT_START, "12:08", False),
    (K.DECLARED, "12:13", True),
    (K.IMPACT_END, "12:13", False),
    (K.EVENT, "12:21", False),
    (K.EVENT, "12:30", False),
    (K.EVENT, "14:16", False),
    (K.REOPENED, "16:39", False),
    (K.EVENT, "16:53", True),
    (K.EVENT, "16:54", False),
    (K.EVENT, "16:56", False),
    (K.IMPACT_END, "16:58", False),
]


def timeline(rows=TSR_2641) -> list[Entry]:
    return [Entry(kind, at(t), data={"alert": True} if alert else {}) for kind, t, alert in rows]


def incident(resolved: str | None = "17:10", declared: str = "12:13") -> Incident:
    return Incident(
        ref="TSR-2641",
        number=2641,
        title={"en": "Payment platform disruptions"},
        declared_at=at(declared),
        resolved_at=at(resolved) if resolved else None,
    )


def test_windows_of_the_example():
    assert impact_windows(timeline()) == [
        Window(at("12:08"), at("12:13")),
        Window(at("16:39"), at("16:58"), recurrence=True),
    ]


def test_windows_follow_time_not_recording_order():
    entries = timeline()
    assert impact_windows(list(reversed(entries[6:])) + entries[:6]) == impact_windows(entries)


def test_same_minute_keeps_the_given_order():
    start_end = [Entry(K.IMPACT_START, at("12:08")), Entry(K.IMPACT_END, at("12:08"))]
    assert impact_windows(start_end) == [Window(at("12:08"), at("12:08"))]
    assert impact_windows(list(reversed(start_end))) == [Window(at("12:08"))]


def test_an_open_window_has_no_end():
    assert impact_windows(timeline()[:8]) == [
        Window(at("12:08"), at("12:13")),
        Window(at("16:39"), None, recurrence=True),
    ]


def test_figures_of_the_example():
    f = figures(incident(), timeline(), now=at("18:00", day=8))
    assert f.impacts == (minutes(5), minutes(19))
    assert f.total_impact == minutes(24)
    assert f.time_to_detect == minutes(5)
    assert f.time_to_resolve == timedelta(hours=5, minutes=2)  # 12:08 -> 17:10
    assert f.duration == timedelta(hours=5, minutes=2)


def test_duration_ends_at_the_last_impact_end_when_resolution_came_before_it():
    f = figures(incident(resolved="16:08"), timeline(), now=at("18:00"))
    assert f.duration == timedelta(hours=4, minutes=50)  # 12:08 -> 16:58
    assert f.time_to_resolve == timedelta(hours=4)


def test_open_window_counts_up_to_now():
    f = figures(incident(resolved=None), timeline()[:8], now=at("16:50"))
    assert f.impacts == (minutes(5), minutes(11))
    assert f.total_impact == minutes(16)
    assert f.time_to_resolve is None
    assert f.duration is None


def test_an_alert_event_before_the_declaration_is_the_detection():
    rows = [(K.IMPACT_START, "12:00", False), (K.EVENT, "12:04", True), (K.DECLARED, "12:13", False)]
    f = figures(incident(declared="12:13"), timeline(rows), now=at("13:00"))
    assert f.time_to_detect == minutes(4)


def test_an_event_without_alert_is_not_a_detection():
    rows = [(K.IMPACT_START, "12:00", False), (K.EVENT, "12:04", False), (K.DECLARED, "12:13", False)]
    f = figures(incident(declared="12:13"), timeline(rows), now=at("13:00"))
    assert f.time_to_detect == minutes(13)


def test_without_impact_figures_start_at_the_declaration():
    f = figures(incident(resolved="13:00"), timeline([(K.DECLARED, "12:13", False)]), now=at("14:00"))
    assert f.windows == () and f.total_impact is None and f.time_to_detect is None
    assert f.time_to_resolve == minutes(47)
    assert f.duration == minutes(47)


def test_declaration_field_is_used_when_there_is_no_declared_entry():
    f = figures(incident(declared="12:10"), timeline([(K.IMPACT_START, "12:08", False)]), now=at("12:30"))
    assert f.time_to_detect == minutes(2)


def error_code(check, entries, when) -> str | None:
    try:
        check(entries, when)
    except ImpactError as e:
        return e.code
    return None


def test_a_start_while_a_window_is_open_is_refused():
    with pytest.raises(ImpactError) as caught:
        check_impact_start(timeline()[:8], at("17:00"))
    assert caught.value.code == "already_open"
    assert caught.value.params == {"since": at("16:39")}


@pytest.mark.parametrize(
    "when, code",
    [
        ("12:10", "overlap"),  # inside the first window
        ("12:08", "overlap"),
        ("16:40", "overlap"),
        ("12:00", "overlap"),  # an open window from 12:00 would swallow both windows
        ("14:00", "overlap"),  # ... or the second one
        ("12:13", "overlap"),  # after the first window but before the second
        ("16:58", None),  # touching the end of a window is fine
        ("17:30", None),
    ],
)
def test_start_validation(when, code):
    assert error_code(check_impact_start, timeline(), at(when)) == code


def test_a_start_touching_the_end_of_the_last_window_is_accepted():
    check_impact_start(timeline(TSR_2641[:3]), at("12:13"))


def test_overlap_names_the_window_it_collides_with():
    with pytest.raises(ImpactError) as caught:
        check_impact_start(timeline(), at("16:40"))
    assert caught.value.params == {"start": at("16:39"), "end": at("16:58")}


@pytest.mark.parametrize(
    "rows, when, code",
    [
        (TSR_2641, "17:30", "none_open"),
        ([], "12:00", "none_open"),
        (TSR_2641[:8], "16:39", "end_before_start"),
        (TSR_2641[:8], "16:00", "end_before_start"),
        (TSR_2641[:8], "16:58", None),
        (TSR_2641[:1], "12:13", None),
    ],
)
def test_end_validation(rows, when, code):
    assert error_code(check_impact_end, timeline(rows), at(when)) == code


def test_accepted_entries_replay_to_the_checked_windows():
    entries: list[Entry] = []
    for kind, when in [(K.IMPACT_START, "12:08"), (K.IMPACT_END, "12:13"), (K.REOPENED, "16:39"), (K.IMPACT_END, "16:58")]:
        check = check_impact_end if kind is K.IMPACT_END else check_impact_start
        check(entries, at(when))
        entries.append(Entry(kind, at(when)))
    assert [(w.start, w.end) for w in impact_windows(entries)] == [
        (at("12:08"), at("12:13")),
        (at("16:39"), at("16:58")),
    ]


def test_an_alert_before_the_impact_means_zero_time_to_detect():
    rows = [(K.EVENT, "11:50", True), (K.IMPACT_START, "12:00", False), (K.DECLARED, "12:13", False)]
    f = figures(incident(declared="12:13"), timeline(rows), now=at("13:00"))
    assert f.time_to_detect == timedelta(0)


def test_a_forgotten_window_fits_between_recorded_ones_and_nothing_overlaps():
    from datetime import datetime, timedelta, timezone

    from bot.core.impact import ImpactError, check_impact_window, impact_windows
    from bot.core.model import Entry, EntryKind

    t = datetime(2025, 12, 4, 11, 0, tzinfo=timezone.utc)
    m = lambda minutes: t + timedelta(minutes=minutes)  # noqa: E731
    later = [Entry(EntryKind.IMPACT_START, m(60)), Entry(EntryKind.IMPACT_END, m(80)), Entry(EntryKind.REOPENED, m(120))]
    check_impact_window(later, m(0), m(10))  # before everything
    check_impact_window(later, m(80), m(90))  # touching the end of a window is fine
    for start, end, code in ((m(10), m(0), "end_before_start"), (m(50), m(61), "overlap"),
                             (m(70), m(75), "overlap"), (m(100), m(130), "overlap"), (m(200), m(210), "overlap"),
                             (m(50), m(60), "overlap")):  # ending where the next starts would swallow it
        with pytest.raises(ImpactError) as e:
            check_impact_window(later, start, end)
        assert e.value.code == code, (start, end)
    added = later + [Entry(EntryKind.IMPACT_START, m(0)), Entry(EntryKind.IMPACT_END, m(10))]
    assert [(w.start, w.end) for w in impact_windows(added)][:2] == [(m(0), m(10)), (m(60), m(80))]


def test_a_chat_message_marked_as_the_alert_is_the_detection_while_it_stays_key():
    alert = Entry(K.MESSAGE, at("12:05"), text="PagerDuty: acquirer link down", key=True, data={"alert": True})
    rows = [Entry(K.IMPACT_START, at("12:00")), alert, Entry(K.DECLARED, at("12:13"))]
    assert figures(incident(), rows, now=at("13:00")).time_to_detect == minutes(5)
    unmarked = Entry(K.MESSAGE, at("12:05"), key=False, data={"alert": True})
    assert figures(incident(), [rows[0], unmarked, rows[2]], now=at("13:00")).time_to_detect == minutes(13)


@pytest.mark.parametrize("text, expected", [
    ("🚨 alerts raised", (True, "alerts raised")),
    ("  :rotating_light: alertes", (True, "alertes")),
    ("alerts raised 🚨", (False, "alerts raised 🚨")),
    ("FR remontées EN raised", (False, "FR remontées EN raised")),
    ("", (False, "")),
])
def test_the_alert_mark_is_read_at_the_start_only(text, expected):
    assert alert_mark(text) == expected
