"""Languages are configuration: French, English and German (a small test catalog), nothing assumes two."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import Bot

# What each language reads: the same on any database (the store's own tests run on both).
pytestmark = pytest.mark.any_database

LOCALES = Path(__file__).resolve().parents[1] / "locales_test"


@pytest.fixture
def trilingual(emulator, database_url, clock):
    emulator.add_channel("incidents-de", id="CINCDE", members=(emulator.bot_user_id, "UFR"))
    b = Bot(emulator, database_url, clock, INCIDENT_LANGUAGES="fr,en,de", CELLULE_LOCALE_DIRS=str(LOCALES),
            ANNOUNCE_CHANNELS="fr:CINCFR,en:CINCEN,de:CINCDE,COPS")
    yield b
    b.close()


def test_each_channel_gets_its_languages_and_a_missing_one_is_marked(trilingual):
    bot, emu = trilingual, trilingual.emu
    bot.command("UFR", "declare P2 FR Panne réseau EN Network outage DE Netzwerkausfall")
    ch = bot.incident_channel()
    bot.command("UFR", "update monitoring FR Surveillance en cours EN Monitoring ongoing DE Überwachung läuft", channel=ch)
    de_thread = emu.replies("CINCDE", emu.messages("CINCDE")[0]["ts"])
    assert "Überwachung läuft" in str(de_thread[-1]["blocks"]) and "Monitoring ongoing" not in str(de_thread[-1]["blocks"])
    assert "Überwachung" in str(de_thread[-1]["blocks"])  # the status name from the German catalog
    assert "Netzwerkausfall" in str(emu.messages("CINCDE")[0]["blocks"])
    # A bare channel ID gets every language, in the configured order.
    ops = str(emu.replies("COPS", emu.messages("COPS")[0]["ts"])[-1]["blocks"])
    assert ops.index("Surveillance en cours") < ops.index("Monitoring ongoing") < ops.index("Überwachung läuft")
    # German left out: the German channel says a translation is to come; the author is told.
    bot.command("UEN", "update monitoring FR encore EN still", channel=ch)
    assert "*DE*" in str(emu.replies("CINCDE", emu.messages("CINCDE")[0]["ts"])[-1]["blocks"])
    assert "German" in bot.replies_to("UEN")[-1] or "Deutsch" in bot.replies_to("UEN")[-1]


def test_postmortem_has_a_section_per_language(trilingual):
    bot = trilingual
    bot.command("UFR", "declare P2 FR Panne EN Outage DE Ausfall")
    ch = bot.incident_channel()
    bot.command("UFR", "postmortem", channel=ch)
    md = next(f for f in bot.emu.files if f.filename == "TSR-2641-postmortem.md").content.decode()
    assert md.count("# Post Mortem") == 3
    assert "ENGLISH" in md and "DEUTSCH" in md
