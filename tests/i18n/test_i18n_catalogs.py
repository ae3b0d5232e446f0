"""Catalog loading: every shipped language really loads, missing ones fail loudly, a third language works."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.support import NullTranslations, Translations

from bot.core.model import Priority, Responsibility, Role, Status
from bot.i18n import Catalogs
from bot.i18n.catalogs import builtin_dirs, load

LOCALES = builtin_dirs()[0]
TEST_LOCALES = Path(__file__).parent.parent / "locales_test"
SHIPPED = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po"))
FRENCH_STATUS = {
    Status.INVESTIGATING: "investigation en cours",
    Status.IDENTIFIED: "identifié",
    Status.MONITORING: "surveillance",
    Status.RESOLVED: "résolu",
}


def write_po(directory: Path, code: str, body: str) -> None:
    path = directory / code / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    header = f'msgid ""\nmsgstr ""\n"Language: {code}\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    header += '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    path.write_text(header + body, encoding="utf-8")


def test_french_and_english_are_shipped():
    assert {"fr", "en"} <= set(SHIPPED)


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_language_loads_its_own_catalog(code):
    lang = Catalogs(languages=(code,), timezone="Europe/Paris").lang(code)
    assert lang.code == code
    assert isinstance(lang._t, Translations)  # a real compiled catalog, not the silent fallback
    if lang.locale.language != "en":
        assert lang.status(Status.RESOLVED) != "resolved"
        assert lang.responsibility(Responsibility.EXTERNAL) != "External"


def test_french_names():
    fr = Catalogs(languages=("fr",), timezone="Europe/Paris").lang("fr")
    assert {s: fr.status(s) for s in Status} == FRENCH_STATUS
    assert fr.status("monitoring") == "surveillance"
    assert fr.responsibility(Responsibility.INTERNAL) == "Interne"
    assert fr.responsibility(Responsibility.EXTERNAL) == "Externe"
    assert fr.role(Role.COMMANDER) == "responsable de l’incident"
    assert fr.priority(Priority.P2) == "P2"


def test_english_formats_with_the_locale_its_catalog_names():
    en = Catalogs(languages=("en",), timezone="Europe/Paris").lang("en")
    assert str(en.locale) == "en_GB"  # from the catalog's Language header: day/month, lower-case "pm"
    assert en.status(Status.MONITORING) == "monitoring"
    assert en.role(Role.COMMS) == "communications lead"
    assert en.responsibility("external") == "External"


def test_a_configured_language_without_catalog_is_an_error():
    with pytest.raises(ValueError) as error:
        Catalogs(languages=("fr", "de"), timezone="Europe/Paris")
    message = str(error.value)
    assert "'de'" in message
    assert str(LOCALES / "de" / "LC_MESSAGES" / "messages.po") in message


def test_only_english_may_go_without_catalog(tmp_path):
    translations, locale = load("en", [tmp_path])
    assert type(translations) is NullTranslations and locale.language == "en"
    with pytest.raises(ValueError, match=str(tmp_path / "it")):
        load("it", [tmp_path])


def test_unknown_language_code_is_an_error():
    with pytest.raises(ValueError, match="xx"):
        Catalogs(languages=("xx",), timezone="Europe/Paris")


def test_lang_picks_per_message_and_falls_back_to_the_first_language():
    cats = Catalogs(languages=("fr", "en"), timezone="Europe/Paris")
    assert [lang.code for lang in cats] == ["fr", "en"]
    assert cats.lang("FR") is cats.lang("fr-FR") is cats.lang("fr")
    assert cats.lang("es") is cats.lang(None) is cats.lang("fr")
    # Alternating languages message by message: no shared state leaks between them.
    assert [cats.lang(c).status("resolved") for c in ("fr", "en", "fr")] == ["résolu", "resolved", "résolu"]


def test_translation_then_format(tmp_path):
    write_po(
        tmp_path,
        "it",
        'msgid "Declared by {user}"\nmsgstr "Dichiarato da {user}"\n\n'
        'msgid "Broken {user}"\nmsgstr "Rotto {utente}"\n\n'
        'msgid "{n} minute"\nmsgid_plural "{n} minutes"\nmsgstr[0] "{n} minuto"\nmsgstr[1] "{n} minuti"\n\n'
        '#, fuzzy\nmsgid "Start"\nmsgstr "Inizio"\n',
    )
    it = Catalogs(languages=("it",), timezone="Europe/Rome", extra_dirs=[tmp_path]).lang("it")
    assert it._("Declared by {user}", user="<@U1>") == "Dichiarato da <@U1>"
    assert it._("Declared by {user}") == "Dichiarato da {user}"  # no params: no formatting
    assert it.ngettext("{n} minute", "{n} minutes", 1, n=1) == "1 minuto"
    assert it.ngettext("{n} minute", "{n} minutes", 3, n=3) == "3 minuti"
    assert it._("Start") == "Start"  # fuzzy translations are not used
    assert it._("Broken {user}", user="U") == "Broken U"  # a bad translation falls back to English
    assert it._("Not in the catalog {x}", x=1) == "Not in the catalog 1"


def test_bad_duration_width_is_refused_at_start(tmp_path):
    write_po(tmp_path, "it", 'msgid "duration-width:narrow"\nmsgstr "stretto"\n')
    with pytest.raises(ValueError, match="duration-width"):
        Catalogs(languages=("it",), timezone="Europe/Rome", extra_dirs=[tmp_path])


def test_third_language_from_extra_dirs():
    cats = Catalogs(languages=("de", "fr", "en"), timezone="Europe/Paris", extra_dirs=[TEST_LOCALES])
    de = cats.lang("de")
    assert [lang.code for lang in cats] == ["de", "fr", "en"]
    assert cats.lang("xx") is de  # the first configured language, whichever it is
    start = datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc)
    assert de.datetime(start) == "04.12.2025 12:08 CET"
    assert de.moment(start) == "4. Dezember 12:08"
    assert de.time(start, now=start + timedelta(days=1)) == "4. Dez. 12:08 CET"
    assert de.duration(timedelta(hours=3, minutes=34)) == "3 Std., 34 Min."  # CLDR German units and list
    assert de.duration(timedelta(days=1, hours=2)) == "1 Tg., 2 Std."
    assert de.list(["a", "b", "c"]) == "a, b und c"
    assert de.status(Status.MONITORING) == "Überwachung"
    assert de._("Declared by {user}", user="<@U1>") == "Ausgerufen von <@U1>"
    assert de.ngettext("{n} minute", "{n} minutes", 5, n=5) == "5 Minuten"
    # Untranslated in the small test catalog: the English msgid, never another language.
    assert de.status(Status.RESOLVED) == "resolved"
    assert cats.lang("fr").status(Status.MONITORING) == "surveillance"
