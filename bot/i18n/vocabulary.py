"""The words of the domain in every language: status words people may type, labels of fields and
timeline entries, and the ready-made statements used when a command comes without text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.core.errors import Refusal
from bot.core.model import EntryKind, Responsibility, Status, Texts
from bot.core.publicpage import ComponentStatus
from bot.i18n.lang import Lang
from bot.i18n.markers import N_

# Words a person may type for each status, besides its name: each language's catalog lists its own
# (comma-separated), apart from the status names shown to readers.
STATUS_WORDS = {
    Status.INVESTIGATING: N_("investigating, investigation"),
    Status.IDENTIFIED: N_("identified, found"),
    Status.MONITORING: N_("monitoring, watching"),
    Status.RESOLVED: N_("resolved, fixed"),
}
FIELD_LABELS = {
    "components": N_("services affected"),
    "impact": N_("client impact"),
    "context": N_("context"),
    "cause": N_("root cause"),
    "actions": N_("actions"),
}
KIND_LABELS = {
    EntryKind.DECLARED: N_("Incident declared"),
    EntryKind.STATUS: N_("Status update"),
    EntryKind.FIELD: N_("Field changed"),
    EntryKind.ROLE: N_("Role assigned"),
    EntryKind.MESSAGE: N_("Message"),
    EntryKind.EVENT: N_("Key moment"),
    EntryKind.IMPACT_START: N_("Customer impact starts"),
    EntryKind.IMPACT_END: N_("Customer impact ends"),
    EntryKind.REOPENED: N_("Incident reopened"),
    EntryKind.ACTION: N_("Action added"),
    EntryKind.POSTMORTEM: N_("Postmortem published"),
    EntryKind.CLASSIFIED: N_("DORA classification"),
    EntryKind.REPORT: N_("DORA report submitted"),
}
RESOLVED_TEXT = N_("This incident has been resolved.")
REOPENED_TEXT = N_("The incident is back: investigations resume.")


def fold(word: str) -> str:
    """Lower case, accents removed: `Identifié` and `identifie` are the same word."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c)).strip()


def parse_status(word: str, langs: Sequence[Lang]) -> Status:
    """A status typed in any configured language."""
    wanted = fold(word)
    for status, msgid in STATUS_WORDS.items():
        words = {fold(status.value)}
        for lang in langs:
            words |= {fold(w) for w in lang._(msgid).split(",")}
            words.add(fold(lang.status(status)))
        if wanted in words:
            return status
    raise Refusal("unknown_status", given=word, statuses=list(Status))


def parse_responsibility(value: str, langs: Sequence[Lang]) -> Responsibility:
    wanted = fold(value)
    for r in Responsibility:
        if wanted in {fold(r.value)} | {fold(lang.responsibility(r)) for lang in langs}:
            return r
    raise Refusal("unknown_responsibility", given=value)


def default_texts(msgid: str, langs: Sequence[Lang]) -> Texts:
    """A ready-made statement in every language, for commands typed without text."""
    return {lang.code: lang._(msgid) for lang in langs}


def field_label(lang: Lang, name: str) -> str:
    return lang._(FIELD_LABELS.get(name, name))


def kind_label(lang: Lang, kind: EntryKind) -> str:
    return lang._(KIND_LABELS.get(kind, KIND_LABELS[EntryKind.EVENT]))

# Statuspage's component statuses, as readers of the status page and of Slack replies see them.
COMPONENT_STATUS_NAMES = {
    ComponentStatus.OPERATIONAL: N_("operational"),
    ComponentStatus.UNDER_MAINTENANCE: N_("under maintenance"),
    ComponentStatus.DEGRADED_PERFORMANCE: N_("degraded performance"),
    ComponentStatus.PARTIAL_OUTAGE: N_("partial outage"),
    ComponentStatus.MAJOR_OUTAGE: N_("major outage"),
}
