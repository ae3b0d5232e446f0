"""The command inbox: acknowledged commands written before any Slack call, until carried out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.store.models import InboxRow


def add(*, session: Session, trigger_id: str, user_id: str, channel_id: str, text: str, response_url: str,
        now: datetime) -> int | None:
    """Write the command; None when it is there already (the same command replayed)."""
    existing = session.exec(select(InboxRow).where(InboxRow.trigger_id == trigger_id)).first()
    if existing is not None:
        return None
    row = InboxRow(trigger_id=trigger_id, user_id=user_id, channel_id=channel_id, text=text,
                   response_url=response_url, received_at=now)
    session.add(row)
    session.flush()
    return row.id


def done(*, session: Session, trigger_id: str, now: datetime) -> bool:
    """Mark it carried out (or taken by one replaying process); False if it was already."""
    return session.execute(sa.update(InboxRow).where(InboxRow.trigger_id == trigger_id, InboxRow.done_at.is_(None))
                           .values(done_at=now)).rowcount == 1


def pending(*, session: Session, since: datetime) -> list[InboxRow]:
    """Commands received since `since` and never carried out (their process died), oldest first."""
    return list(session.exec(select(InboxRow).where(InboxRow.done_at.is_(None), InboxRow.received_at >= since)
                             .order_by(InboxRow.received_at)))


def forget(*, session: Session, before: datetime) -> None:
    session.execute(sa.delete(InboxRow).where(InboxRow.received_at < before))
