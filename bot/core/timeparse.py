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
``unknown_zone``
    an IANA-looking name that is no zone (``Europe/Atlantis``), or an abbreviation naming several zones
    (``IST``) (params: ``text``, ``zone``).
``zone_mismatch``
    a zone abbreviation not in force on that date, e.g. ``CEST`` in November (params: ``text``, ``zone``,
    ``expected``: the abbreviation in force then, ``region``: where it is used).

Reading rules:

- day before month: ``04/12`` is 4 December; a leading four-digit year (``2025-12-04``) means ISO order;
- without a zone the time is read in the configured zone ``tz``; accepted zones are the abbreviations of
  :data:`ZONE_ABBREVIATIONS` (``UTC``, ``GMT``, ``Z``, ``CET``, ``CEST``, ``PST``, ``EST``…), IANA names
  (``Europe/Paris``, ``America/New_York``) and numeric offsets (``+01:00``, ``+0100``, ``UTC+1``). An
  abbreviation must be the one in force on that date where it is used (``CEST`` in November is refused,
  never read as CET); an ambiguous abbreviation (``IST``) or an unknown IANA name is refused, never left
  in the text;
- a bare time (no date) is its latest past occurrence: ``23:50`` typed at 00:30 is yesterday;
- month names, weekday names and the words for yesterday, today and the day before come from a
  :class:`TimeWords` (the configured languages' CLDR data, built by bot.i18n; French and English by
  default): ``hier``/``yesterday``/``ayer``… give the day; weekday names are ignored;
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
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil import parser as dateutil_parser

from bot.core.errors import Refusal

# A typed time this far ahead of the server clock is still accepted (clocks and people drift).
CLOCK_SKEW = timedelta(minutes=1)

# The most words a leading time may span: "jeudi 4 décembre 2025 à 12h08 CET" has seven.
MAX_TIME_WORDS = 8


class TimeParseError(Refusal, ValueError):
    """A typed time we refuse; ``code`` is one of the codes in the module docstring."""


@dataclass(frozen=True)
class TimeWords:
    """The words people type in times, folded (lower case, no accents, no dots), per meaning.

    ``months`` has twelve tuples (January first), ``weekdays`` seven (Monday first); ``days`` maps
    a word to a day offset (``hier`` -1); ``fillers`` are words that may sit in a time and mean
    nothing (``à``, ``de``, ``a las``). Built from CLDR by bot.i18n; :data:`FRENCH_ENGLISH` otherwise.
    """

    months: tuple[tuple[str, ...], ...]
    weekdays: tuple[tuple[str, ...], ...]
    days: tuple[tuple[str, int], ...]
    fillers: tuple[str, ...] = ()

    def merged(self, other: "TimeWords") -> "TimeWords":
        """Both languages' words; a word naming two different months (or a month and a weekday,
        like French "mar") keeps only its month meaning, or is dropped when the months disagree."""
        months = [tuple(dict.fromkeys(a + b)) for a, b in zip(self.months, other.months)]
        month_of: dict[str, set[int]] = {}
        for i, names in enumerate(months):
            for name in names:
                month_of.setdefault(name, set()).add(i)
        months = [tuple(n for n in names if len(month_of[n]) == 1) for names in months]
        weekdays = tuple(tuple(w for w in dict.fromkeys(a + b) if w not in month_of)
                         for a, b in zip(self.weekdays, other.weekdays))
        days = dict(self.days)
        for word, shift in other.days:
            days.setdefault(word, shift)
        return TimeWords(tuple(months), weekdays, tuple(days.items()),
                         tuple(dict.fromkeys(self.fillers + other.fillers)))


def fold(text: str) -> str:
    """Lower case without accents: "Févr." -> "févr." -> "fevr.", "à" -> "a"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


FRENCH_ENGLISH = TimeWords(
    # "mar" is left to March: it is also the abbreviation of "mardi".
    months=(
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
    ),
    weekdays=(
        ("mon", "monday", "lun", "lundi"),
        ("tue", "tues", "tuesday", "mardi"),
        ("wed", "wednesday", "mer", "mercredi"),
        ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
        ("fri", "friday", "ven", "vendredi"),
        ("sat", "saturday", "sam", "samedi"),
        ("sun", "sunday", "dim", "dimanche"),
    ),
    days=(("avant-hier", -2), ("hier", -1), ("yesterday", -1), ("aujourd'hui", 0), ("aujourdhui", 0), ("today", 0)),
    # "a" is "à" without its accent; "er" is the French ordinal of "1er décembre".
    fillers=("a", "le", "er"),
)


def _info_class(words: TimeWords) -> type[dateutil_parser.parserinfo]:
    single = [w for w in words.fillers if " " not in w]
    return type("_Info", (dateutil_parser.parserinfo,), {
        "JUMP": [*dateutil_parser.parserinfo.JUMP, *single],
        "WEEKDAYS": [tuple(w) for w in words.weekdays],
        "MONTHS": [tuple(m) for m in words.months],
        # No unit words: "2 h of downtime" or "10 minutes" must not read as a clock time.
        # French "12h08" is rewritten to "12:08" before parsing.
        "HMS": [],
        # Without the single letters: "12:08 a server failed" is not 00:08.
        "AMPM": [("am",), ("pm",)],
    })


class _Reader:
    """A dateutil parser and the patterns for one set of words, built once per set."""

    def __init__(self, words: TimeWords):
        self.words = words
        self.info = _info_class(words)(dayfirst=True)
        self.parser = dateutil_parser.parser(self.info)
        self.days = dict(words.days)
        names = sorted(map(re.escape, self.days), key=len, reverse=True)
        self.day_re = re.compile(r"(?<![\w'-])(" + "|".join(names) + r")(?![\w'-])") if names else None
        phrases = sorted((w for w in words.fillers if " " in w), key=len, reverse=True)
        self.phrase_re = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)") if phrases else None


@lru_cache(maxsize=32)
def _reader(words: TimeWords) -> _Reader:
    return _Reader(words)


@dataclass(frozen=True)
class _Fields:
    """What the text gave; ``None`` for what it did not say."""

    year: int | None
    month: int | None
    day: int | None
    hour: int | None
    clock: time  # the time of day, unspecified parts as zero
    zone: tzinfo | None


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, words: TimeWords = FRENCH_ENGLISH) -> datetime:
    """Read ``text`` as a moment, relative to ``now`` (aware) in zone ``tz``; return it in UTC."""
    reader = _reader(words)
    rest, named_zone = _iana_zone(text)
    cleaned, day_shift = _normalise(rest, reader, original=text)
    if day_shift is not None and not cleaned:
        raise TimeParseError("no_time", text=text)  # "hier" alone
    fields = _fields(cleaned, reader, original=text)
    if fields.hour is None:
        raise TimeParseError("no_time" if day_shift is not None or _has_date(fields) else "unreadable", text=text)
    if named_zone is not None and fields.zone is not None:
        raise TimeParseError("unreadable", text=text)  # two zones
    zone = named_zone or fields.zone or tz
    today = now.astimezone(zone).date()
    if day_shift is not None:
        if _has_date(fields):
            raise TimeParseError("unreadable", text=text)  # "hier 04/12 12h08": which one?
        moment = _checked(_at(today + timedelta(days=day_shift), fields.clock, zone, text=text), now=now, text=text)
    elif not _has_date(fields):
        moment = _at(today, fields.clock, zone, text=text)
        if moment > now + CLOCK_SKEW:
            moment = _at(today - timedelta(days=1), fields.clock, zone, text=text)
    elif fields.month is None or fields.day is None:
        raise TimeParseError("unreadable", text=text)  # "4 12h08", "décembre 12h08", "2025 12h08"
    else:
        day = _date(fields, today=today, text=text)
        moment = _checked(_at(day, fields.clock, zone, text=text), now=now, text=text)
    _check_abbreviation(zone, moment, text=text)
    return moment


def split_leading_time(text: str, *, now: datetime, tz: ZoneInfo,
                       words: TimeWords = FRENCH_ENGLISH) -> tuple[datetime | None, str]:
    """Split ``"12h13 alerts raised"`` into (the time, ``"alerts raised"``).

    The time is the longest run of leading words that reads as one (up to :data:`MAX_TIME_WORDS`),
    without trailing filler words such as "at" or "and". When the text does not start with a time,
    return ``(None, text.strip())``. A leading date and time that is in the future, or a clock time on a
    date that does not exist, raises :class:`TimeParseError` rather than becoming part of the text;
    so does a zone we do not know or one not in force then (``16h39 CEST`` in November).
    """
    found = list(re.finditer(r"\S+", text))
    best: tuple[int, datetime] | None = None
    refusal: TimeParseError | None = None
    zone_refusal: tuple[int, TimeParseError] | None = None
    for count in range(1, min(len(found), MAX_TIME_WORDS) + 1):
        candidate = text[found[0].start() : found[count - 1].end()].rstrip(":;,-–—")
        try:
            best = (count, parse_when(candidate, now=now, tz=tz, words=words))
        except TimeParseError as error:
            if error.code in ZONE_REFUSALS:
                zone_refusal = zone_refusal or (count, error)
            elif error.code == "future" or (error.code == "invalid_date" and _CLOCK_LIKE_RE.search(candidate)):
                refusal = refusal or error
    if zone_refusal is not None and (best is None or zone_refusal[0] > best[0]):
        raise zone_refusal[1]  # "16h39 HKT recurrence": never "HKT recurrence" at 16h39 local
    if best is None:
        if refusal is not None:
            raise refusal
        return None, text.strip()
    count, moment = best
    reader = _reader(words)
    while count > 1 and _is_filler(found[count - 1].group(), reader):
        count -= 1
    return moment, text[found[count - 1].end() :].strip()


# --- zones --------------------------------------------------------------------------------------

# Abbreviations people type: their offset and a zone where they are in force (None: all year, anywhere).
ZONE_ABBREVIATIONS: dict[str, tuple[float, str | None]] = {
    "UTC": (0, None), "GMT": (0, None), "Z": (0, None),
    "WET": (0, "Europe/Lisbon"), "WEST": (1, "Europe/Lisbon"), "BST": (1, "Europe/London"),
    "CET": (1, "Europe/Paris"), "CEST": (2, "Europe/Paris"),
    "EET": (2, "Europe/Athens"), "EEST": (3, "Europe/Athens"), "MSK": (3, "Europe/Moscow"),
    "SAST": (2, "Africa/Johannesburg"), "WAT": (1, "Africa/Lagos"), "CAT": (2, "Africa/Maputo"),
    "EAT": (3, "Africa/Nairobi"),
    "AST": (-4, "America/Halifax"), "ADT": (-3, "America/Halifax"),
    "EST": (-5, "America/New_York"), "EDT": (-4, "America/New_York"),
    "CST": (-6, "America/Chicago"), "CDT": (-5, "America/Chicago"),
    "MST": (-7, "America/Denver"), "MDT": (-6, "America/Denver"),
    "PST": (-8, "America/Los_Angeles"), "PDT": (-7, "America/Los_Angeles"),
    "AKST": (-9, "America/Anchorage"), "AKDT": (-8, "America/Anchorage"), "HST": (-10, "Pacific/Honolulu"),
    "BRT": (-3, None), "ART": (-3, None), "SGT": (8, None),
    "HKT": (8, "Asia/Hong_Kong"), "JST": (9, "Asia/Tokyo"), "KST": (9, "Asia/Seoul"),
    "AWST": (8, "Australia/Perth"), "ACST": (9.5, "Australia/Adelaide"), "ACDT": (10.5, "Australia/Adelaide"),
    "AEST": (10, "Australia/Sydney"), "AEDT": (11, "Australia/Sydney"),
    "NZST": (12, "Pacific/Auckland"), "NZDT": (13, "Pacific/Auckland"),
}
# Abbreviations that name several zones (India, Ireland, Israel): refused, the reply asks for a name.
AMBIGUOUS_ZONES = frozenset({"IST"})
ZONE_REFUSALS = ("unknown_zone", "zone_mismatch")
# Accepted in lower case too (they are no word of any language we know); the others only as typed, in
# capitals, since "est" is French and Spanish for "is" (and "GET", "PUT" stay text: not zones).
_LOWER_CASE_ZONES = ("cest", "cet", "utc", "gmt")
_CAPITALS_RE = re.compile(r"(?<![\w/])([A-Z]{2,4})(?![\w/])")
_IANA_RE = re.compile(r"(?<!\S)((?:africa|america|antarctica|arctic|asia|atlantic|australia|europe|indian|pacific|etc)"
                      r"(?:/[\w+-]+)+)(?!\S)", re.IGNORECASE)
_ABBREVIATED = {name: timezone(timedelta(hours=hours), name) for name, (hours, _) in ZONE_ABBREVIATIONS.items()}
_ABBREVIATED["UTC"] = _ABBREVIATED["GMT"] = _ABBREVIATED["Z"] = UTC


@lru_cache(maxsize=1)
def _iana_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _iana_zone(text: str) -> tuple[str, ZoneInfo | None]:
    """Take an IANA zone name (``Europe/Paris``, any case) out of the text."""
    m = _IANA_RE.search(text)
    if m is None:
        return text, None
    name = _iana_names().get(m[1].lower())
    if name is None:
        raise TimeParseError("unknown_zone", text=text, zone=m[1])
    try:
        return text[: m.start()] + " " + text[m.end() :], ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeParseError("unknown_zone", text=text, zone=m[1]) from None


class _UnknownZone(Exception):
    def __init__(self, name: str):
        self.name = name


def _zone_named(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's ``tzinfos`` hook: our zone names, and numeric offsets."""
    if name is not None:
        zone = None if name.upper() in AMBIGUOUS_ZONES else _ABBREVIATED.get(name.upper())
        if zone is None:
            raise _UnknownZone(name)
        return zone
    if offset is None:
        return None
    return timezone(timedelta(seconds=offset))  # ValueError beyond ±24h


def _check_abbreviation(zone: tzinfo, moment: datetime, *, text: str) -> None:
    """``CEST`` on a November date is a mistake to tell, never to correct silently."""
    name = zone.tzname(None) if isinstance(zone, timezone) else None
    region = ZONE_ABBREVIATIONS.get(name or "", (0, None))[1]
    if region is None:
        return
    expected = moment.astimezone(ZoneInfo(region)).tzname()
    if expected != name:
        raise TimeParseError("zone_mismatch", text=text, zone=name, expected=expected, region=region)


# --- reading -----------------------------------------------------------------------------------

_FRENCH_CLOCK_RE = re.compile(r"\b(\d{1,2})h(\d\d)?\b")  # 12h08, 12h
_AM_PM_DOTS_RE = re.compile(r"\b([ap])\.\s?m\b\.?")  # a.m., p.m., Spanish "p. m."
_DOT_AFTER_LETTER_RE = re.compile(r"(?<=[a-z])\.")  # "déc.", "févr."
_NAMED_OFFSET_RE = re.compile(r"\b(?:utc|gmt)(?=[+-]\d)")  # "utc+1" is +01:00, not POSIX's reversed sign
_ISO_ORDER_RE = re.compile(r"\d{4}[-/.]\d")
_CLOCK_LIKE_RE = re.compile(r"\d[:h]\d\d")


def _normalise(text: str, reader: _Reader, *, original: str) -> tuple[str, int | None]:
    """Bring national and casual forms to what dateutil reads; return (text, day offset of hier/today)."""
    capitals = {fold(w) for w in _CAPITALS_RE.findall(text) if w in ZONE_ABBREVIATIONS or w in AMBIGUOUS_ZONES}
    folded = fold(text.replace("\u202f", " ").replace("\u00a0", " "))
    day_words = reader.day_re.findall(folded) if reader.day_re else []
    if len(day_words) > 1:
        raise TimeParseError("unreadable", text=original)
    day_shift = reader.days[day_words[0]] if day_words else None
    if reader.day_re:
        folded = reader.day_re.sub(" ", folded)
    if reader.phrase_re:
        folded = reader.phrase_re.sub(" ", folded)
    folded = _FRENCH_CLOCK_RE.sub(lambda m: f"{m[1]}:{m[2] or '00'}", folded)
    folded = _AM_PM_DOTS_RE.sub(r"\1m", folded)
    folded = _DOT_AFTER_LETTER_RE.sub(" ", folded)
    folded = _NAMED_OFFSET_RE.sub("", folded)
    # Only zone words become upper case: dateutil takes any short upper-case word after a time
    # ("12:08 EN …") for a zone. Ambiguous ones ("IST") are refused by the hook.
    zones = set(_LOWER_CASE_ZONES) | capitals
    folded = " ".join(w.upper() if w.strip(",;") in zones else w for w in folded.split())
    kept = [w for w in folded.split() if reader.info.weekday(w.strip(",;")) is None]
    return " ".join(kept), day_shift


# Two defaults differing in every field tell which fields the text gave. Both years are leap
# years and both months have 31 days, so a given day or "29/02" never fails against a default.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)
_DEFAULT_B = datetime(2004, 3, 2, 1, 1, 1, 1)


def _fields(cleaned: str, reader: _Reader, *, original: str) -> _Fields:
    if not cleaned or not any(c.isdigit() for c in cleaned):
        raise TimeParseError("unreadable", text=original)
    iso_order = bool(_ISO_ORDER_RE.match(cleaned))
    try:
        a, b = (
            reader.parser.parse(
                cleaned,
                default=default,
                dayfirst=not iso_order,
                yearfirst=iso_order,
                tzinfos=_zone_named,
            )
            for default in (_DEFAULT_A, _DEFAULT_B)
        )
    except _UnknownZone as unknown:
        raise TimeParseError("unknown_zone", text=original, zone=unknown.name) from None
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


def _is_filler(word: str, reader: _Reader) -> bool:
    core = fold(word).strip(",;:")
    return not core or reader.info.jump(core) or core in {w for f in reader.words.fillers for w in f.split()}
