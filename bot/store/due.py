"""Due work as rows: planned per incident, claimed atomically by whichever process is alive.

The claim is one transaction: select the due rows `FOR UPDATE SKIP LOCKED` (PostgreSQL: two
replicas never pick the same row and never wait on each other; SQLite ignores it, and its
BEGIN IMMEDIATE already lets one writer at a time in), then mark them claimed with a lease.
A claim whose process died is taken over once that process is known dead (bot.store.process: its
heartbeat stopped, or it is gone from this host), or its lease has run out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from bot.core.reminders import Due
from bot.store import process
from bot.store.models import DueRow

PENDING, CLAIMED, DONE, CANCELLED = "pending", "claimed", "done", "cancelled"


def done_keys(*, session: Session, incident_id: int) -> set[str]:
    rows = session.exec(select(DueRow.key).where(DueRow.incident_id == incident_id, DueRow.state == DONE))
    return set(rows)


def sync(*, session: Session, incident_id: int, planned: Iterable[Due], now: datetime) -> None:
    """Make the incident's pending rows exactly `planned`: new keys inserted (a key another process
    inserted meanwhile is left alone), cancelled ones planned again made pending, the rest cancelled.
    Claimed and done rows are never touched here."""
    planned = {d.key: d for d in planned}
    if planned:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(DueRow.__table__).values([
            {"key": d.key, "incident_id": incident_id, "kind": d.kind, "due_at": d.due_at, "state": PENDING,
             "data": d.data, "attempts": 0, "created_at": now} for d in planned.values()])
        session.exec(stmt.on_conflict_do_nothing(index_elements=["key"]))
    rows = session.exec(select(DueRow).where(DueRow.incident_id == incident_id,
                                             DueRow.state.in_((PENDING, CANCELLED)))).all()
    for row in rows:
        want = planned.get(row.key)
        if want is None and row.state == PENDING:
            row.state = CANCELLED
        elif want is not None and (row.state == CANCELLED or row.due_at != want.due_at):
            row.state, row.due_at, row.data = PENDING, want.due_at, want.data
        else:
            continue
        session.add(row)


def claim(*, session: Session, now: datetime, owner: str, lease: timedelta, limit: int = 50) -> list[DueRow]:
    """Take the due rows (and those whose claimer died or whose lease ran out) for `owner`."""
    claimed = DueRow.state == CLAIMED
    free = process.free(session, lease=DueRow.lease_until, holder=DueRow.claimed_by, now=now, where=claimed)
    due = sa.or_(sa.and_(DueRow.state == PENDING, DueRow.due_at <= now), sa.and_(claimed, free))
    rows = session.exec(select(DueRow).where(due).order_by(DueRow.due_at).limit(limit)
                        .with_for_update(skip_locked=True)).all()
    for row in rows:
        row.state, row.claimed_by, row.lease_until = CLAIMED, owner, now + lease
        row.attempts += 1
        session.add(row)
    session.flush()
    return list(rows)


def finish(*, session: Session, row_id: int, owner: str, state: str, now: datetime) -> bool:
    """Mark a claimed row done (or cancelled); False when the claim was lost to another process."""
    result = session.execute(
        sa.update(DueRow.__table__)
        .where(DueRow.__table__.c.id == row_id, DueRow.__table__.c.state == CLAIMED,
               DueRow.__table__.c.claimed_by == owner)
        .values(state=state, done_at=now, lease_until=None))
    return result.rowcount == 1


def counts(*, session: Session) -> dict[tuple[str, str], int]:
    """How many rows of each kind are in each state (for the metrics)."""
    query = select(DueRow.kind, DueRow.state, sa.func.count()).group_by(DueRow.kind, DueRow.state)
    return {(kind, state): n for kind, state, n in session.exec(query).all()}


def rows(*, session: Session, incident_id: int | None = None) -> list[DueRow]:
    query = select(DueRow).order_by(DueRow.id)
    if incident_id is not None:
        query = query.where(DueRow.incident_id == incident_id)
    return list(session.exec(query).all())
