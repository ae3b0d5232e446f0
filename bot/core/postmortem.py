"""The postmortem as plain data, independent of any language; `bot.render.postmortem` writes it out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.impact import Figures, figures, in_time_order
from bot.core.model import (
    BOLD_KINDS,
    Action,
    Entry,
    EntryKind,
    Incident,
    Responsibility,
    Texts,
)

# Kinds that are key moments by nature; other entries appear only when marked key.
ALWAYS_IN_OVERVIEW = BOLD_KINDS | {EntryKind.DECLARED, EntryKind.EVENT}

# Fields people must fill in, in the order the caller is told about them.
REQUIRED_FIELDS = ("components", "impact", "context", "cause", "actions")


@dataclass(frozen=True)
class Moment:
    """One bullet of the overview.

    Bold moments (impact start/end, recurrence) and the declaration carry no text: the renderer
    writes a catalog sentence for them. Others carry per-language `texts` or the raw chat `text`.
    """

    at: datetime
    kind: EntryKind
    texts: Texts = field(default_factory=dict)
    text: str = ""
    bold: bool = False
    alert: bool = False  # the declaration followed an alert ("alerts raised and …")


@dataclass
class Postmortem:
    ref: str
    components: Texts
    impact: Texts
    overview: list[Moment]
    context: Texts
    cause: Texts
    responsibility: Responsibility | None
    actions: list[Action]
    figures: Figures
    missing: list[str]  # names from REQUIRED_FIELDS still empty


def has_text(texts: Texts) -> bool:
    return any(t.strip() for t in texts.values())


def moment(entry: Entry) -> Moment | None:
    """The overview bullet for an entry, or None when it is not a key moment."""
    if entry.kind in BOLD_KINDS:
        return Moment(entry.at, entry.kind, bold=True)
    if entry.kind is EntryKind.DECLARED:
        return Moment(entry.at, entry.kind, alert=bool(entry.data.get("alert")))
    if entry.kind not in ALWAYS_IN_OVERVIEW and not entry.key:
        return None
    if has_text(entry.texts):
        return Moment(entry.at, entry.kind, texts=dict(entry.texts))
    if entry.text.strip():
        return Moment(entry.at, entry.kind, text=entry.text)
    return None  # a key entry with nothing to say (a file alone, say) makes no bullet


def compile_postmortem(
    incident: Incident, entries: Iterable[Entry], actions: Iterable[Action], *, now: datetime
) -> Postmortem:
    """Gather everything the postmortem shows. Same input, same output: nothing here reads a clock."""
    entries = list(entries)
    actions = list(actions)
    overview = [m for m in map(moment, in_time_order(entries)) if m is not None]
    filled = {
        "components": has_text(incident.components),
        "impact": has_text(incident.impact),
        "context": has_text(incident.context),
        "cause": has_text(incident.cause),
        "actions": bool(actions),
    }
    return Postmortem(
        ref=incident.ref,
        components=dict(incident.components),
        impact=dict(incident.impact),
        overview=overview,
        context=dict(incident.context),
        cause=dict(incident.cause),
        responsibility=incident.responsibility,
        actions=actions,
        figures=figures(incident, entries, now),
        missing=[name for name in REQUIRED_FIELDS if not filled[name]],
    )
