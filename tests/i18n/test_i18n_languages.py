"""Adding a language as a user would: a missing catalog is one line and exit 2, `init` writes into
the user's folder, a partial catalog is listed, and markers must be literals Babel can extract."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot import cli
from bot.i18n import Catalogs, tools
from bot.i18n.__main__ import main as i18n_main

REPO = Path(__file__).parent.parent.parent
TEST_LOCALES = REPO / "tests" / "locales_test"
ENV = {"INCIDENT_LANGUAGES": "fr,en,de", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"}


@pytest.mark.parametrize("argv", [["serve"], ["postmortem", "TSR-1"], ["timeline", "TSR-1"], ["db", "upgrade"],
                                  ["playground"], []])
def test_a_language_without_catalog_is_one_line_and_exit_2(argv, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CELLULE_LOCALE_DIRS", raising=False)
    for name, value in {**ENV, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "INCIDENT_LANGUAGES" in err and "'de'" in err
    assert "python -m bot.i18n init de" in err and "CELLULE_LOCALE_DIRS" in err
    assert not (tmp_path / "db.sqlite").exists()  # refused before touching anything


def test_the_same_language_with_a_catalog_folder_is_accepted(monkeypatch):
    from bot.config import Settings

    settings = Settings.from_env({**ENV, "CELLULE_LOCALE_DIRS": str(TEST_LOCALES)})
    assert settings.languages == ("fr", "en", "de")


def test_init_writes_into_the_users_folder_never_into_the_shipped_one(tmp_path, monkeypatch, capsys):
    shipped = sorted((REPO / "locales").iterdir())
    mine = tmp_path / "mine"
    monkeypatch.setenv("CELLULE_LOCALE_DIRS", f"{mine}:{tmp_path / 'other'}")
    assert i18n_main(["init", "it"]) == 0
    assert (mine / "it" / "LC_MESSAGES" / "messages.po").is_file()
    assert i18n_main(["init", "pt", "--dir", str(tmp_path / "named")]) == 0
    assert (tmp_path / "named" / "pt" / "LC_MESSAGES" / "messages.po").is_file()
    assert i18n_main(["init", "nl", "--dir", str(REPO / "locales")]) == 2
    monkeypatch.delenv("CELLULE_LOCALE_DIRS")
    assert i18n_main(["init", "nl"]) == 2
    assert "--dir" in capsys.readouterr().err
    assert sorted((REPO / "locales").iterdir()) == shipped
    assert i18n_main(["check"]) == 0  # the shipped catalogs are untouched


def test_a_partial_catalog_falls_back_to_english_and_is_listed(monkeypatch, caplog, capsys):
    with caplog.at_level(logging.WARNING, logger="bot.i18n.catalogs"):
        de = Catalogs(languages=("de",), extra_dirs=[TEST_LOCALES]).lang("de")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("de: ") and "check --lang de" in warnings[0]
    count = int(warnings[0].split()[1])
    assert de._("Declared by {user}", user="U") == "Ausgerufen von U"
    assert de._("Post Mortem") == "Post Mortem"  # English fills the gap
    monkeypatch.setenv("CELLULE_LOCALE_DIRS", str(TEST_LOCALES))
    assert i18n_main(["check", "--lang", "de"]) == 1
    err = capsys.readouterr().err
    assert "'Post Mortem' is not translated" in err and f"{count} catalog problem(s)" in err


def test_complete_shipped_catalogs_pass_check_lang(capsys):
    for code in ("fr", "es"):
        assert i18n_main(["check", "--lang", code]) == 0, capsys.readouterr().err


CODE = '''
from bot.i18n import N_

TITLE = N_("Post Mortem")


def render(lang, langs, joined):
    return f"*{joined(langs, N_('Services affected'))}*"
'''


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bot").mkdir()
    (tmp_path / "locales").mkdir()
    return tmp_path


def test_check_fails_on_a_marker_inside_an_f_string(project):
    (project / "bot" / "render.py").write_text(CODE, encoding="utf-8")
    tools.extract(project)
    problems = tools.check(project)
    assert len(problems) == 1 and "N_('Services affected') is not extracted" in problems[0], problems
    assert i18n_main(["--root", str(project), "check"]) == 1


@pytest.mark.parametrize("call", ['N_(f"Down since {x}")', 'lang._(f"Down since {x}")', 'N_("Down " + x)', "N_(x)"])
def test_check_fails_on_a_marker_applied_to_anything_but_a_literal(project, call):
    (project / "bot" / "render.py").write_text(f"from bot.i18n import N_\n\ndef f(lang, x):\n    return {call}\n")
    tools.extract(project)
    problems = tools.check(project)
    assert len(problems) == 1 and "not a string literal" in problems[0], problems
