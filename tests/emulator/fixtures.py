"""pytest fixtures: a started SlackEmulator with a small workspace; no violations allowed.

Loaded by tests/conftest.py as a plugin. The workspace:
users UFR "camille" (fr-FR), UEN "alex" (en-US), USTAKE "sam" (en-GB, a stakeholder);
channels #ops (COPS), #incidents-fr (CINCFR), #incidents-en (CINCEN), all with the bot and
the three users as members; user group SCRISIS = UFR + UEN.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.emulator import SlackEmulator

SIGNING_SECRET = "emulator-signing-secret"


class FakeClock:
    """A clock tests move by hand (e.g. to expire a trigger_id without sleeping)."""

    def __init__(self, start: float = 1733310480.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def populate(emu: SlackEmulator) -> None:
    emu.add_user("UFR", "camille", locale="fr-FR", tz="Europe/Paris", real_name="Camille Martin")
    emu.add_user("UEN", "alex", locale="en-US", tz="Europe/Paris", real_name="Alex Smith")
    emu.add_user("USTAKE", "sam", locale="en-GB", tz="Europe/London", real_name="Sam Taylor")
    everyone = (emu.bot_user_id, "UFR", "UEN", "USTAKE")
    emu.add_channel("ops", id="COPS", members=everyone)
    emu.add_channel("incidents-fr", id="CINCFR", members=everyone)
    emu.add_channel("incidents-en", id="CINCEN", members=everyone)
    emu.add_usergroup("SCRISIS", "crisis", ["UFR", "UEN"])


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(SIGNING_SECRET)
    populate(emu)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
    assert emu.violations == [], "Slack emulator violations:\n" + "\n".join(emu.violations)
