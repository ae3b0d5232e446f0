"""Keys that name what a Slack post is, so any later run can recognise a post an earlier one made.

A post carries its key in its metadata; a run that may be repeating an interrupted one (a crash
between Slack's answer and our write) looks for the key before posting. The key is derived from
the post's identity — the incident (its id and declaration time, so a reset database reusing ids
names other posts), the step, the channel and the update — never drawn at random.
"""

from __future__ import annotations

import hashlib

from bot.core.model import Incident


def post_key(incident: Incident, step: str, channel: str, update: int | str | None = None) -> str:
    declared = incident.declared_at.isoformat() if incident.declared_at else ""
    raw = "\n".join([str(incident.id), declared, step, channel, "" if update is None else str(update)])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
