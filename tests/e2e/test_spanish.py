"""Spanish shipped, any number of languages (issue 13): a whole incident with fr,en,es and with
each shipped language alone, a fourth language from a user's folder, and no language leaking into
another's output."""

from __future__ import annotations

import re
import string
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Status
from bot.flows.messages import MESSAGES, describe
from bot.i18n import Catalogs
from tests.e2e.harness import Bot
from tests.leaks import leaks, shown_texts

# What each language reads: the same on any database (the store's own tests run on both).
pytestmark = pytest.mark.any_database

PARIS = ZoneInfo("Europe/Paris")
TEST_LOCALES = Path(__file__).resolve().parents[1] / "locales_test"


def at(hour: int, minute: int) -> datetime:
    return datetime(2025, 12, 4, hour, minute, tzinfo=PARIS)


def add_spanish(emu) -> None:
    emu.add_user("UES", "lucia", locale="es-ES", tz="Europe/Madrid", real_name="Lucía García")
    emu.add_channel("incidents-es", id="CINCES", members=(emu.bot_user_id, "UFR", "UEN", "UES"))


def channel_texts(emu, channel: str) -> list[str]:
    """Everything shown in a channel: its posts, their threads, its topic."""
    out = [emu.topic(channel)]
    for m in emu.messages(channel):
        out += [m.get("text", "")] + shown_texts(m.get("blocks", []))
        if m.get("ts"):
            for r in emu.replies(channel, m["ts"])[1:]:
                out += [r.get("text", "")] + shown_texts(r.get("blocks", []))
    return [t for t in out if t]


def said_to(emu, user: str) -> list[str]:
    out = []
    for e in emu.ephemerals(user):
        out += [e.get("text", "")] + shown_texts(e.get("blocks", []))
    for v in emu.views(user):
        out += shown_texts(v)
    return [t for t in out if t]


def postmortem_sections(markdown: str, codes: list[str]) -> dict[str, str]:
    """Each language's section, its separator line included; the "version below" line left out
    (it is written in every language on purpose)."""
    body = markdown.split("\n\n", 1)[1] if len(codes) > 1 else markdown
    parts = [p for p in body.split("\n\n==============") if p.strip()]
    assert len(parts) == len(codes), parts
    return dict(zip(codes, parts))


def assert_no_leak(texts: list[str], code: str, where: str) -> None:
    found = {t[:80]: leaks(t, code) for t in texts if leaks(t, code)}
    assert not found, f"{where} ({code}) shows other languages' strings: {found}"


@pytest.fixture
def fr_en_es(emulator, database_url, clock):
    add_spanish(emulator)
    b = Bot(emulator, database_url, clock, INCIDENT_LANGUAGES="fr,en,es",
            ANNOUNCE_CHANNELS="fr:CINCFR,en:CINCEN,es:CINCES", CRISIS_UNIT="SCRISIS,UES")
    yield b
    b.close()


def test_a_whole_incident_in_french_english_and_spanish(fr_en_es):
    bot, emu = fr_en_es, fr_en_es.emu
    bot.clock.set(at(12, 10))
    bot.command("UES", "declare P2 FR Paiements indisponibles EN Payments unavailable ES Pagos no disponibles")
    ch = bot.incident_channel()
    assert "Pagos no disponibles" in str(emu.messages("CINCES")[0]["blocks"])
    bot.clock.set(at(12, 20))
    bot.command("UES", "impact start 12:08", channel=ch)
    bot.command("UES", "event 4 de diciembre a las 12:13 :rotating_light: ES Saltan las alertas "
                       "EN Alerts raised FR Remontées d'alertes", channel=ch)
    bot.command("UES", "impact end 4 dic 12:13", channel=ch)
    bot.command("UES", "update identified ES Servidor defectuoso en un proveedor EN Faulty server at a provider "
                       "FR Serveur défaillant chez un prestataire", channel=ch)
    # Text without codes is its author's language; the reply says so and offers to add the others.
    bot.clock.set(at(12, 30))
    bot.command("UES", "update monitoring Solo en español por ahora", channel=ch)
    reply = emu.ephemerals("UES")[-1]
    assert "se ha leído como español" in reply["text"] and "add_translation" in str(reply["blocks"])
    assert "francés" in reply["text"] and "inglés" in reply["text"]
    threads = {c: str(emu.replies(c, emu.messages(c)[0]["ts"])[-1]["blocks"]) for c in ("CINCFR", "CINCEN", "CINCES")}
    assert "Solo en español por ahora" in threads["CINCES"] and "en vigilancia" in threads["CINCES"]
    assert "traduction à venir" in threads["CINCFR"] and "Solo en español" not in threads["CINCFR"]
    assert "translation to come" in threads["CINCEN"]
    # The notification text (what Slack shows in alerts) uses the channel's own status name.
    fr_text = emu.replies("CINCFR", emu.messages("CINCFR")[0]["ts"])[-1]["text"]
    assert fr_text.startswith("TSR-2641 surveillance :") and "monitoring" not in fr_text
    bot.command("UEN", "update monitoring Still watching the provider", channel=ch)
    assert "read as English" in emu.ephemerals("UEN")[-1]["text"]
    assert "Still watching" in str(emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])[-1]["blocks"])
    # A zone that contradicts the date is refused, and says why, in Spanish.
    bot.command("UES", "event 12:25 CEST ES algo", channel=ch)
    assert "CEST no está en vigor" in emu.ephemerals("UES")[-1]["text"] and "CET" in emu.ephemerals("UES")[-1]["text"]
    bot.clock.set(at(17, 0))
    bot.command("UES", "reopen 16:39 ES El incidente vuelve EN The incident is back FR L'incident revient", channel=ch)
    bot.command("UES", "impact 16:39 - 16:58", channel=ch)
    bot.clock.set(at(17, 5))
    bot.command("UES", "resolve ES Todo funciona EN All working FR Tout fonctionne", channel=ch)
    bot.command("UES", "set cause ES Fallo de un proveedor EN Provider failure FR Panne chez un prestataire", channel=ch)
    bot.command("UES", "postmortem", channel=ch)
    md = next(f for f in emu.files if f.filename == "TSR-2641-postmortem.md").content.decode()
    assert md.splitlines()[0] == "# _English version below / Versión en español más abajo_"
    sections = postmortem_sections(md, ["fr", "en", "es"])
    assert "VERSIÓN EN ESPAÑOL" in sections["es"] and "ENGLISH VERSION" in sections["en"]
    assert "* **4 de diciembre 12:08: inicio del incidente.**" in sections["es"]
    assert "* **4 de diciembre 12:13:** Saltan las alertas" in sections["es"]
    assert "el historial del canal de crisis" in sections["es"]
    assert "the crisis channel's history" in sections["en"] and "historique" not in sections["en"]
    assert "**Causa raíz** Fallo de un proveedor" in sections["es"]
    for code, section in sections.items():
        assert_no_leak([section], code, "postmortem")
    for code, channel in (("fr", "CINCFR"), ("en", "CINCEN"), ("es", "CINCES")):
        assert_no_leak(channel_texts(emu, channel), code, channel)
    for code, user in (("fr", "UFR"), ("en", "UEN"), ("es", "UES")):
        assert_no_leak(said_to(emu, user), code, f"what {user} was told")


# The same incident typed by someone of each shipped language, that language alone configured.
ALONE = {
    "fr": dict(declare="declare P2 Paiements indisponibles", event="event 4 décembre 12h13 Remontées d'alertes",
               update="update surveillance Le prestataire a corrigé", bad_status="update peutetre x",
               resolve="resolve Tout fonctionne", cause="set cause Panne chez un prestataire",
               moment="* **4 décembre 12h08 : début de l’incident.**"),
    "en": dict(declare="declare P2 Payments unavailable", event="event Dec 4 12:13pm Alerts raised",
               update="update monitoring The provider fixed it", bad_status="update maybe x",
               resolve="resolve All working", cause="set cause Provider failure",
               moment="* **4 December 12:08pm: start of the incident.**"),
    "es": dict(declare="declare P2 Pagos no disponibles", event="event 4 de diciembre 12:13 Saltan las alertas",
               update="update vigilancia El proveedor lo ha corregido", bad_status="update quizas x",
               resolve="resolve Todo funciona", cause="set cause Fallo de un proveedor",
               moment="* **4 de diciembre 12:08: inicio del incidente.**"),
}


@pytest.mark.parametrize("code", sorted(ALONE))
def test_one_language_alone_shows_nothing_of_the_others(emulator, database_url, clock, code):
    add_spanish(emulator)
    user = {"fr": "UFR", "en": "UEN", "es": "UES"}[code]
    bot = Bot(emulator, database_url, clock, INCIDENT_LANGUAGES=code, ANNOUNCE_CHANNELS=f"CINC{code.upper()},COPS",
              CRISIS_UNIT="SCRISIS,UES")
    try:
        emu, typed = bot.emu, ALONE[code]
        bot.clock.set(at(12, 10))
        bot.command(user, "help")
        bot.command(user, "declare")  # the form
        bot.command(user, typed["declare"])
        ch = bot.incident_channel()
        bot.clock.set(at(12, 30))
        for text in ("impact 12:08 - 12:13", typed["event"], typed["update"], typed["bad_status"],
                     "event 12:25 CEST x", "event 12:25 IST x", "role boss <@UEN>", "status", "timeline", "list",
                     "update"):  # the last one opens the update form
            bot.command(user, text, channel=ch)
        bot.clock.set(at(17, 5))
        for text in (typed["resolve"], typed["cause"], "postmortem"):
            bot.command(user, text, channel=ch)
        md = next(f for f in emu.files if f.filename == "TSR-2641-postmortem.md").content.decode()
        assert md.count("# Post Mortem") == 1 and "====" not in md
        assert typed["moment"] in md
        assert_no_leak([md], code, "postmortem")
        shown = channel_texts(emu, f"CINC{code.upper()}") + channel_texts(emu, "COPS") + channel_texts(emu, ch)
        assert_no_leak(shown, code, "channels")
        # Status names in posts (the help lists the English command words on purpose, so they are
        # checked here rather than by the catalog-wide search).
        others = {Catalogs(languages=(o,)).lang(o).status(s) for o in ALONE if o != code for s in Status}
        others -= {bot.rt.deps.catalogs.lang(code).status(s) for s in Status}
        found = {name for name in others for t in shown if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", t)}
        assert not found, f"other languages' status names in the {code} channels: {found}"
        told = said_to(emu, user)
        assert len(told) > 20 and not any("read as" in t for t in told)
        assert_no_leak(told, code, "replies, forms and errors")
    finally:
        bot.close()


@pytest.mark.parametrize("code", ["fr", "en", "es"])
def test_every_refusal_is_in_the_readers_language_only(code):
    lang = Catalogs(languages=(code,)).lang(code)
    for key, msgid in MESSAGES.items():
        params = {name: "X" for _, name, _, _ in string.Formatter().parse(msgid) if name}
        assert_no_leak([describe(lang, key, **params)], code, key)


def test_a_fourth_language_from_a_users_catalog_folder(emulator, database_url, clock):
    add_spanish(emulator)
    emulator.add_channel("incidents-de", id="CINCDE", members=(emulator.bot_user_id, "UFR"))
    bot = Bot(emulator, database_url, clock, INCIDENT_LANGUAGES="es,fr,en,de", CELLULE_LOCALE_DIRS=str(TEST_LOCALES),
              ANNOUNCE_CHANNELS="es:CINCES,fr:CINCFR,en:CINCEN,de:CINCDE", CRISIS_UNIT="SCRISIS,UES")
    try:
        emu = bot.emu
        bot.clock.set(at(12, 10))
        bot.command("UES", "declare P2 ES Caída FR Panne EN Outage DE Ausfall")
        ch = bot.incident_channel()
        bot.command("UES", "update monitoring ES Vigilando FR Surveillance EN Watching DE Überwachung läuft", channel=ch)
        de_thread = str(emu.replies("CINCDE", emu.messages("CINCDE")[0]["ts"])[-1]["blocks"])
        assert "Überwachung läuft" in de_thread and "Vigilando" not in de_thread
        bot.command("UES", "postmortem", channel=ch)
        md = next(f for f in emu.files if f.filename == "TSR-2641-postmortem.md").content.decode()
        assert md.count("# Post Mortem") == 4
        assert md.index("Resumen del incidente") < md.index("FRANÇAIS") < md.index("ENGLISH") < md.index("DEUTSCH")
    finally:
        bot.close()
