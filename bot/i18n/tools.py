"""Catalog maintenance: extract messages from the code, and check the catalogs in CI.

Extraction goes through pybabel's own front end, so the mapping in ``pyproject.toml``
(``[[tool.babel.mappings]]``) is the one source of truth; the rest uses Babel's catalog API.
"""

from __future__ import annotations

import ast
import string
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAIN, builtin_dirs, catalog_path, find_catalog, untranslated

KEYWORDS = ("_", "ngettext:1,2", "N_")
COMMENT_TAG = "Translators:"
# Same layout for the template and every .po: no line numbers, sorted, so moving code is no diff.
WRITE = dict(no_location=True, sort_output=True, width=100)


def default_root() -> Path:
    return builtin_dirs()[0].parent


def template_path(root: Path) -> Path:
    return root / "locales" / f"{DOMAIN}.pot"


def po_files(root: Path) -> Iterator[tuple[str, Path]]:
    for directory in sorted((root / "locales").iterdir()):
        path = catalog_path(root / "locales", directory.name)
        if path.is_file():
            yield directory.name, path


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, domain=DOMAIN)


def _write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, **WRITE)


def extract_template(root: Path, output: Path) -> None:
    argv = ["pybabel", "--quiet", "extract", "-F", str(root / "pyproject.toml"), "--no-default-keywords"]
    argv += [arg for k in KEYWORDS for arg in ("-k", k)]
    argv += ["-c", COMMENT_TAG, "--no-location", "--sort-output", "-w", str(WRITE["width"])]
    argv += ["--project", "Cellule", "--copyright-holder", "Cellule contributors", "-o", str(output), str(root)]
    CommandLineInterface().run(argv)


def fresh_template(root: Path) -> tuple[Catalog, bytes]:
    """What extraction gives now: the parsed template and the file's bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{DOMAIN}.pot"
        extract_template(root, path)
        data = path.read_bytes()
    return read_po(BytesIO(data), domain=DOMAIN), data


def extract(root: Path) -> list[str]:
    """Regenerate ``messages.pot`` and merge it into every ``.po``, keeping translations.

    Files whose messages did not change are left alone, so a run never makes a date-only diff.
    """
    pot = template_path(root)
    template, data = fresh_template(root)
    changed = not pot.is_file() or bool(_differences(template, _read(pot)))
    if changed:
        pot.write_bytes(data)
    done = [str(pot)] if changed else []
    for _code, path in po_files(root):
        catalog = _read(path)
        before = {k: _extracted(m) for k, m in _messages(catalog).items()}
        catalog.update(template, update_creation_date=changed)
        if changed or before != {k: _extracted(m) for k, m in _messages(catalog).items()}:
            _write(path, catalog)
            done.append(str(path))
    return done


def init(root: Path, code: str, locale: str | None = None, directory: Path | None = None) -> Path:
    """Start the catalog of a new language from the template (``locale`` picks CLDR formatting).

    It goes into ``directory`` (a folder of CELLULE_LOCALE_DIRS), by default the project's
    ``locales/``: the command line never passes that default for a user's language.
    """
    path = catalog_path(directory or root / "locales", code)
    if path.exists():
        raise ValueError(f"{path} already exists")
    catalog = Catalog(
        locale=Locale.parse(locale or code), domain=DOMAIN, project="Cellule", copyright_holder="Cellule contributors", fuzzy=False
    )
    catalog.update(_read(template_path(root)))
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, catalog)
    return path


def _key(m: Message) -> tuple:
    return (m.context, m.id)


def _messages(catalog: Catalog) -> dict[tuple, Message]:
    return {_key(m): m for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _extracted(m: Message) -> tuple:
    return (m.id, sorted(m.flags), m.auto_comments)


def _shown(m: Message) -> str:
    """The msgid's first line, short enough for one line of output."""
    text = (m.id[0] if isinstance(m.id, tuple) else m.id).splitlines()[0]
    return repr(text if len(text) <= 70 else text[:69] + "…")


def _differences(fresh: Catalog, committed: Catalog) -> list[str]:
    """What extraction would change in the template, ignoring its header (dates, year)."""
    new, old = _messages(fresh), _messages(committed)
    lines = [f"new in the code: {_shown(new[k])}" for k in new.keys() - old.keys()]
    lines += [f"no longer in the code: {_shown(old[k])}" for k in old.keys() - new.keys()]
    lines += [f"other comments or flags: {_shown(new[k])}" for k in new.keys() & old.keys() if _extracted(new[k]) != _extracted(old[k])]
    return sorted(lines)


def placeholder_problems(m: Message) -> list[str]:
    ids = m.id if isinstance(m.id, tuple) else (m.id,)
    strings = m.string if isinstance(m.string, tuple) else (m.string,)
    problems = []
    for i, text in enumerate(strings):
        expected = _fields(ids[min(i, len(ids) - 1)])
        if text and _fields(text) != expected:
            problems.append(f"placeholders {sorted(_fields(text))} instead of {sorted(expected)} in {_shown(m)}")
    return problems


def check(root: Path) -> list[str]:
    """Every problem found, one line each; empty when the catalogs are up to date and complete."""
    problems = []
    pot = template_path(root)
    template = _read(pot) if pot.is_file() else Catalog()
    fresh = fresh_template(root)[0]
    for line in _differences(fresh, template):
        problems.append(f"{pot} is stale (run `python -m bot.i18n extract`): {line}")
    # A literal that extraction does not find now sits where it cannot look (an f-string's braces).
    problems += marker_problems(root, {k[1] if isinstance(k[1], str) else k[1][0] for k in _messages(fresh)})
    committed = _messages(template)
    for code, path in po_files(root):
        messages = _messages(_read(path))
        if messages.keys() != committed.keys():
            problems.append(f"{path} is not up to date with {pot.name} (run `python -m bot.i18n extract`)")
        english = Locale.parse(code).language == "en"
        for m in messages.values():
            label = f"{path}: {_shown(m)}"
            if not english and m.fuzzy:
                problems.append(f"{label} is fuzzy")
            elif not english and not all(m.string if isinstance(m.string, tuple) else (m.string,)):
                problems.append(f"{label} is not translated")
            problems += [f"{path}: {p}" for p in placeholder_problems(m)]
    return problems


def check_language(code: str, dirs: list[Path], root: Path) -> list[str]:
    """The problems of one language's catalog, wherever it is: each message left in English, bad placeholders."""
    path = find_catalog(code, dirs)
    if path is None:
        return [f"no catalog for {code!r}; looked in {', '.join(str(d) for d in dirs)}"]
    catalog = _read(path)
    pot = template_path(root)
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(pot) if m.id} if pot.is_file() else set()
    problems = [f"{path}: {_shown_id(i)} is not translated (shown in English)" for i in untranslated(catalog, template)]
    for m in _messages(catalog).values():
        problems += [f"{path}: {p}" for p in placeholder_problems(m)]
    return problems


def _shown_id(msgid: str) -> str:
    text = msgid.splitlines()[0] if msgid else msgid
    return repr(text if len(text) <= 70 else text[:69] + "…")


# --- markers must be literals, and every literal must reach the template ----------------------

_MARKERS = {"N_", "_", "ngettext"}


def _marker_name(call: ast.Call) -> str | None:
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return name if name in _MARKERS else None


def marker_problems(root: Path, template_ids: set[str]) -> list[str]:
    """``N_(f"...")``, ``_("a" + b)``: a marker on something Babel cannot read; and a literal marked
    where extraction does not look (inside an f-string's braces), so its msgid is not in the template."""
    problems = []
    for path in sorted((root / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(root)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args or (name := _marker_name(node)) is None:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value and arg.value not in template_ids:
                    problems.append(f"{where}:{node.lineno}: {name}({_shown_id(arg.value)}) is not extracted "
                                    "(a marker inside an f-string? use a constant)")
            elif name == "N_" or isinstance(arg, (ast.JoinedStr, ast.BinOp)):
                problems.append(f"{where}:{node.lineno}: {name}() is applied to {type(arg).__name__}, not a "
                                "string literal, so it is never extracted")
    return problems
