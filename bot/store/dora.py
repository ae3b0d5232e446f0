"""DORA reads across incidents: the latest classification of each, for the recurring-incident rule."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.core.model import EntryKind
from bot.store.models import TimelineRow


def latest_classifications(*, session: Session, since: datetime, exclude: int) -> list[TimelineRow]:
    rows = session.exec(select(TimelineRow).where(
        TimelineRow.kind == EntryKind.CLASSIFIED.value, TimelineRow.at >= since, TimelineRow.incident_id != exclude,
        TimelineRow.deleted == False).order_by(TimelineRow.at, TimelineRow.id)).all()  # noqa: E712
    latest: dict[int, TimelineRow] = {}
    for row in rows:
        latest[row.incident_id] = row
    return list(latest.values())
