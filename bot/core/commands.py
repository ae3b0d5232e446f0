"""Parse the text of `/incident …` into a subcommand, an optional reference and the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import Refusal
from bot.core.model import Priority

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


def parse(text: str, prefix: str) -> Parsed:
    """Split the command. An empty or unknown subcommand gives `help` (with the word kept in rest)."""
    words = (text or "").strip().split(None, 1)
    if not words:
        return Parsed("help", None, "")
    name = words[0].lower()
    rest = words[1].strip() if len(words) > 1 else ""
    if name not in SUBCOMMANDS:
        return Parsed("help", None, words[0])
    ref = None
    if name not in GLOBAL and rest:
        first, after = first_word(rest)
        if re.fullmatch(rf"{re.escape(prefix)}-\d+", first, flags=re.IGNORECASE):
            ref, rest = first.upper(), after.strip()
    return Parsed(name, ref, rest)


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
