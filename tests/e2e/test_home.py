"""The Home tab, published through the emulator's views.publish, in each viewer's language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=PARIS)


@pytest.fixture
def bot(dora_bot):
    return dora_bot


def home_text(bot, user: str) -> str:
    view = bot.emu.home(user)
    assert view is not None and view["type"] == "home"
    return str(view["blocks"])


def buttons(bot, user: str) -> list[str]:
    return [e["action_id"] for b in bot.emu.home(user)["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_home_tab_lists_open_incidents_in_each_viewers_language(bot):
    bot.clock.set(T0)
    bot.command("UFR", "declare P1 FR Paiements refusés EN Payments declined")
    crisis = bot.incident_channel()
    bot.command("UFR", "role comms <@UEN>", channel=crisis)
    bot.clock.set(T0 + timedelta(minutes=42))
    for user in ("UFR", "UEN", "USTAKE"):
        bot.emu.open_home(user)
    bot.settle()

    fr, en = home_text(bot, "UFR"), home_text(bot, "UEN")
    assert "Incidents ouverts" in fr and "Paiements refusés" in fr and "Payments declined" not in fr
    assert "Open incidents" in en and "Payments declined" in en
    assert "TSR-2641" in fr and "P1" in fr and "42 min" in fr
    assert "votre rôle : responsable de l’incident" in fr and "your role: communications lead" in en
    assert buttons(bot, "UFR") == ["open_update_form", "open_classify_form"]
    # A stakeholder outside the crisis unit sees the list, without the buttons.
    assert "Payments declined" in home_text(bot, "USTAKE") and buttons(bot, "USTAKE") == []


def test_home_tab_is_refreshed_when_an_incident_changes_and_its_buttons_open_forms(bot):
    bot.clock.set(T0)
    bot.emu.open_home("UEN")
    bot.settle()
    assert "No open incident" in home_text(bot, "UEN")
    bot.command("UFR", "declare P2 FR Lenteurs EN Slowness")
    crisis = bot.incident_channel()
    bot.command("UFR", "update identified FR Trouvé EN Found", channel=crisis)
    assert "Slowness" in home_text(bot, "UEN") and "identified" in home_text(bot, "UEN").lower()

    bot.emu.click_home("UEN", "open_update_form")
    bot.settle()
    assert bot.emu.views("UEN")[-1]["callback_id"] == "update"
    bot.emu.click_home("UEN", "open_classify_form")
    bot.settle()
    assert bot.emu.views("UEN")[-1]["callback_id"] == "dora_classify"


def test_a_private_incident_is_shown_only_to_those_who_may_read_it(bot):
    bot.clock.set(T0)
    bot.command("UFR", "declare")
    view = bot.emu.views("UFR")[-1]
    bot.emu.submit_view("UFR", view["id"], {"title_fr": {"value": "Fuite"}, "title_en": {"value": "Leak"},
                                             "private": {"value": ["private"]}})
    bot.settle()
    bot.emu.open_home("UEN")
    bot.emu.open_home("USTAKE")
    bot.settle()
    assert "Leak" in home_text(bot, "UEN")  # crisis unit
    assert "Leak" not in home_text(bot, "USTAKE")
