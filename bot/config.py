"""Settings read from the environment once, at start (never at import)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A missing or invalid setting; the message names the variable."""


@dataclass(frozen=True)
class Announce:
    channel: str
    languages: tuple[str, ...]  # empty = every configured language


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///cellule.db"
    host: str = "0.0.0.0"
    port: int = 3000
    prefix: str = "INC"
    first_number: int = 1
    languages: tuple[str, ...] = ("fr", "en")
    timezone: str = "Europe/Paris"
    announce: tuple[Announce, ...] = ()
    crisis_unit: tuple[str, ...] = ()
    timeline_emoji: str = "pushpin"
    alert_emoji: str = "rotating_light"
    extra_locale_dirs: tuple[str, ...] = field(default=())
    update_cadence: str = "P1=30m,P2=1h,P3=4h,P4=off"
    postmortem_due: str = "5d"
    regulation: str = "off"  # off | dora
    dora_weekend_rule: str = "on"  # on | final-only | off (Art. 5(4)-(5) of Delegated Regulation (EU) 2025/301)
    dora_holidays: str = "FR"
    dora_language: str = ""  # the competent authority's language, one of INCIDENT_LANGUAGES (default: the first)
    dora_recurring: bool = True  # Art. 8(2) of 2024/1772; off for microenterprises and Art. 16(1) entities
    # The public status page and its Atlassian Statuspage mirror (issue 15).
    status_page: bool = False
    status_page_name: str = "Status"
    public_url: str = ""
    statuspage_api_key: str | None = None
    statuspage_page_id: str | None = None
    statuspage_api_url: str = "https://api.statuspage.io/v1"
    metrics: bool = False  # GET /metrics (Prometheus); off unless METRICS=on
    rate_limits: bool = True  # keep Slack calls within Slack's rate limits; SLACK_RATE_LIMITS=off
    event_journal: str | None = None  # EVENT_JOURNAL: where events wait to be recorded (bot.store.spool); None: off

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cadence(self):
        from bot.core.reminders import parse_cadence

        return parse_cadence(self.update_cadence)

    @property
    def dora(self) -> bool:
        return self.regulation == "dora"

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def announce_languages(self, a: Announce) -> tuple[str, ...]:
        return a.languages or self.languages

    def require_slack(self) -> None:
        """Serving needs a bot token, and HTTP mode a signing secret."""
        if not self.bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is required to serve (xoxb-…)")
        if not self.socket_mode and not self.signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is required in HTTP mode")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip() or default

        def integer(name: str, default: int, minimum: int) -> int:
            raw = get(name, str(default))
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
            if value < minimum:
                raise ConfigError(f"{name} must be at least {minimum}, not {value}")
            return value

        bot_token = get("SLACK_BOT_TOKEN") or None
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN") or None
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

        api_url = get("SLACK_API_URL", "https://slack.com/api/")
        if not re.match(r"^https?://", api_url):
            raise ConfigError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        if not api_url.endswith("/"):
            api_url += "/"

        prefix = get("INCIDENT_PREFIX", "INC")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,9}", prefix):
            raise ConfigError(f"INCIDENT_PREFIX must be 1-10 letters or digits starting with a letter, not {prefix!r}")

        languages = _languages(get("INCIDENT_LANGUAGES", "fr,en"))
        timezone = get("INCIDENT_TIMEZONE", "Europe/Paris")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"INCIDENT_TIMEZONE: unknown time zone {timezone!r} (e.g. Europe/Paris)") from None

        announce = []
        for item in filter(None, (p.strip() for p in get("ANNOUNCE_CHANNELS").split(","))):
            langs: tuple[str, ...] = ()
            if ":" in item:
                lang_part, item = item.split(":", 1)
                langs = tuple(x for x in lang_part.split("+") if x)
                unknown = [x for x in langs if x not in languages]
                if unknown:
                    raise ConfigError(
                        f"ANNOUNCE_CHANNELS: language {unknown[0]!r} is not in INCIDENT_LANGUAGES ({','.join(languages)})"
                    )
            if not re.fullmatch(r"[CG][A-Z0-9]{2,}", item):
                raise ConfigError(f"ANNOUNCE_CHANNELS: {item!r} is not a channel ID (C…)")
            announce.append(Announce(item, langs))

        crisis_unit = tuple(filter(None, (p.strip() for p in get("CRISIS_UNIT").split(","))))
        for member in crisis_unit:
            if not re.fullmatch(r"[USW][A-Z0-9]{2,}", member):
                raise ConfigError(f"CRISIS_UNIT: {member!r} is not a user ID (U…) or user-group ID (S…)")

        locale_dirs = tuple(filter(None, get("CELLULE_LOCALE_DIRS").split(":")))

        emoji = get("TIMELINE_EMOJI", "pushpin").strip(":")
        alert_emoji = get("ALERT_EMOJI", "rotating_light").strip(":")
        if alert_emoji == emoji:
            raise ConfigError(f"ALERT_EMOJI: {alert_emoji!r} is TIMELINE_EMOJI already; pick another")

        cadence = get("UPDATE_CADENCE", "P1=30m,P2=1h,P3=4h,P4=off")
        postmortem_due = get("POSTMORTEM_DUE", "5d")
        _check_schedule(cadence, postmortem_due)
        regulation = get("REGULATION", "off").lower()
        if regulation not in ("off", "dora"):
            raise ConfigError(f"REGULATION must be off or dora, not {regulation!r}")
        weekend_rule = get("DORA_WEEKEND_RULE", "on").lower()
        if weekend_rule not in ("on", "final-only", "off"):
            raise ConfigError(f"DORA_WEEKEND_RULE must be on, final-only or off, not {weekend_rule!r}")
        holidays = get("DORA_HOLIDAYS", "FR")
        try:
            from bot.core.dora import holiday_checker

            holiday_checker(holidays)
        except ValueError:
            raise ConfigError(f"DORA_HOLIDAYS: {holidays!r} is not FR or a list of dates such as 2026-12-24") from None
        dora_language = get("DORA_LANGUAGE", languages[0])
        if dora_language not in languages:
            raise ConfigError(f"DORA_LANGUAGE: {dora_language!r} is not in INCIDENT_LANGUAGES ({','.join(languages)})")
        recurring = get("DORA_RECURRING", "on").lower()
        if recurring not in ("on", "off"):
            raise ConfigError(f"DORA_RECURRING must be on or off, not {recurring!r}")

        status_page = get("STATUS_PAGE", "off").lower()
        if status_page not in ("on", "off"):
            raise ConfigError(f"STATUS_PAGE must be on or off, not {status_page!r}")
        public_url = get("PUBLIC_URL").rstrip("/")
        if public_url and not re.match(r"^https?://[^\s/]+", public_url):
            raise ConfigError(f"PUBLIC_URL must be an http(s) URL, not {public_url!r}")
        statuspage_url = get("STATUSPAGE_API_URL", "https://api.statuspage.io/v1").rstrip("/")
        if not re.match(r"^https?://", statuspage_url):
            raise ConfigError(f"STATUSPAGE_API_URL must be an http(s) URL, not {statuspage_url!r}")

        return cls(
            update_cadence=cadence, postmortem_due=postmortem_due, regulation=regulation,
            dora_weekend_rule=weekend_rule, dora_holidays=holidays, dora_recurring=recurring == "on", dora_language=dora_language,
            status_page=status_page == "on",
            status_page_name=get("STATUS_PAGE_NAME", "Status"),
            public_url=public_url,
            statuspage_api_key=get("STATUSPAGE_API_KEY") or None,
            statuspage_page_id=get("STATUSPAGE_PAGE_ID") or None,
            statuspage_api_url=statuspage_url,
            bot_token=bot_token,
            signing_secret=get("SLACK_SIGNING_SECRET") or None,
            app_token=app_token,
            api_url=api_url,
            database_url=get("DATABASE_URL", "sqlite:///cellule.db"),
            host=get("HOST", "0.0.0.0"),
            port=integer("PORT", 3000, 0),
            prefix=prefix.upper(),
            first_number=integer("INCIDENT_FIRST_NUMBER", 1, 1),
            languages=languages,
            timezone=timezone,
            announce=tuple(announce),
            crisis_unit=crisis_unit,
            timeline_emoji=emoji,
            alert_emoji=alert_emoji,
            extra_locale_dirs=locale_dirs,
            metrics=_switch("METRICS", get("METRICS", "off")),
            rate_limits=_switch("SLACK_RATE_LIMITS", get("SLACK_RATE_LIMITS", "on")),
            event_journal=_journal(get("EVENT_JOURNAL"), get("DATABASE_URL", "sqlite:///cellule.db")),
        )


def _journal(raw: str, database_url: str) -> str | None:
    """EVENT_JOURNAL: a folder, or off. By default next to a SQLite file (`cellule.db.events`), and
    `cellule-events` in the working folder for a database elsewhere."""
    if raw.lower() == "off":
        return None
    if raw:
        return raw
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return database_url[len("sqlite:///"):].split("?")[0] + ".events"
    return "cellule-events"


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("on", "off", ""):
        raise ConfigError(f"{name}: {raw!r} is neither on nor off")
    return value == "on"


def _check_schedule(cadence: str, postmortem_due: str) -> None:
    from bot.core.reminders import ScheduleError, parse_cadence, parse_duration

    try:
        parse_cadence(cadence)
    except ScheduleError as e:
        raise ConfigError(f"UPDATE_CADENCE: {str(e)!r} is not PRIORITY=DURATION (e.g. P1=30m,P2=1h,P3=4h,P4=off)") from None
    try:
        parse_duration(postmortem_due)
    except ScheduleError:
        raise ConfigError(f"POSTMORTEM_DUE: {postmortem_due!r} is not a duration such as 5d, 36h or off") from None


def _languages(raw: str) -> tuple[str, ...]:
    from babel import Locale, UnknownLocaleError  # Babel validates the codes; imported only here

    langs = tuple(p.strip() for p in raw.split(",") if p.strip())
    if not langs:
        raise ConfigError("INCIDENT_LANGUAGES must name at least one language (e.g. fr,en)")
    if len(set(langs)) != len(langs):
        raise ConfigError(f"INCIDENT_LANGUAGES lists a language twice: {raw!r}")
    for lang in langs:
        try:
            Locale.parse(lang)
        except (UnknownLocaleError, ValueError):
            raise ConfigError(f"INCIDENT_LANGUAGES: {lang!r} is not a language Babel knows") from None
    return langs

