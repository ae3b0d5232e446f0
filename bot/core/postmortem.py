"""The postmortem as plain data, independent of any language; `bot.render.postmortem` writes it out."""

from __future__ import annotations

import re

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
    title: Texts
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
        return Moment(entry.at, entry.kind, text=plain_chat(entry.text))
    return None  # a key entry with nothing to say (a file alone, say) makes no bullet


_SLACK_TOKEN = re.compile(r"<([^<>]+)>")


def plain_chat(text: str) -> str:
    """A Slack message as a reader sees it: `<@U1|camille>` -> `@camille`, `<#C1|ops>` -> `#ops`,
    `<https://x|label>` -> `label (https://x)`, `<!here>` -> `@here`, and `&amp;` `&lt;` `&gt;` undone."""

    def token(m: re.Match) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0]).lstrip("@")
        if re.match(r"(?:https?|mailto):", target):
            return f"{label} ({target})" if label and label != target else target
        return m.group(0)  # not Slack markup: someone typed angle brackets

    return _SLACK_TOKEN.sub(token, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _without_restated_declaration(overview: list[Moment]) -> list[Moment]:
    """When people wrote their own line for the minute the incident was declared (the page's
    "alerts raised and creation of a dedicated crisis unit"), the bot's generic line goes."""
    declared = [m for m in overview if m.kind is EntryKind.DECLARED]
    typed = [m for m in overview if m.kind is EntryKind.EVENT]
    restated = {id(d) for d in declared if any(_same_minute(d.at, e.at) for e in typed)}
    return [m for m in overview if id(m) not in restated]


def compile_postmortem(
    incident: Incident, entries: Iterable[Entry], actions: Iterable[Action], *, now: datetime
) -> Postmortem:
    """Gather everything the postmortem shows. Same input, same output: nothing here reads a clock."""
    entries = list(entries)
    actions = list(actions)
    overview = _without_restated_declaration([m for m in map(moment, in_time_order(entries)) if m is not None])
    filled = {
        "components": has_text(incident.components),
        "impact": has_text(incident.impact),
        "context": has_text(incident.context),
        "cause": has_text(incident.cause),
        "actions": bool(actions),
    }
    return Postmortem(
        ref=incident.ref,
        title=dict(incident.title),
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
