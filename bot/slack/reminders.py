"""Reminders as Slack posts: in the crisis channel, mentioning who must act, in their language.

One post per language among the people reminded. When the channel is archived (or gone), the
commander (else the declarer) gets the reminder by DM instead: never lost silently.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.dora import Stage
from bot.core.model import Incident, Role
from bot.flows.deps import Deps
from bot.i18n import N_, Lang
from bot.slack import render, views
from bot.slack.chat import Chat, ChatError
from bot.store import incidents as store

log = logging.getLogger("cellule.reminders")

GONE = frozenset({"is_archived", "channel_not_found", "not_in_channel"})
# A reminder claimed again after its claimer died: its post may have landed; look this far back.
LOOKBACK_SECONDS = 3600.0

STAGE_NAMES = {Stage.INITIAL: N_("initial notification"), Stage.INTERMEDIATE: N_("intermediate report"),
               Stage.FINAL: N_("final report")}
TEXTS = {
    "cadence": N_("{people} {ref} has had no status update for {period}. Stakeholders are waiting: post one now."),
    "no_commander": N_("{people} {ref} still has no commander. Take the role: `/incident role commander @you`."),
    "postmortem": N_("{people} {ref} was resolved {ago} ago and has no postmortem yet: `/incident postmortem`."),
    "deadline": N_("{people} DORA: the {stage} of {ref} is due at {due} (in {minutes} minutes). Once it is "
                   "submitted, record it: `/incident report {stage_word}`."),
    "missed": N_("{people} DORA: the {stage} of {ref} was due at {due} and is not recorded as submitted. If it is "
                 "late, tell the competent authority without undue delay and explain why (Art. 5(3) of Delegated "
                 "Regulation (EU) 2025/301); record it with `/incident report {stage_word}`."),
}
UPDATE_BUTTON = N_("Post an update")


def recipients(kind: str, incident: Incident) -> list[str]:
    roles = incident.roles
    if kind == "cadence":
        people = [roles.get(Role.COMMS) or roles.get(Role.COMMANDER)]
    elif kind == "deadline":
        people = [roles.get(Role.COMMANDER), roles.get(Role.COMMS)]
    elif kind == "postmortem":
        people = [roles.get(Role.COMMANDER)]
    else:
        people = []
    people = [p for p in dict.fromkeys(people) if p]
    return people or [p for p in [incident.declared_by] if p]


def message(deps: Deps, kind: str, data: dict, incident: Incident, lang: Lang, people: list[str]) -> tuple[str, list]:
    now = deps.now()
    mention = " ".join(f"<@{p}>" for p in people)
    params = {"people": mention, "ref": incident.ref}
    if kind == "cadence":
        since = datetime.fromisoformat(data["since"]) if data.get("since") else None
        params["period"] = lang.duration(now - since if since else timedelta(seconds=data.get("period", 0)))
    elif kind == "postmortem":
        params["ago"] = lang.duration(now - incident.resolved_at) if incident.resolved_at else "—"
    elif kind == "deadline":
        stage = Stage(data["stage"])
        due = datetime.fromisoformat(data["due"])
        params.update(stage=lang._(STAGE_NAMES[stage]), stage_word=stage.value, due=lang.time(due, now=now),
                      minutes=data.get("minutes", 0))
        if not data.get("minutes"):
            kind = "missed"
    text = lang._(TEXTS[kind], **params)
    blocks = render.sections(text)
    if kind == "cadence":
        blocks.append(views.button_row("open_update_form", lang._(UPDATE_BUTTON), str(incident.id)))
    return text, blocks


def send(chat: Chat, deps: Deps, row) -> None:
    """Post one claimed reminder (row: bot.store.models.DueRow). Raises when Slack fails, so the
    row stays claimed and is tried again after its lease."""
    with deps.db.session() as s:
        incident = store.to_incident(store.get(session=s, incident_id=row.incident_id))
    people = recipients(row.kind, incident)
    groups: dict[str, list[str]] = {}
    for p in people:
        groups.setdefault(deps.lang_of(p).code, []).append(p)
    if not groups:
        groups[deps.settings.languages[0]] = []
    channel = incident.channel_id
    for code, group in groups.items():
        lang = deps.catalogs.lang(code)
        key = f"{row.key}:{code}"
        if channel and row.attempts > 1 and _landed(chat, channel, key):
            continue  # sent by a process that died before marking it done
        text, blocks = message(deps, row.kind, row.data or {}, incident, lang, group)
        try:
            if not channel:
                raise ChatError("channel_not_found", "chat.postMessage")
            chat.post(channel, text, blocks, key=key)
        except ChatError as e:
            if e.code not in GONE:
                raise
            _direct(chat, deps, row, incident)
            return


def _landed(chat: Chat, channel: str, key: str) -> bool:
    try:
        return chat.posted(channel, key, lookback=LOOKBACK_SECONDS) is not None
    except ChatError:
        return False  # cannot tell: sending again is better than losing it


def _direct(chat: Chat, deps: Deps, row, incident: Incident) -> None:
    person = incident.roles.get(Role.COMMANDER) or incident.declared_by
    if not person:
        log.warning("reminder %s: channel gone and nobody to tell", row.key)
        return
    lang = deps.lang_of(person)
    text, blocks = message(deps, row.kind, row.data or {}, incident, lang, [person])
    chat.post(person, text, blocks)
