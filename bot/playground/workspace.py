"""The sample workspace: a few people, the operations channel and one stakeholder channel per language.

The languages are INCIDENT_LANGUAGES: each configured language gets its stakeholder channel and at
least one person whose Slack locale is that language.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import SlackEmulator

CRISIS_GROUP = "SCRISIS"
OPS = "COPS"
DEFAULT_LANGUAGES = ("fr", "en")


def stakeholder_channels(languages=DEFAULT_LANGUAGES) -> dict[str, str]:
    """Language -> its stakeholder channel: CINCFR, CINCEN, CINCES…"""
    return {code: "CINC" + "".join(c for c in code.upper() if c.isalnum()) for code in languages}


STAKEHOLDER_CHANNELS = stakeholder_channels()


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    real_name: str
    locale: str  # the Slack locale, which picks the language of the bot's replies
    crisis_unit: bool
    tz: str = "Europe/Paris"


PEOPLE = (
    Person("UCAMILLE", "camille", "Camille Martin", "fr-FR", True),
    Person("UALEX", "alex", "Alex Smith", "en-US", True),
    Person("USAM", "sam", "Sam Taylor", "en-GB", False, "Europe/London"),
    Person("ULEA", "lea", "Léa Dubois", "fr-FR", False),
)
REPLAYER = PEOPLE[0]  # who types the example incident's commands
# A member of the crisis unit for other languages (anyone else gets a generic one).
MORE_PEOPLE = {
    "es": Person("ULUCIA", "lucia", "Lucía García", "es-ES", True, "Europe/Madrid"),
    "de": Person("UJONAS", "jonas", "Jonas Weber", "de-DE", True, "Europe/Berlin"),
    "it": Person("UGIULIA", "giulia", "Giulia Rossi", "it-IT", True, "Europe/Rome"),
}


def people(languages=DEFAULT_LANGUAGES) -> tuple[Person, ...]:
    """The French and English sample people (the example's replayer is French), and one person
    of every other configured language."""
    out = list(PEOPLE)
    for code in languages:
        if not any(p.locale.split("-")[0] == code.split("_")[0].split("-")[0] for p in out):
            ident = "".join(c for c in code.upper() if c.isalnum())
            out.append(MORE_PEOPLE.get(code) or Person(f"U{ident}", f"member-{code}", f"Member ({code})", code, True))
    return tuple(out)


def languages_of(env) -> tuple[str, ...]:
    return tuple(c.strip() for c in (env.get("INCIDENT_LANGUAGES") or "").split(",") if c.strip()) or DEFAULT_LANGUAGES


def populate(emu: SlackEmulator, languages=DEFAULT_LANGUAGES) -> None:
    members = people(languages)
    everyone = [emu.bot_user_id, *(p.id for p in members)]
    for p in members:
        emu.add_user(p.id, p.name, locale=p.locale, tz=p.tz, real_name=p.real_name)
    emu.add_usergroup(CRISIS_GROUP, "crisis-unit", [p.id for p in members if p.crisis_unit])
    emu.add_channel("ops", id=OPS, members=everyone)
    for code, channel in stakeholder_channels(languages).items():
        emu.add_channel(f"incidents-{code}", id=channel, members=everyone)


def settings_env(languages=DEFAULT_LANGUAGES) -> dict[str, str]:
    """The incident settings the playground runs with (the example incident needs these)."""
    return {
        "INCIDENT_PREFIX": "TSR",
        "INCIDENT_FIRST_NUMBER": "2641",
        "INCIDENT_LANGUAGES": ",".join(languages),
        "INCIDENT_TIMEZONE": "Europe/Paris",
        "ANNOUNCE_CHANNELS": ",".join(f"{code}:{ch}" for code, ch in stakeholder_channels(languages).items()),
        "CRISIS_UNIT": CRISIS_GROUP,
        "STATUS_PAGE": "on",
        "STATUS_PAGE_NAME": "Dalenys",
    }
