from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.core.timeparse import TimeParseError, parse_when, split_leading_time

PARIS = ZoneInfo("Europe/Paris")
# Monday 8 December 2025, 10:00 CET.
NOW = datetime(2025, 12, 8, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Bare times: the latest past occurrence, so yesterday when later than 10:00 CET.
        ("09:30", utc(2025, 12, 8, 8, 30)),
        ("12:08", utc(2025, 12, 7, 11, 8)),
        ("12h08", utc(2025, 12, 7, 11, 8)),
        ("12h", utc(2025, 12, 7, 11, 0)),
        ("12:08pm", utc(2025, 12, 7, 11, 8)),
        ("9:15 a.m.", utc(2025, 12, 8, 8, 15)),
        ("16h39 CET", utc(2025, 12, 7, 15, 39)),
        ("16:39 PST", utc(2025, 12, 8, 0, 39)),  # 08:39 CET: earlier today in Paris
        ("04/12/2025 7:39 EST", utc(2025, 12, 4, 12, 39)),
        ("16:39 Europe/London", utc(2025, 12, 7, 16, 39)),
        ("04/12/2025 7:39 america/new_york", utc(2025, 12, 4, 12, 39)),
        ("04/07/2025 16h39 CEST", utc(2025, 7, 4, 14, 39)),
        ("04/07/2025 8:39 PDT", utc(2025, 7, 4, 15, 39)),
        ("04/12/2025 22:39 AEDT", utc(2025, 12, 4, 11, 39)),
        ("04/12/2025 20:39 JST", utc(2025, 12, 4, 11, 39)),
        ("04/12/2025 17:09 ACDT", utc(2025, 12, 4, 6, 39)),
        ("16:39 utc", utc(2025, 12, 7, 16, 39)),
        ("16:39 GMT", utc(2025, 12, 7, 16, 39)),
        ("16:39 +05:30", utc(2025, 12, 7, 11, 9)),
        ("16:39 UTC+1", utc(2025, 12, 7, 15, 39)),
        # Dates: day before month.
        ("04/12/2025 12h08", utc(2025, 12, 4, 11, 8)),
        ("04/12/25 12h08", utc(2025, 12, 4, 11, 8)),
        ("04/12 12h08", utc(2025, 12, 4, 11, 8)),
        ("4 décembre 12h08", utc(2025, 12, 4, 11, 8)),
        ("4 DÉCEMBRE 12H08", utc(2025, 12, 4, 11, 8)),
        ("4 dec. 12:08", utc(2025, 12, 4, 11, 8)),
        ("4 déc. à 12h08", utc(2025, 12, 4, 11, 8)),
        ("le 4 décembre 2025 à 12h08", utc(2025, 12, 4, 11, 8)),
        ("jeudi 4 décembre 12h08", utc(2025, 12, 4, 11, 8)),
        ("Dec 4 12:08pm", utc(2025, 12, 4, 11, 8)),
        ("Thursday, Dec 4 12:08pm", utc(2025, 12, 4, 11, 8)),
        ("December 4, 2025 12:08 PM", utc(2025, 12, 4, 11, 8)),
        ("1er décembre 9h", utc(2025, 12, 1, 8, 0)),
        ("2025-12-04T11:08Z", utc(2025, 12, 4, 11, 8)),
        ("2025-12-04 11:08:00+00:00", utc(2025, 12, 4, 11, 8)),
        ("2025-12-04 12:08", utc(2025, 12, 4, 11, 8)),
        # Relative days.
        ("hier 23h10", utc(2025, 12, 7, 22, 10)),
        ("yesterday 23:10", utc(2025, 12, 7, 22, 10)),
        ("Yesterday at 11:10pm", utc(2025, 12, 7, 22, 10)),
        ("avant-hier 8h", utc(2025, 12, 6, 7, 0)),
        ("aujourd'hui 9h", utc(2025, 12, 8, 8, 0)),
        ("aujourd’hui 9h", utc(2025, 12, 8, 8, 0)),
        ("today 9:00", utc(2025, 12, 8, 8, 0)),
        # French and English month names, with or without accents and dots.
        ("3 févr. 10h", utc(2025, 2, 3, 9, 0)),
        ("3 fevrier 10h", utc(2025, 2, 3, 9, 0)),
        ("3 feb 10:00", utc(2025, 2, 3, 9, 0)),
        ("3 janv. 10h", utc(2025, 1, 3, 9, 0)),
        ("3 mars 10h", utc(2025, 3, 3, 9, 0)),
        ("3 avr. 10h", utc(2025, 4, 3, 8, 0)),
        ("3 mai 10h", utc(2025, 5, 3, 8, 0)),
        ("3 juin 10h", utc(2025, 6, 3, 8, 0)),
        ("3 juil. 10h", utc(2025, 7, 3, 8, 0)),
        ("3 août 10h", utc(2025, 8, 3, 8, 0)),
        ("3 aout 10h", utc(2025, 8, 3, 8, 0)),
        ("3 sept. 10h", utc(2025, 9, 3, 8, 0)),
        ("3 octobre 10h", utc(2025, 10, 3, 8, 0)),
        ("3 nov. 10h", utc(2025, 11, 3, 9, 0)),
        # Summer: a wall time in Europe/Paris is CEST, two hours ahead of UTC.
        ("04/07/2025 12h08", utc(2025, 7, 4, 10, 8)),
        ("July 4 12:08pm", utc(2025, 7, 4, 10, 8)),
        # A date without a year is the latest one not after today.
        ("09/12 8h", utc(2024, 12, 9, 7, 0)),
        ("29/02 12h", utc(2024, 2, 29, 11, 0)),
    ],
)
def test_reads_times_as_people_type_them(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, tz=PARIS) == expected


def test_result_is_aware_utc() -> None:
    result = parse_when("12h08", now=NOW, tz=PARIS)
    assert result.tzinfo is UTC


def test_bare_time_after_now_is_yesterday_across_midnight() -> None:
    # 00:30 CET on 8 December; 23:50 is forty minutes ago, on the 7th.
    now = datetime(2025, 12, 8, 0, 30, tzinfo=PARIS)
    assert parse_when("23:50", now=now, tz=PARIS) == utc(2025, 12, 7, 22, 50)
    assert parse_when("00:10", now=now, tz=PARIS) == utc(2025, 12, 7, 23, 10)


def test_clock_skew_is_tolerated() -> None:
    now = datetime(2025, 12, 4, 12, 7, 30, tzinfo=PARIS)
    assert parse_when("12h08", now=now, tz=PARIS) == utc(2025, 12, 4, 11, 8)
    assert parse_when("04/12/2025 12h08", now=now, tz=PARIS) == utc(2025, 12, 4, 11, 8)
    with pytest.raises(TimeParseError) as caught:
        parse_when("04/12/2025 12h09", now=now, tz=PARIS)
    assert caught.value.code == "future"
    assert caught.value.params["at"] == utc(2025, 12, 4, 11, 9)


def test_date_without_year_later_today_is_future_not_last_year() -> None:
    now = datetime(2025, 12, 4, 12, 0, tzinfo=PARIS)
    with pytest.raises(TimeParseError) as caught:
        parse_when("4 déc 12h08", now=now, tz=PARIS)
    assert caught.value.code == "future"


class TestDaylightSaving:
    # Europe/Paris 2025: 02:00 CET -> 03:00 CEST on 30 March; 03:00 CEST -> 02:00 CET on 26 October.

    def test_nonexistent_wall_time_uses_the_offset_before_the_change(self) -> None:
        assert parse_when("30/03/2025 02h30", now=NOW, tz=PARIS) == utc(2025, 3, 30, 1, 30)

    def test_repeated_wall_time_is_the_first_one(self) -> None:
        assert parse_when("26/10/2025 02h30", now=NOW, tz=PARIS) == utc(2025, 10, 26, 0, 30)

    def test_explicit_zone_picks_the_second_one(self) -> None:
        assert parse_when("26/10/2025 02h30 CET", now=NOW, tz=PARIS) == utc(2025, 10, 26, 1, 30)

    def test_bare_times_on_the_change_day(self) -> None:
        now = datetime(2025, 3, 30, 12, 0, tzinfo=PARIS)  # 12:00 CEST = 10:00 UTC
        assert parse_when("01:30", now=now, tz=PARIS) == utc(2025, 3, 30, 0, 30)
        assert parse_when("03:30", now=now, tz=PARIS) == utc(2025, 3, 30, 1, 30)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "unreadable"),
        ("   ", "unreadable"),
        ("3 servers down", "unreadable"),
        ("EN", "unreadable"),
        ("FR 12h08", "unreadable"),
        ("12:08 EN", "unreadable"),
        ("12:08 IST", "unknown_zone"),
        ("12:08 Europe/Atlantis", "unknown_zone"),
        ("16:39 CEST", "zone_mismatch"),
        ("04/07/2025 16h39 CET", "zone_mismatch"),
        ("04/12/2025 8:39 PDT", "zone_mismatch"),
        ("2 h", "unreadable"),
        ("10 minutes", "unreadable"),
        ("4 12h08", "unreadable"),
        ("décembre 12h08", "unreadable"),
        ("hier aujourd'hui 12h", "unreadable"),
        ("hier 04/12 12h08", "unreadable"),
        ("04/12/2025", "no_time"),
        ("4 décembre", "no_time"),
        ("hier", "no_time"),
        ("31/02 12h08", "invalid_date"),
        ("31/04/2025 12h08", "invalid_date"),
        ("25:00", "invalid_date"),
        ("09/12/2025 12h08", "future"),
        ("today 23:00", "future"),
        ("2026-01-01T00:00Z", "future"),
    ],
)
def test_refusals_have_stable_codes(text: str, code: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_when(text, now=NOW, tz=PARIS)
    assert caught.value.code == code
    assert caught.value.params["text"] == text


# The example incident's key moments, 4 December 2025, Europe/Paris (CET, UTC+1).
EXAMPLE_MOMENTS = [(12, 8), (12, 13), (12, 21), (12, 30), (14, 16), (16, 39), (16, 53), (16, 54), (16, 56), (16, 58)]
EVENING = datetime(2025, 12, 4, 17, 30, tzinfo=PARIS)


@pytest.mark.parametrize(("hour", "minute"), EXAMPLE_MOMENTS)
def test_example_moments_typed_in_french_and_english_agree(hour: int, minute: int) -> None:
    expected = utc(2025, 12, 4, hour - 1, minute)
    twelve = f"{hour % 12 or 12}:{minute:02d}pm"
    typed = [
        f"{hour}h{minute:02d}",
        f"4 décembre {hour}h{minute:02d}",
        f"04/12/2025 {hour}h{minute:02d} CET",
        twelve,
        f"Dec 4 {twelve}",
        f"December 4, 2025 {twelve}",
    ]
    for text in typed:
        assert parse_when(text, now=EVENING, tz=PARIS) == expected, text


class TestSplitLeadingTime:
    @pytest.mark.parametrize(
        ("text", "expected", "rest"),
        [
            ("12h13 alerts raised", utc(2025, 12, 4, 11, 13), "alerts raised"),
            ("16h39 CET recurrence", utc(2025, 12, 4, 15, 39), "recurrence"),
            ("16h39 PST recurrence", utc(2025, 12, 5, 0, 39) - timedelta(days=1), "recurrence"),
            ("4 décembre 16h39 résurgence de l'incident", utc(2025, 12, 4, 15, 39), "résurgence de l'incident"),
            ("Dec 4 4:39pm recurrence", utc(2025, 12, 4, 15, 39), "recurrence"),
            ("04/12/2025 12h08", utc(2025, 12, 4, 11, 8), ""),
            ("12:08: start", utc(2025, 12, 4, 11, 8), "start"),
            ("12:08 a server failed", utc(2025, 12, 4, 11, 8), "a server failed"),
            ("12:08 and then more", utc(2025, 12, 4, 11, 8), "and then more"),
            ("12h08 à Paris", utc(2025, 12, 4, 11, 8), "à Paris"),
            ("12h13 EN alerts FR alertes", utc(2025, 12, 4, 11, 13), "EN alerts FR alertes"),
            ("12h13   FR  remontées\nd'alertes", utc(2025, 12, 4, 11, 13), "FR  remontées\nd'alertes"),
        ],
    )
    def test_splits_the_leading_time(self, text: str, expected: datetime, rest: str) -> None:
        assert split_leading_time(text, now=EVENING, tz=PARIS) == (expected, rest)

    @pytest.mark.parametrize(
        "text",
        [
            "3 servers down",
            "EN We have identified",
            "FR Nous avons rencontré",
            "  recurrence  ",
            "2 h of downtime",
            "10 minutes later",
            "may 3 servers",
            "sun is shining",
            "2025 was calm",
            "",
        ],
    )
    def test_ordinary_text_has_no_time(self, text: str) -> None:
        assert split_leading_time(text, now=EVENING, tz=PARIS) == (None, text.strip())

    def test_future_leading_time_is_refused_not_swallowed(self) -> None:
        with pytest.raises(TimeParseError) as caught:
            split_leading_time("05/12/2025 12h08 alerts", now=EVENING, tz=PARIS)
        assert caught.value.code == "future"

    @pytest.mark.parametrize(("text", "code"), [("16h39 CEST recurrence", "zone_mismatch"),
                                                ("16h39 IST recurrence", "unknown_zone"),
                                                ("16h39 AEST recurrence", "zone_mismatch"),
                                                ("16h39 Europe/Atlantis recurrence", "unknown_zone")])
    def test_a_zone_is_never_dropped_into_the_text(self, text: str, code: str) -> None:
        with pytest.raises(TimeParseError) as caught:
            split_leading_time(text, now=EVENING, tz=PARIS)
        assert caught.value.code == code

    def test_french_and_spanish_words_for_is_are_not_zones(self) -> None:
        assert split_leading_time("12h08 est le début", now=EVENING, tz=PARIS)[1] == "est le début"

    @pytest.mark.parametrize("rest", ["GET requests fail", "PUT /api 500", "NOT reproduced", "API down"])
    def test_capitals_that_are_no_zone_stay_text(self, rest: str) -> None:
        assert split_leading_time(f"12h08 {rest}", now=EVENING, tz=PARIS) == (utc(2025, 12, 4, 11, 8), rest)

    def test_impossible_leading_date_is_refused(self) -> None:
        with pytest.raises(TimeParseError) as caught:
            split_leading_time("31/02 12h08 alerts", now=EVENING, tz=PARIS)
        assert caught.value.code == "invalid_date"


# Text that reaches deep into the parser: numbers, separators and the words it knows.
_FRAGMENTS = st.sampled_from(
    [
        "12", "4", "31", "2025", "0", "99", "12h08", "12h", "h", ":", "/", "-", ".", ",", "+", "T", "Z",
        "CET", "CEST", "UTC", "UTC+1", "+01:00", "pm", "a.m.", "EN", "FR", "décembre", "févr.", "mar", "May",
        "hier", "today", "aujourd'hui", "jeudi", "sun", "à", "at", "and", "1er", "9999", "0001", " ", "  ",
    ]
)
TIMEISH = st.lists(_FRAGMENTS, max_size=8).map("".join) | st.lists(_FRAGMENTS, max_size=8).map(" ".join)
ZONES = st.sampled_from([PARIS, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
NOWS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))


@given(text=st.text() | TIMEISH, now=NOWS, tz=ZONES)
@example(text="01/01/0001 00:30 CEST", now=NOW, tz=PARIS)
@example(text="31/12/9999 23:30 -05:00", now=NOW, tz=PARIS)
def test_no_input_raises_anything_but_time_parse_error(text: str, now: datetime, tz: ZoneInfo) -> None:
    try:
        result = parse_when(text, now=now, tz=tz)
    except TimeParseError:
        return
    assert result.tzinfo is UTC


@given(text=st.text() | TIMEISH, now=NOWS, tz=ZONES)
def test_split_leading_time_never_loses_text(text: str, now: datetime, tz: ZoneInfo) -> None:
    try:
        moment, rest = split_leading_time(text, now=now, tz=tz)
    except TimeParseError:
        return
    if moment is None:
        assert rest == text.strip()
    else:
        assert text.strip().endswith(rest)
        assert len(rest) < len(text.strip())


# Instants at minute precision, not after REFERENCE_NOW.
REFERENCE_NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
INSTANTS = st.integers(
    min_value=int(datetime(1971, 1, 1, tzinfo=UTC).timestamp()) // 60,
    max_value=int(REFERENCE_NOW.timestamp()) // 60,
).map(lambda minutes: datetime.fromtimestamp(minutes * 60, UTC))


def _in_a_fold(local: datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


@given(instant=INSTANTS, tz=ZONES)
@example(instant=utc(2025, 12, 4, 11, 8), tz=PARIS)
@example(instant=utc(2025, 3, 30, 1, 0), tz=PARIS)  # 03:00 CEST, first minute after the gap
def test_formatting_then_parsing_returns_the_instant(instant: datetime, tz: ZoneInfo) -> None:
    local = instant.astimezone(tz)
    assume(not _in_a_fold(local))
    for text in (local.strftime("%d/%m/%Y %Hh%M"), local.strftime("%b %d %Y %I:%M%p"), local.isoformat()):
        assert parse_when(text, now=REFERENCE_NOW, tz=tz) == instant, text


@given(instant=INSTANTS, tz=ZONES)
def test_bare_time_is_within_the_last_day(instant: datetime, tz: ZoneInfo) -> None:
    now = instant + timedelta(hours=5)
    result = parse_when(instant.astimezone(tz).strftime("%Hh%M"), now=now, tz=tz)
    assert now - timedelta(days=1, hours=1) <= result <= now + timedelta(minutes=1)
    assert result.astimezone(tz).strftime("%H:%M") == instant.astimezone(tz).strftime("%H:%M")
