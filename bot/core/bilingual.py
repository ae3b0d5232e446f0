"""Text written in several languages, each after its upper-case code: ``FR Nous avons… EN We have…``.

A code counts only as a whole word (between spaces, or at an end), in upper case, and only for a
configured language: "EN" inside a word, or the French preposition "en", is ordinary text. A code may
be followed by a colon (``FR: …``, or ``FR : …`` the French way). Text before the first code is the
first configured language's; text with no code at all is the author's language (``default``) when
given, else the first configured language's. Refusals raise :class:`BilingualError` with a
stable code: ``duplicate_language`` (params: ``lang``) when a code is given twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.errors import Refusal
from bot.core.model import Texts


class BilingualError(Refusal, ValueError):
    """Text whose language codes cannot be read (a code twice)."""


def _marker(languages: Sequence[str]) -> re.Pattern:
    codes = sorted((lang.upper() for lang in languages), key=len, reverse=True)
    return re.compile(r"(?<!\S)(" + "|".join(map(re.escape, codes)) + r")(?:\s*:(?=\s|$)|:|(?=\s|$))")


def has_codes(text: str, languages: Sequence[str]) -> bool:
    """Whether ``text`` names any configured language with its code."""
    return bool(languages) and _marker(languages).search(text) is not None


def code_start(text: str, languages: Sequence[str]) -> int | None:
    """Where the first configured language's code is in ``text``, if anywhere."""
    match = _marker(languages).search(text) if languages else None
    return match.start() if match else None


def split_texts(text: str, languages: Sequence[str], default: str | None = None) -> Texts:
    """Split ``text`` by language code; parts left empty are absent. Keys follow ``languages``' order.

    The preamble before the first code joins the first language's own coded part, if it has one
    (the example's "TSR-2641 - Début / Start : … FR L'origine…" keeps its header in French).
    Text with no code at all is ``default``'s (a configured language), else the first language's.
    """
    if not languages:
        raise ValueError("no language configured")
    codes = {lang.upper(): lang for lang in languages}
    matches = list(_marker(languages).finditer(text))
    uncoded = default if default in languages and not matches else languages[0]
    bodies: dict[str, list[str]] = {uncoded: [text[: matches[0].start()] if matches else text]}
    coded: set[str] = set()
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        lang = codes[match[1]]
        if lang in coded:
            raise BilingualError("duplicate_language", lang=lang)
        coded.add(lang)
        bodies.setdefault(lang, []).append(text[match.end() : end])
    texts = {lang: " ".join(b.strip() for b in bodies.get(lang, []) if b.strip()) for lang in languages}
    return {lang: value for lang, value in texts.items() if value}


def missing_languages(texts: Texts, languages: Sequence[str]) -> list[str]:
    """The configured languages without text, in configured order."""
    return [lang for lang in languages if not texts.get(lang, "").strip()]
