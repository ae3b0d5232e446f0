"""Typed times in every configured language: the CLDR words bot.i18n gives bot.core.timeparse."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.timeparse import TimeParseError, parse_when, split_leading_time
from bot.i18n import Catalogs

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 12, 8, 9, 0, tzinfo=UTC)  # Monday 8 December 2025, 10:00 CET
TEST_LOCALES = Path(__file__).resolve().parents[1] / "locales_test"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def words():
    return Catalogs(languages=("es", "fr", "en")).time_words


@pytest.mark.parametrize(("text", "expected"), [
    ("4 de diciembre 12:08", utc(2025, 12, 4, 11, 8)),
    ("4 de diciembre de 2025 a las 12:08", utc(2025, 12, 4, 11, 8)),
    ("el 4 de dic. a las 12:08", utc(2025, 12, 4, 11, 8)),
    ("jueves 4 de diciembre 12:08", utc(2025, 12, 4, 11, 8)),
    ("4 dic 12:08 p. m.", utc(2025, 12, 4, 11, 8)),
    ("3 de marzo 10:00", utc(2025, 3, 3, 9, 0)),
    ("3 de agosto 10:00", utc(2025, 8, 3, 8, 0)),
    ("ayer 23:10", utc(2025, 12, 7, 22, 10)),
    ("anteayer 8:00", utc(2025, 12, 6, 7, 0)),
    ("hoy 9:00", utc(2025, 12, 8, 8, 0)),
    # French and English still read alongside.
    ("4 décembre 12h08", utc(2025, 12, 4, 11, 8)),
    ("Dec 4 12:08pm", utc(2025, 12, 4, 11, 8)),
    ("hier 23h10", utc(2025, 12, 7, 22, 10)),
])
def test_spanish_times(words, text, expected):
    assert parse_when(text, now=NOW, tz=PARIS, words=words) == expected


def test_spanish_words_are_not_read_without_spanish():
    with pytest.raises(TimeParseError):
        parse_when("ayer 23:10", now=NOW, tz=PARIS)


def test_spanish_leading_time_and_text(words):
    evening = datetime(2025, 12, 4, 17, 30, tzinfo=PARIS)
    assert split_leading_time("4 de diciembre a las 16:39 el incidente vuelve", now=evening, tz=PARIS,
                              words=words) == (utc(2025, 12, 4, 15, 39), "el incidente vuelve")
    assert split_leading_time("hoy hay 3 servidores caídos", now=evening, tz=PARIS, words=words) == (
        None, "hoy hay 3 servidores caídos")


def test_a_users_language_gets_its_cldr_words_too():
    words = Catalogs(languages=("de", "en"), extra_dirs=[TEST_LOCALES]).time_words
    assert parse_when("gestern 23:10", now=NOW, tz=PARIS, words=words) == utc(2025, 12, 7, 22, 10)
    assert parse_when("4. Dezember 2025 12:08", now=NOW, tz=PARIS, words=words) == utc(2025, 12, 4, 11, 8)
