"""Times as people type them in commands: ``12h08``, ``4 décembre 16h39``, ``Dec 4 4:39pm``, ISO 8601.

``parse_when`` returns an aware UTC datetime or raises :class:`TimeParseError`, whose ``code`` the Slack
edge turns into a translated message. The codes are stable:

``unreadable``
    not a time we understand (params: ``text``).
``no_time``
    a date without a time of day, e.g. ``04/12/2025`` (params: ``text``).
``invalid_date``
    looks like a date or time but does not exist, e.g. ``31/02 12h08`` or ``25:00`` (params: ``text``).
``future``
    a date and time more than :data:`CLOCK_SKEW` ahead of now (params: ``text``, ``at``: the UTC instant).

Reading rules:

- day before month: ``04/12`` is 4 December; a leading four-digit year (``2025-12-04``) means ISO order;
- without a zone the time is read in the configured zone ``tz``; accepted zones are ``UTC``, ``GMT``,
  ``Z``, ``CET`` (+01:00), ``CEST`` (+02:00) and numeric offsets (``+01:00``, ``+0100``, ``UTC+1``);
- a bare time (no date) is its latest past occurrence: ``23:50`` typed at 00:30 is yesterday;
- ``hier``/``yesterday``, ``aujourd'hui``/``today``, ``avant-hier`` give the day; weekday names are ignored;
- a date without a year is the latest such date not after today; if that date at that time is still ahead
  (``4 déc 12h08`` typed on 4 December at 12h00), it is refused as ``future`` rather than moved a year back;
- a wall time that does not exist or happens twice at a DST change is read with ``fold=0``: the offset in
  force before the change. So in Europe/Paris ``02:30`` on the spring-forward day is 01:30 UTC (shown as
  03:30 CEST), and ``02:30`` on the fall-back day is the first one, in summer time (00:30 UTC).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from bot.core.errors import Refusal

# A typed time this far ahead of the server clock is still accepted (clocks and people drift).
CLOCK_SKEW = timedelta(minutes=1)

# The most words a leading time may span: "jeudi 4 décembre 2025 à 12h08 CET" has seven.
MAX_TIME_WORDS = 8


class TimeParseError(Refusal, ValueError):
    """A typed time we refuse; ``code`` is one of the codes in the module docstring."""


class _Info(dateutil_parser.parserinfo):
    """English and French names; text reaches the parser lower-cased and with accents folded."""

    # "a" is "à" without its accent; "er" is the French ordinal of "1er décembre".
    JUMP = [*dateutil_parser.parserinfo.JUMP, "a", "le", "er"]
    # "mar" is left to March: it is also the abbreviation of "mardi".
    WEEKDAYS = [
        ("mon", "monday", "lun", "lundi"),
        ("tue", "tues", "tuesday", "mardi"),
        ("wed", "wednesday", "mer", "mercredi"),
        ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
        ("fri", "friday", "ven", "vendredi"),
        ("sat", "saturday", "sam", "samedi"),
        ("sun", "sunday", "dim", "dimanche"),
    ]
    MONTHS = [
        ("jan", "january", "janv", "janvier"),
        ("feb", "febr", "february", "fev", "fevr", "fevrier"),
        ("mar", "march", "mars"),
        ("apr", "april", "avr", "avril"),
        ("may", "mai"),
        ("jun", "june", "juin"),
        ("jul", "july", "juil", "juillet"),
        ("aug", "august", "aou", "aout"),
        ("sep", "sept", "september", "septembre"),
        ("oct", "october", "octobre"),
        ("nov", "november", "novembre"),
        ("dec", "december", "decembre"),
    ]
    # No unit words: "2 h of downtime" or "10 minutes" must not read as a clock time.
    # French "12h08" is rewritten to "12:08" before parsing.
    HMS: list[tuple[str, ...]] = []
    # Without the single letters: "12:08 a server failed" is not 00:08.
    AMPM = [("am",), ("pm",)]


_INFO = _Info(dayfirst=True)
_PARSER = dateutil_parser.parser(_INFO)

_ZONES: dict[str, tzinfo] = {
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "CET": timezone(timedelta(hours=1), "CET"),
    "CEST": timezone(timedelta(hours=2), "CEST"),
}

_DAY_WORDS = {
    "avant-hier": -2,
    "hier": -1,
    "yesterday": -1,
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "today": 0,
}
_DAY_WORD_RE = re.compile(
    r"(?<![\w'-])(" + "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True)) + r")(?![\w'-])"
)
_FRENCH_CLOCK_RE = re.compile(r"\b(\d{1,2})h(\d\d)?\b")  # 12h08, 12h
_AM_PM_DOTS_RE = re.compile(r"\b([ap])\.m\b\.?")  # a.m., p.m.
_DOT_AFTER_LETTER_RE = re.compile(r"(?<=[a-z])\.")  # "déc.", "févr."
_NAMED_OFFSET_RE = re.compile(r"\b(?:utc|gmt)(?=[+-]\d)")  # "utc+1" is +01:00, not POSIX's reversed sign
_ZONE_WORD_RE = re.compile(r"\b(cest|cet|utc|gmt)\b")
_ISO_ORDER_RE = re.compile(r"\d{4}[-/.]\d")
_CLOCK_LIKE_RE = re.compile(r"\d[:h]\d\d")


@dataclass(frozen=True)
class _Fields:
    """What the text gave; ``None`` for what it did not say."""

    year: int | None
    month: int | None
    day: int | None
    hour: int | None
    clock: time  # the time of day, unspecified parts as zero
    zone: tzinfo | None


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Read ``text`` as a moment, relative to ``now`` (aware) in zone ``tz``; return it in UTC."""
    cleaned, day_shift = _normalise(text)
    if day_shift is not None and not cleaned:
        raise TimeParseError("no_time", text=text)  # "hier" alone
    fields = _fields(cleaned, original=text)
    if fields.hour is None:
        raise TimeParseError("no_time" if day_shift is not None or _has_date(fields) else "unreadable", text=text)
    zone = fields.zone or tz
    today = now.astimezone(zone).date()
    if day_shift is not None:
        if _has_date(fields):
            raise TimeParseError("unreadable", text=text)  # "hier 04/12 12h08": which one?
        return _checked(_at(today + timedelta(days=day_shift), fields.clock, zone, text=text), now=now, text=text)
    if not _has_date(fields):
        moment = _at(today, fields.clock, zone, text=text)
        if moment > now + CLOCK_SKEW:
            moment = _at(today - timedelta(days=1), fields.clock, zone, text=text)
        return moment
    if fields.month is None or fields.day is None:
        raise TimeParseError("unreadable", text=text)  # "4 12h08", "décembre 12h08", "2025 12h08"
    day = _date(fields, today=today, text=text)
    return _checked(_at(day, fields.clock, zone, text=text), now=now, text=text)


def split_leading_time(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime | None, str]:
    """Split ``"12h13 alerts raised"`` into (the time, ``"alerts raised"``).

    The time is the longest run of leading words that reads as one (up to :data:`MAX_TIME_WORDS`),
    without trailing filler words such as "at" or "and". When the text does not start with a time,
    return ``(None, text.strip())``. A leading date and time that is in the future, or a clock time on a
    date that does not exist, raises :class:`TimeParseError` rather than becoming part of the text.
    """
    words = list(re.finditer(r"\S+", text))
    best: tuple[int, datetime] | None = None
    refusal: TimeParseError | None = None
    for count in range(1, min(len(words), MAX_TIME_WORDS) + 1):
        candidate = text[words[0].start() : words[count - 1].end()].rstrip(":;,-–—")
        try:
            best = (count, parse_when(candidate, now=now, tz=tz))
        except TimeParseError as error:
            if error.code == "future" or (error.code == "invalid_date" and _CLOCK_LIKE_RE.search(candidate)):
                refusal = refusal or error
    if best is None:
        if refusal is not None:
            raise refusal
        return None, text.strip()
    count, moment = best
    while count > 1 and _is_filler(words[count - 1].group()):
        count -= 1
    return moment, text[words[count - 1].end() :].strip()


def _normalise(text: str) -> tuple[str, int | None]:
    """Bring French and casual forms to what dateutil reads; return (text, day offset of hier/today)."""
    folded = _fold(text)
    day_words = _DAY_WORD_RE.findall(folded)
    if len(day_words) > 1:
        raise TimeParseError("unreadable", text=text)
    day_shift = _DAY_WORDS[day_words[0]] if day_words else None
    folded = _DAY_WORD_RE.sub(" ", folded)
    folded = _FRENCH_CLOCK_RE.sub(lambda m: f"{m[1]}:{m[2] or '00'}", folded)
    folded = _AM_PM_DOTS_RE.sub(r"\1m", folded)
    folded = _DOT_AFTER_LETTER_RE.sub(" ", folded)
    folded = _NAMED_OFFSET_RE.sub("", folded)
    # Only these words may become zone names: the text is lower case, and dateutil takes any short
    # upper-case word after a time ("12:08 EN …") for a zone.
    folded = _ZONE_WORD_RE.sub(lambda m: m[1].upper(), folded)
    words = [w for w in folded.split() if _INFO.weekday(w.strip(",;")) is None]
    return " ".join(words), day_shift


# Two defaults differing in every field tell which fields the text gave. Both years are leap
# years and both months have 31 days, so a given day or "29/02" never fails against a default.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)
_DEFAULT_B = datetime(2004, 3, 2, 1, 1, 1, 1)


def _fold(text: str) -> str:
    """Lower case without accents: "Févr." -> "fevr.", "à" -> "a"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _fields(cleaned: str, *, original: str) -> _Fields:
    if not cleaned or not any(c.isdigit() for c in cleaned):
        raise TimeParseError("unreadable", text=original)
    iso_order = bool(_ISO_ORDER_RE.match(cleaned))
    try:
        a, b = (
            _PARSER.parse(
                cleaned,
                default=default,
                dayfirst=not iso_order,
                yearfirst=iso_order,
                tzinfos=_zone_named,
            )
            for default in (_DEFAULT_A, _DEFAULT_B)
        )
    except dateutil_parser.ParserError as error:
        # dateutil wraps the ValueError of an impossible date ("31/02") and raises its own otherwise.
        code = "invalid_date" if error.__cause__ is not None else "unreadable"
        raise TimeParseError(code, text=original) from None
    except (ValueError, OverflowError):
        raise TimeParseError("unreadable", text=original) from None

    def given(attr: str) -> int | None:
        value = getattr(a, attr)
        return value if value == getattr(b, attr) else None

    return _Fields(
        year=given("year"),
        month=given("month"),
        day=given("day"),
        hour=given("hour"),
        clock=time(a.hour, a.minute, a.second, a.microsecond),
        zone=a.tzinfo,
    )


def _zone_named(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's ``tzinfos`` hook: our zone names, and numeric offsets."""
    if name is not None:
        zone = _ZONES.get(name.upper())
        if zone is None:
            raise ValueError(f"unknown zone {name}")
        return zone
    if offset is None:
        return None
    return timezone(timedelta(seconds=offset))  # ValueError beyond ±24h


def _has_date(fields: _Fields) -> bool:
    return any(v is not None for v in (fields.year, fields.month, fields.day))


def _date(fields: _Fields, *, today: date, text: str) -> date:
    assert fields.month is not None and fields.day is not None
    if fields.year is not None:
        try:
            return date(fields.year, fields.month, fields.day)
        except ValueError:
            raise TimeParseError("invalid_date", text=text) from None
    # The latest such date not after today; eight years always include a 29 February.
    for year in range(today.year, today.year - 9, -1):
        try:
            day = date(year, fields.month, fields.day)
        except ValueError:
            continue
        if day <= today:
            return day
    raise TimeParseError("invalid_date", text=text)


def _at(day: date, clock: time, zone: tzinfo, *, text: str) -> datetime:
    """The UTC instant of a wall time; fold=0 at DST changes (see the module docstring)."""
    try:
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved across midnight by the offset
        raise TimeParseError("invalid_date", text=text) from None


def _checked(moment: datetime, *, now: datetime, text: str) -> datetime:
    if moment > now + CLOCK_SKEW:
        raise TimeParseError("future", text=text, at=moment)
    return moment


def _is_filler(word: str) -> bool:
    core = _fold(word).strip(",;:")
    return not core or _INFO.jump(core)
