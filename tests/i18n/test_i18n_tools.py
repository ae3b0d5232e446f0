"""`python -m bot.i18n extract|check` on a small project that uses the real pyproject.toml mapping."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.i18n import tools
from bot.i18n.__main__ import main

REPO = Path(__file__).parent.parent.parent

CODE = '''
from bot.i18n import N_

TITLE = N_("Post Mortem")


class Render:
    def header(self, lang, user, n):
        return lang._("Declared by {user}", user=user) + lang.ngettext("{n} minute", "{n} minutes", n, n=n)

    def nested(self):
        return self.lang._("Start of the incident.")

    def ignored(self, log):
        return log.info("not a message")
'''


def po(root: Path, code: str) -> Path:
    return root / "locales" / code / "LC_MESSAGES" / "messages.po"


def translate(path: Path, translations: dict) -> None:
    with path.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, **tools.WRITE)


FRENCH = {
    "Post Mortem": "Post Mortem",
    "Declared by {user}": "Déclaré par {user}",
    # French has three CLDR plural forms (one, many: "1 000 000 de minutes", other).
    ("{n} minute", "{n} minutes"): ("{n} minute", "{n} minutes", "{n} minutes"),
    "Start of the incident.": "Début de l’incident.",
}


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "render.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "locales").mkdir()
    tools.extract(tmp_path)
    tools.init(tmp_path, "fr")
    tools.init(tmp_path, "en", "en_GB")
    return tmp_path


def test_extract_finds_method_calls_plurals_and_markers(project):
    with tools.template_path(project).open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id}
    assert ids == set(FRENCH)
    assert "#: " not in tools.template_path(project).read_text()  # --no-location


def test_check_lists_untranslated_french_only(project):
    problems = tools.check(project)
    assert len(problems) == 4
    assert all("/fr/" in p and "not translated" in p for p in problems)
    translate(po(project, "fr"), FRENCH)
    assert tools.check(project) == []
    assert main(["--root", str(project), "check"]) == 0


def test_check_finds_stale_template_and_extract_keeps_translations(project, capsys):
    translate(po(project, "fr"), FRENCH)
    with (project / "bot" / "render.py").open("a") as f:
        f.write('\ndef more(lang):\n    return lang._("End of the incident.")\n')
    problems = tools.check(project)
    assert len(problems) == 1 and "stale" in problems[0] and "End of the incident." in problems[0]
    assert main(["--root", str(project), "check"]) == 1
    assert "End of the incident." in capsys.readouterr().err

    tools.extract(project)
    problems = tools.check(project)
    # Babel guessed it from "Start of the incident." and marked it fuzzy for a translator to review.
    assert len(problems) == 1 and "'End of the incident.' is fuzzy" in problems[0]
    assert "Déclaré par {user}" in po(project, "fr").read_text()


def test_check_finds_a_po_behind_the_template(project):
    translate(po(project, "fr"), FRENCH)
    (project / "bot" / "render.py").write_text(CODE + '\nX = N_("New")\n', encoding="utf-8")
    tools.extract_template(project, tools.template_path(project))  # the .po files were not updated
    problems = tools.check(project)
    assert any("fr/LC_MESSAGES/messages.po is not up to date" in p for p in problems)
    assert any("en/LC_MESSAGES/messages.po is not up to date" in p for p in problems)


def test_check_finds_placeholder_mismatch_and_fuzzy(project):
    translate(po(project, "fr"), {**FRENCH, "Declared by {user}": "Déclaré par {utilisateur}"})
    path = po(project, "fr")
    with path.open("rb") as f:
        catalog = read_po(f)
    catalog["Start of the incident."].flags.add("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, **tools.WRITE)
    problems = tools.check(project)
    assert len(problems) == 2
    assert any("['utilisateur'] instead of ['user']" in p for p in problems)
    assert any("'Start of the incident.' is fuzzy" in p for p in problems)


def test_extract_without_code_changes_rewrites_nothing(project):
    translate(po(project, "fr"), FRENCH)
    files = [tools.template_path(project), po(project, "fr"), po(project, "en")]
    before = [f.read_bytes() for f in files]
    assert tools.extract(project) == []
    assert [f.read_bytes() for f in files] == before
