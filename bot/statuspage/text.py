"""Small helpers the page, feeds, JSON and mirror share."""

from __future__ import annotations

from bot.core.model import Texts
from bot.core.publicpage import PublicIncident


def pick(texts: Texts, lang: str, languages: tuple[str, ...]) -> str:
    """The text in `lang`, else in the first configured language that has one."""
    if texts.get(lang):
        return texts[lang]
    return next((texts[c] for c in languages if texts.get(c)), next((t for t in texts.values() if t), ""))


def in_order(texts: Texts, lang: str, languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """(code, text) for every language that has text, the reader's first."""
    order = [lang] + [c for c in languages if c != lang]
    return [(c, texts[c]) for c in order if texts.get(c)]


def postmortem_update_id(incident: PublicIncident) -> str:
    return f"{incident.ref}-postmortem"
