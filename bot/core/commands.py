"""Parse the text of `/incident …` into a subcommand, an optional reference and the rest."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.core.bilingual import BilingualError, split_texts
from bot.core.errors import Refusal
from bot.core.model import Priority, Texts

SUBCOMMANDS = (
    "declare", "update", "resolve", "reopen", "impact", "event", "set", "action", "role",
    "postmortem", "status", "list", "help", "timeline", "classify", "report",
    "component", "affects", "publish", "unpublish",
)
# These never act on one incident, so they never take a reference.
GLOBAL = frozenset({"declare", "list", "help", "component"})
FIELDS = ("priority", "category", "responsibility", "components", "impact", "cause", "context", "title")
ROLES = ("commander", "comms", "scribe")

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_PRIORITY = re.compile(r"^[Pp](\d+)$")


CommandError = Refusal  # a command that cannot be read or is refused


@dataclass(frozen=True)
class Parsed:
    name: str  # a SUBCOMMANDS value
    ref: str | None  # reference given after the subcommand, upper case
    rest: str  # what follows, stripped
    unknown: str | None = None  # the first word, when it named no subcommand (help is given)


def parse(text: str, prefix: str) -> Parsed:
    """Split the command. An empty or unknown subcommand gives `help` (with the word kept in rest)."""
    words = (text or "").strip().split(None, 1)
    if not words:
        return Parsed("help", None, "")
    name = words[0].lower()
    rest = words[1].strip() if len(words) > 1 else ""
    if name not in SUBCOMMANDS:
        return Parsed("help", None, words[0], unknown=words[0])
    ref = None
    if name not in GLOBAL and rest:
        first, after = first_word(rest)
        if re.fullmatch(rf"{re.escape(prefix)}-\d+", first, flags=re.IGNORECASE):
            ref, rest = first.upper(), after.strip()
    return Parsed(name, ref, rest)


def closest_subcommand(word: str) -> str | None:
    """The subcommand a mistyped word most likely meant (`updte` -> `update`), if any is close."""
    match = difflib.get_close_matches(word.lower(), SUBCOMMANDS, n=1, cutoff=0.6)
    return match[0] if match else None


def first_word(text: str) -> tuple[str, str]:
    """Split at any whitespace: Slack keeps the newline of a shift+enter (`P1⏎Panne`)."""
    words = text.split(None, 1)
    return (words[0], words[1] if len(words) > 1 else "") if words else ("", "")


def split_priority(rest: str) -> tuple[Priority | None, str]:
    """`P2 Title…` → (P2, "Title…"). A P-number outside P1–P4 is an error, not part of the title."""
    first, after = first_word(rest)
    m = _PRIORITY.match(first)
    if not m:
        return None, rest
    try:
        return Priority(f"P{int(m.group(1))}"), after.strip()
    except ValueError:
        raise CommandError("unknown_priority", given=first) from None


def parse_priority(word: str) -> Priority:
    m = _PRIORITY.match(word.strip())
    try:
        if m:
            return Priority(f"P{int(m.group(1))}")
    except ValueError:
        pass
    raise CommandError("unknown_priority", given=word.strip())


def parse_mention(word: str) -> str:
    m = _MENTION.match(word.strip())
    if not m:
        raise CommandError("need_mention", given=word.strip())
    return m.group(1)


def split_action(rest: str) -> tuple[str, str]:
    symptom, sep, action = rest.partition("=>")
    if not sep or not symptom.strip() or not action.strip():
        raise CommandError("action_syntax")
    return symptom.strip(), action.strip()


ARROW = "=>"


def split_action_texts(rest: str, languages: tuple[str, ...] | list[str],
                       default: str | None = None) -> tuple[Texts, Texts]:
    """(symptom, action) per language, from either natural form:

    - ``FR symptôme EN symptom => FR action EN action``: the symptoms, then the actions;
    - ``FR symptôme => action EN symptom => action``: language by language, each with its arrow.

    Language by language is tried first: it applies when each language's part holds exactly one
    arrow. Otherwise the text must hold exactly one arrow, with both sides coded on their own.
    """
    try:
        parts = split_texts(rest, languages, default=default)
    except BilingualError:  # a code on each side of the arrow: the first form
        parts = {}
    if parts and all(p.count(ARROW) == 1 for p in parts.values()):
        symptom: Texts = {}
        action: Texts = {}
        for code, part in parts.items():
            left, right = split_action(part)
            symptom[code], action[code] = left, right
        return symptom, action
    if rest.count(ARROW) != 1:
        raise CommandError("action_syntax")
    left, right = split_action(rest)
    return split_texts(left, languages, default=default), split_texts(right, languages, default=default)

