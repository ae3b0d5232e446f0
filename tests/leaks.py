"""Finding one language's catalog text in another language's output (issue 13: no leaks).

For a language L, the *foreign* strings are the pieces of every other shipped language's
translations (split at placeholders and line ends, at least 6 characters with a letter) that appear
nowhere in L's own catalog. English's "translations" are its msgids. An output meant for L that
contains one of them has leaked another language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[1] / "locales"
SHIPPED = tuple(sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file()))
_PIECES = re.compile(r"\{[^{}]*\}|\n")
# CLDR patterns, the machine-read prefixes and the status-word lists are not shown as such.
_NOT_SHOWN = re.compile(r"^(duration-width:|time-fillers:)|[dMyHhm]{2}|, ")


@lru_cache(maxsize=None)
def texts(code: str) -> tuple[str, ...]:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        shown = [s for s in strings if s] if code != "en" else []
        out += shown or list(ids)
    return tuple(out)


@lru_cache(maxsize=None)
def foreign(code: str) -> frozenset[str]:
    own = "\n".join(texts(code))
    found = set()
    for other in SHIPPED:
        if other == code:
            continue
        for text in texts(other):
            if _NOT_SHOWN.search(text) and len(text) < 40:
                continue
            for piece in _PIECES.split(text):
                piece = piece.strip(" .:;,()«»“”*_")
                if len(piece) >= 6 and any(c.isalpha() for c in piece) and piece not in own:
                    found.add(piece)
    return frozenset(found)


def leaks(text: str, code: str) -> list[str]:
    """The other languages' catalog strings found in ``text``, meant to be in ``code`` only."""
    return sorted(p for p in foreign(code) if p in text)


def shown_texts(node) -> list[str]:
    """Every "text" (and "value"/"title" label) string inside Block Kit, a view or a message."""
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("text", "placeholder", "label", "title") and isinstance(v, str):
                out.append(v)
            else:
                out += shown_texts(v)
    elif isinstance(node, list):
        for v in node:
            out += shown_texts(v)
    return out
