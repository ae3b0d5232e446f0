"""One language: gettext plus CLDR formatting of dates, times, durations and lists."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, parse_pattern
from babel.lists import format_list
from babel.units import format_unit

from bot.core.model import Priority, Responsibility, Role, Status
from bot.core.timeparse import TimeWords, fold
from bot.i18n.markers import N_
from bot.i18n.names import RESPONSIBILITY_NAMES, ROLE_NAMES, STATUS_NAMES

log = logging.getLogger(__name__)

# Date patterns are CLDR patterns (https://unicode.org/reports/tr35/tr35-dates.html) kept in the
# catalogs, so each language picks its own form; the zone abbreviation is appended by the code.
# Translators: CLDR pattern of a full date and time, e.g. 04/12/2025 12:08 (day before month)
DATETIME = N_("dd/MM/yyyy HH:mm")
# Translators: CLDR pattern of a time of day, e.g. 12:08
TIME = N_("HH:mm")
# Translators: CLDR pattern of a time on another day of the same year, e.g. 3 Dec 23:10
DAY_TIME = N_("d MMM HH:mm")
# Translators: CLDR pattern of a postmortem overview line, e.g. 4 December 12:08pm ("a" is the CLDR day period)
MOMENT = N_("d MMMM h:mma")
# Translators: CLDR pattern of a postmortem overview line when its moments span years, e.g. 4 December 2025 12:08pm
MOMENT_YEAR = N_("d MMMM yyyy h:mma")
# Translators: a time span; keep both placeholders
SPAN = N_("{start} – {end}")
# Translators: CLDR unit width of durations, keep the prefix: duration-width:narrow (3h 34m),
# duration-width:short (3 h 34 min) or duration-width:long (3 hours 34 minutes)
DURATION_WIDTH = N_("duration-width:narrow")

# Translators: words that may sit inside a typed time and mean nothing ("4 de diciembre a las 12:08"),
# space-separated after the prefix, which stays: French "time-fillers:à le er", Spanish "time-fillers:de del el a las"
TIME_FILLERS = N_("time-fillers:at on the")

PATTERNS = (DATETIME, TIME, DAY_TIME, MOMENT, MOMENT_YEAR)
WIDTHS = ("narrow", "short", "long")

# CLDR puts no-break spaces in "3 h" or "12:08 PM"; chat text and tests want plain spaces.
_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _plain(text: str) -> str:
    return text.translate(_PLAIN)


class Lang:
    """Everything one language needs to render a message; cheap to pass around, no global state."""

    def __init__(self, code: str, locale: Locale, tz: ZoneInfo, translations: NullTranslations):
        self.code = code
        self.locale = locale
        self.tz = tz
        self._t = translations
        for pattern in PATTERNS:
            try:
                parse_pattern(self._(pattern))
            except ValueError as e:
                raise ValueError(f"{code}: bad date pattern {self._(pattern)!r} for {pattern!r}: {e}") from e
        prefix, _, width = self._(DURATION_WIDTH).partition(":")
        if prefix != "duration-width" or width not in WIDTHS:
            raise ValueError(f"{code}: {DURATION_WIDTH!r} is translated as {self._(DURATION_WIDTH)!r}")
        self._width = width

    def __repr__(self) -> str:
        return f"Lang({self.code!r}, {self.locale}, {self.tz.key})"

    # --- messages -----------------------------------------------------------------------------

    def _(self, message: str, /, **params: object) -> str:
        """Translate, then ``str.format(**params)`` when params are given."""
        return self._format(self._t.gettext(message), message, params)

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        return self._format(self._t.ngettext(singular, plural, n), singular if n == 1 else plural, params)

    def _format(self, text: str, msgid: str, params: dict[str, object]) -> str:
        if not params:
            return text
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not lose an incident update: fall back to English.
            log.warning("%s: bad placeholders in translation of %r", self.code, msgid)
            return msgid.format(**params)

    def status(self, status: Status | str) -> str:
        return self._(STATUS_NAMES[Status(status)])

    def role(self, role: Role | str) -> str:
        return self._(ROLE_NAMES[Role(role)])

    def responsibility(self, responsibility: Responsibility | str) -> str:
        return self._(RESPONSIBILITY_NAMES[Responsibility(responsibility)])

    def priority(self, priority: Priority | str) -> str:
        return Priority(priority).value

    # --- dates and times ----------------------------------------------------------------------

    def _local(self, dt: datetime) -> datetime:
        if dt.tzinfo is None:
            raise ValueError(f"naive datetime {dt!r}: times must be timezone-aware (UTC)")
        return dt.astimezone(self.tz)

    def _pattern(self, local: datetime, pattern: str) -> str:
        return _plain(format_datetime(local, self._(pattern), tzinfo=self.tz, locale=self.locale))

    def _day(self, dt: datetime | None) -> date | None:
        return None if dt is None else self._local(dt).date()

    def datetime(self, dt: datetime) -> str:
        """Header form: ``04/12/2025 12h08 CET``."""
        local = self._local(dt)
        return f"{self._pattern(local, DATETIME)} {local.tzname()}"

    def _clock(self, local: datetime, with_date: bool, years: set[int]) -> str:
        if not with_date:
            return self._pattern(local, TIME)
        return self._pattern(local, DATETIME if len(years) > 1 else DAY_TIME)

    def time(self, dt: datetime, now: datetime | None = None) -> str:
        """``12h08 CET``; the date is prepended when ``dt`` is not on ``now``'s local day."""
        local, today = self._local(dt), self._day(now)
        other_day = today is not None and local.date() != today
        years = {local.year} | ({today.year} if today else set())
        return f"{self._clock(local, other_day, years)} {local.tzname()}"

    def span(self, start: datetime, end: datetime, now: datetime | None = None) -> str:
        """``12h08 – 12h13 CET``; dates when it crosses midnight or is not today, zone once if shared."""
        a, b, today = self._local(start), self._local(end), self._day(now)
        crosses = a.date() != b.date()
        not_today = today is not None and a.date() != today
        years = {a.year, b.year} | ({today.year} if today else set())
        left = self._clock(a, crosses or not_today, years)
        right = self._clock(b, crosses, years)
        if a.tzname() == b.tzname():
            return f"{self._(SPAN, start=left, end=right)} {b.tzname()}"
        left, right = f"{left} {a.tzname()}", f"{right} {b.tzname()}"
        return self._(SPAN, start=left, end=right)

    def moment(self, dt: datetime, year: bool = False) -> str:
        """Postmortem overview form, no zone: ``4 décembre 12h08`` / ``4 December 12:08pm``; with
        ``year``, ``4 December 2025 12:08pm`` (for moments that span more than one year)."""
        return self._pattern(self._local(dt), MOMENT_YEAR if year else MOMENT)

    def years(self, times) -> set[int]:
        """The local years the given times fall in."""
        return {self._local(t).year for t in times}

    # --- durations and lists ------------------------------------------------------------------

    def duration(self, td: timedelta) -> str:
        """Compound CLDR units, rounded to the minute: ``3 h 34 min``, ``1 j 2 h``, ``0 min``."""
        seconds = td.total_seconds()
        if seconds < 0:
            raise ValueError(f"negative duration {td!r}")
        minutes = int((seconds + 30) // 60)  # half a minute rounds up
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        units = [(days, "duration-day"), (hours, "duration-hour"), (mins, "duration-minute")]
        parts = [
            format_unit(value, unit, length=self._width, locale=self.locale) for value, unit in units if value
        ] or [format_unit(0, "duration-minute", length=self._width, locale=self.locale)]
        return _plain(format_list(parts, style="unit-narrow", locale=self.locale))

    # --- typed times --------------------------------------------------------------------------

    def time_words(self) -> TimeWords:
        """How people write months, weekdays and recent days in this language (CLDR), for parsing."""
        def names(table: str, key: int) -> tuple[str, ...]:
            found = []
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    found.append(getattr(self.locale, table)[context][width][key])
            return tuple(dict.fromkeys(fold(_plain(n)).strip(".").strip() for n in found if n))

        relative = self.locale._data["date_fields"].get("day", {}).get("relative", {})
        days = tuple((fold(word), shift) for shift, word in relative.items() if shift <= 0)
        prefix, _, words = self._(TIME_FILLERS).partition(":")
        fillers = tuple(fold(w) for w in words.split()) if prefix == "time-fillers" else ()
        return TimeWords(months=tuple(names("months", m) for m in range(1, 13)),
                         weekdays=tuple(names("days", d) for d in range(7)), days=days, fillers=fillers)

    def list(self, items) -> str:
        """``a, b et c``."""
        return _plain(format_list([str(i) for i in items], locale=self.locale))
