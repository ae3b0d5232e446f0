"""Replies to commands that show how what was typed was read (new code kept out of render.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.webhook import WebhookClient

from bot.core.commands import closest_subcommand
from bot.core.model import Entry, EntryKind, Texts
from bot.i18n import N_, Lang
from bot.slack.render import escape, sections
from bot.slack.views import button_row

log = logging.getLogger("cellule.replies")

UNKNOWN = N_("I do not know the subcommand “{word}”.")
DID_YOU_MEAN = N_("Did you mean `{suggestion}`?")
YOU_TYPED = N_("You typed: {typed}")


def action_reading(head: str, symptom: Texts, action: Texts, languages: Sequence[str], missing: str) -> str:
    """How an action row was read, language by language, so a misreading shows at once."""
    def cell(texts: Texts, code: str) -> str:
        return escape(texts[code]) if texts.get(code) else f"_{missing}_"

    return "\n".join([head] + [f"• {code.upper()}: {cell(symptom, code)} ⇒ {cell(action, code)}" for code in languages])


def unknown_subcommand(lang: Lang, word: str, typed: str) -> str:
    """Name the unknown word, suggest the closest subcommand, and give back what was typed."""
    lines = [lang._(UNKNOWN, word=escape(word))]
    if (suggestion := closest_subcommand(word)):
        lines[0] += " " + lang._(DID_YOU_MEAN, suggestion=suggestion)
    lines.append(lang._(YOU_TYPED, typed=code_span(typed)))
    return "\n".join(lines)


def code_span(text: str) -> str:
    """Typed text shown verbatim, copyable: a code block (backticks inside cannot close it)."""
    return "```" + escape(text.strip()).replace("```", "`\u200b``") + "```"


def translation_offer(lang: Lang, head: str, missing: Sequence[str], value: str) -> tuple[str, list]:
    """`head`, a note naming the languages still without text, and the button that adds them."""
    names = lang.list([lang.locale.languages.get(code, code) for code in missing])
    text = head + "\n" + lang._("No text yet in: {languages}. The posts say “translation to come”; add it with the button.",
                                languages=names)
    return text, sections(text) + [button_row("add_translation", lang._("Add translation"), value)]


def replace_original(response_url: str | None, text: str) -> bool:
    """Replace the ephemeral message a button was in (its buttons go with it); False when it could not."""
    if not response_url:
        return False
    try:
        answer = WebhookClient(response_url, timeout=10).send(text=text, replace_original=True,
                                                              response_type="ephemeral")
    except Exception:  # noqa: BLE001 - the saved work matters more than retiring a button
        log.warning("could not replace the original message", exc_info=True)
        return False
    return answer.status_code == 200


def in_some_language(texts: Texts, lang: Lang, languages: Sequence[str] = ()) -> str:
    """The text in `lang`, else the first other language's, marked with its code: ``(FR) …``."""
    if (own := (texts.get(lang.code) or "").strip()):
        return own
    for code in [*languages, *texts]:
        if (text := (texts.get(code) or "").strip()):
            return f"({code.upper()}) {text}"
    return ""


def entry_text(e: Entry, lang: Lang, languages: Sequence[str] = ()) -> str:
    """What a timeline entry says, in the reader's language when it has it, never silently empty."""
    if e.texts:
        return in_some_language(e.texts, lang, languages)
    if e.kind is EntryKind.FIELD and isinstance(e.data.get("new"), dict):
        return f"{e.data.get('field')}: {in_some_language(e.data['new'], lang, languages)}"
    return e.text
