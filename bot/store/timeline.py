"""Timeline entries: idempotent inserts keyed by Slack identity, ordered by when things happened."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.model import Entry, EntryKind
from bot.store.models import SeenEvent, TimelineRow


def to_entry(row: TimelineRow) -> Entry:
    return Entry(
        id=row.id,
        kind=EntryKind(row.kind),
        at=row.at,
        author=row.author,
        text=row.text,
        texts=dict(row.texts),
        key=row.key,
        data=dict(row.data),
        ts=row.ts,
    )


def add(*, session: Session, incident_id: int, entry: Entry, now: datetime, channel_id: str | None = None,
        thread_ts: str | None = None, dedupe_key: str | None = None) -> TimelineRow | None:
    """Insert an entry; returns None when an entry with the same dedupe key already exists.

    The unique constraint decides (not a read before the write), so a Slack retry racing the
    original delivery, or the same event reaching two processes, is recorded once.
    """
    row = TimelineRow(
        incident_id=incident_id,
        kind=entry.kind.value,
        at=entry.at,
        author=entry.author,
        text=entry.text,
        texts=entry.texts,
        key=entry.key,
        data=entry.data,
        channel_id=channel_id,
        ts=entry.ts,
        thread_ts=thread_ts,
        dedupe_key=dedupe_key,
        recorded_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def add_message(*, session: Session, incident_id: int, entry: Entry, now: datetime, channel_id: str,
                thread_ts: str | None, dedupe_key: str) -> bool:
    """The hot path of chat capture: one INSERT … ON CONFLICT DO NOTHING, False for a duplicate.

    Same guarantee as `add` (the unique key decides), without a savepoint per message.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # other databases: the portable path
        return add(session=session, incident_id=incident_id, entry=entry, now=now, channel_id=channel_id,
                   thread_ts=thread_ts, dedupe_key=dedupe_key) is not None
    stmt = insert(TimelineRow).values(
        incident_id=incident_id, kind=entry.kind.value, at=entry.at, author=entry.author, text=entry.text,
        texts=entry.texts, key=entry.key, data=entry.data, channel_id=channel_id, ts=entry.ts, thread_ts=thread_ts,
        deleted=False, dedupe_key=dedupe_key, recorded_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(TimelineRow.id)
    return session.execute(stmt).scalar_one_or_none() is not None


def by_message(*, session: Session, channel_id: str, ts: str, for_update: bool = False) -> TimelineRow | None:
    # Every message row has this key (capture, tombstone): its unique index finds it at once.
    stmt = select(TimelineRow).where(TimelineRow.dedupe_key == f"msg:{channel_id}:{ts}")
    if for_update:  # PostgreSQL: two edits of one message update it one after the other
        stmt = stmt.with_for_update()
    return session.exec(stmt.order_by(TimelineRow.id)).first()


def get(*, session: Session, entry_id: int) -> TimelineRow | None:
    return session.get(TimelineRow, entry_id)


def entries(*, session: Session, incident_id: int, include_deleted: bool = False,
            kinds: set[EntryKind] | None = None) -> list[Entry]:
    stmt = select(TimelineRow).where(TimelineRow.incident_id == incident_id)
    if not include_deleted:
        stmt = stmt.where(TimelineRow.deleted == False)  # noqa: E712  (SQL comparison)
    if kinds:
        stmt = stmt.where(TimelineRow.kind.in_([k.value for k in kinds]))
    # Ordered by when it happened; ties keep the order they were recorded in.
    return [to_entry(r) for r in session.exec(stmt.order_by(TimelineRow.at, TimelineRow.id))]


def latest_message_ts(*, session: Session, incident_id: int, channel_id: str) -> str | None:
    stmt = (select(TimelineRow.ts)
            .where(TimelineRow.incident_id == incident_id, TimelineRow.channel_id == channel_id,
                   TimelineRow.kind == EntryKind.MESSAGE.value, TimelineRow.ts.is_not(None)))
    values = [v for v in session.exec(stmt) if v]
    return max(values, key=float) if values else None


def message_ts(*, session: Session, incident_id: int, channel_id: str) -> list[str]:
    """The ts of every chat message recorded from this channel and not deleted."""
    stmt = (select(TimelineRow.ts)
            .where(TimelineRow.incident_id == incident_id, TimelineRow.channel_id == channel_id,
                   TimelineRow.kind == EntryKind.MESSAGE.value, TimelineRow.ts.is_not(None),
                   TimelineRow.deleted == False))  # noqa: E712  (SQL comparison)
    return [v for v in session.exec(stmt) if v]


def first_time_seen(*, session: Session, event_id: str, now: datetime) -> bool:
    """True the first time an event ID is seen, in any process; False for retries."""
    try:
        with session.begin_nested():
            session.add(SeenEvent(event_id=event_id, seen_at=now))
            session.flush()
        return True
    except IntegrityError:
        return False
