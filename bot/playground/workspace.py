"""The sample workspace: a few people, the operations channel and one stakeholder channel per language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import SlackEmulator

CRISIS_GROUP = "SCRISIS"
OPS = "COPS"
STAKEHOLDER_CHANNELS = {"fr": "CINCFR", "en": "CINCEN"}  # language -> channel


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


def populate(emu: SlackEmulator) -> None:
    everyone = [emu.bot_user_id, *(p.id for p in PEOPLE)]
    for p in PEOPLE:
        emu.add_user(p.id, p.name, locale=p.locale, tz=p.tz, real_name=p.real_name)
    emu.add_usergroup(CRISIS_GROUP, "crisis-unit", [p.id for p in PEOPLE if p.crisis_unit])
    emu.add_channel("ops", id=OPS, members=everyone)
    for code, channel in STAKEHOLDER_CHANNELS.items():
        emu.add_channel(f"incidents-{code}", id=channel, members=everyone)


def settings_env() -> dict[str, str]:
    """The incident settings the playground runs with (the example incident needs these)."""
    return {
        "INCIDENT_PREFIX": "TSR",
        "INCIDENT_FIRST_NUMBER": "2641",
        "INCIDENT_LANGUAGES": "fr,en",
        "INCIDENT_TIMEZONE": "Europe/Paris",
        "ANNOUNCE_CHANNELS": ",".join(f"{code}:{ch}" for code, ch in STAKEHOLDER_CHANNELS.items()),
        "CRISIS_UNIT": CRISIS_GROUP,
    }
