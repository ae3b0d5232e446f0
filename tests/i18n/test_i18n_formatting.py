"""Golden tests of dates, times, spans, durations and lists, checked against the example incident page."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from bot.i18n import Catalogs

PAGE_PATH = Path("/work/shared/examples/dalenys-tsr-2641.txt")
PAGE = PAGE_PATH.read_text(encoding="utf-8") if PAGE_PATH.exists() else None
PARIS = ZoneInfo("Europe/Paris")
needs_page = pytest.mark.skipif(PAGE is None, reason="example page not available")


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def cats():
    return Catalogs(languages=("fr", "en"), timezone="Europe/Paris")


@pytest.fixture(scope="module")
def fr(cats):
    return cats.lang("fr")


@pytest.fixture(scope="module")
def en(cats):
    return cats.lang("en")


# --- against the example page ---------------------------------------------------------------


@needs_page
def test_header_form_matches_the_page(fr, en):
    found = re.findall(r"(?:Début|Fin) / (?:Start|End) : (\d\d/\d\d/\d{4} \d\dh\d\d) (CET)", PAGE)
    assert len(found) == 2
    for text, zone in found:
        dt = datetime.strptime(text, "%d/%m/%Y %Hh%M").replace(tzinfo=PARIS).astimezone(timezone.utc)
        assert fr.datetime(dt) == f"{text} {zone}"
        assert en.datetime(dt) == f"{text.replace('h', ':')} {zone}"


@needs_page
def test_postmortem_moments_match_the_page(fr, en):
    french = re.findall(r"\*\*(\d{1,2} décembre \d{1,2}h\d\d)", PAGE)
    english = re.findall(r"\*\*(\d{1,2} December \d{1,2}:\d\d ?[ap]m)", PAGE)
    assert len(french) == len(english) == 11
    for fr_text, en_text in zip(french, english):
        day, _, clock = fr_text.split(" ")
        hour, minute = clock.split("h")
        dt = datetime(2025, 12, int(day), int(hour), int(minute), tzinfo=PARIS).astimezone(timezone.utc)
        assert fr.moment(dt) == fr_text
        # The page once writes "4:39 pm"; every other line has no space.
        assert en.moment(dt) == en_text.replace(" pm", "pm")


@needs_page
def test_duration_matches_the_page(fr, en):
    stamps = re.findall(r"Dec 04, 2025, (\d\d:\d\d [AP]M) UTC", PAGE)
    first, resolved = (datetime.strptime(f"04/12/2025 {s}", "%d/%m/%Y %I:%M %p") for s in (stamps[0], stamps[2]))
    lasting = re.search(r"lasting (\dh \d+m)\.", PAGE).group(1)
    assert en.duration(resolved - first) == lasting == "3h 34m"
    assert fr.duration(resolved - first) == "3 h 34 min"


@needs_page
def test_span_matches_the_page(fr, en):
    start, end = re.search(r"entre (\d\dh\d\d) et (\d\dh\d\d)", PAGE).groups()
    at = [datetime.strptime(f"04/12/2025 {t}", "%d/%m/%Y %Hh%M").replace(tzinfo=PARIS) for t in (start, end)]
    assert fr.span(*at) == f"{start} – {end} CET"
    assert en.span(*at) == "12:08 – 12:13 CET"


# --- dates and times --------------------------------------------------------------------------


def test_winter_and_summer_zone_abbreviations(fr, en):
    assert fr.datetime(utc(2025, 12, 4, 11, 8)) == "04/12/2025 12h08 CET"
    assert en.datetime(utc(2025, 12, 4, 11, 8)) == "04/12/2025 12:08 CET"
    assert fr.datetime(utc(2025, 7, 14, 9, 5)) == "14/07/2025 11h05 CEST"
    assert en.time(utc(2025, 7, 14, 9, 5)) == "11:05 CEST"
    assert fr.moment(utc(2025, 7, 14, 7, 5)) == "14 juillet 9h05"
    assert en.moment(utc(2025, 7, 14, 7, 5)) == "14 July 9:05am"


def test_time_shows_the_date_only_on_another_day(fr, en):
    now = utc(2025, 12, 4, 12, 0)
    assert fr.time(utc(2025, 12, 4, 11, 8), now=now) == "12h08 CET"
    assert fr.time(utc(2025, 12, 3, 22, 10), now=now) == "3 déc. 23h10 CET"
    assert en.time(utc(2025, 12, 3, 22, 10), now=now) == "3 Dec 23:10 CET"
    # 23:30 UTC on the 3rd is already the 4th in Paris: same local day, no date.
    assert fr.time(utc(2025, 12, 3, 23, 30), now=now) == "00h30 CET"
    # Another year: the full date.
    assert fr.time(utc(2024, 12, 31, 22, 10), now=utc(2025, 1, 2)) == "31/12/2024 23h10 CET"


def test_span_across_midnight_shows_both_dates(fr, en):
    start, end = utc(2025, 12, 3, 22, 10), utc(2025, 12, 3, 23, 20)
    assert fr.span(start, end) == "3 déc. 23h10 – 4 déc. 00h20 CET"
    assert en.span(start, end) == "3 Dec 23:10 – 4 Dec 00:20 CET"


def test_span_not_today_shows_the_date_once(fr):
    start, end = utc(2025, 12, 4, 11, 8), utc(2025, 12, 4, 11, 13)
    assert fr.span(start, end, now=utc(2025, 12, 4, 16)) == "12h08 – 12h13 CET"
    assert fr.span(start, end, now=utc(2025, 12, 5, 9)) == "4 déc. 12h08 – 12h13 CET"


def test_span_over_dst_changes_shows_both_zones(fr, en):
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    assert fr.span(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)) == "01h30 CET – 03h30 CEST"
    assert en.span(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)) == "01:30 CET – 03:30 CEST"
    # 25 October 2026: 03:00 CEST falls back to 02:00 CET; the same wall time twice.
    assert fr.span(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)) == "02h30 CEST – 02h30 CET"
    assert en.time(utc(2026, 10, 25, 0, 30)) == "02:30 CEST"
    assert en.time(utc(2026, 10, 25, 1, 30)) == "02:30 CET"


def test_naive_datetimes_are_refused(fr):
    with pytest.raises(ValueError, match="naive"):
        fr.datetime(datetime(2025, 12, 4, 12, 8))


def test_timezone_is_per_catalogs_not_global():
    ny = Catalogs(languages=("en",), timezone="America/New_York").lang("en")
    assert ny.time(utc(2025, 12, 4, 17, 8)) == "12:08 EST"


# --- durations and lists ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "delta, french, english",
    [
        (timedelta(minutes=5), "5 min", "5m"),
        (timedelta(minutes=19), "19 min", "19m"),
        (timedelta(hours=3, minutes=34, seconds=29), "3 h 34 min", "3h 34m"),
        (timedelta(minutes=59, seconds=30), "1 h", "1h"),
        (timedelta(days=1, hours=2), "1 j 2 h", "1d 2h"),
        (timedelta(days=2, minutes=1), "2 j 1 min", "2d 1m"),
        (timedelta(seconds=29), "0 min", "0m"),
        (timedelta(0), "0 min", "0m"),
    ],
)
def test_duration(fr, en, delta, french, english):
    assert fr.duration(delta) == french
    assert en.duration(delta) == english


def test_negative_duration_is_an_error(en):
    with pytest.raises(ValueError):
        en.duration(timedelta(minutes=-1))


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_english_duration_reads_back_as_the_rounded_minutes(en, delta):
    text = en.duration(delta)
    units = {"d": 24 * 60, "h": 60, "m": 1}
    total = sum(int(n.replace(",", "")) * units[u] for n, u in re.findall(r"([\d,]+)([dhm])", text))
    assert total == int((delta.total_seconds() + 30) // 60)


def test_list(fr, en):
    assert fr.list(["a", "b", "c"]) == "a, b et c"
    assert en.list(["a", "b", "c"]) == "a, b and c"  # en_GB, like the page's spelling
    assert fr.list(["a"]) == "a"
    assert fr.list([]) == ""
