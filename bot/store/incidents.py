"""Reads and writes of incidents, their posts and actions (keyword-only session)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.model import Action, Incident, Priority, Responsibility, Role, Status
from bot.store import process
from bot.store.models import ActionRow, Counter, IncidentRow, PostRow


def allocate_number(*, session: Session, prefix: str, first: int) -> int:
    """Next reference number, atomic across processes: one UPDATE … RETURNING on a counter row.

    The row lock serialises concurrent declares on PostgreSQL; SQLite serialises writers anyway.
    Numbers are never reused, and raising INCIDENT_FIRST_NUMBER later jumps ahead.
    """
    stmt = (
        sa.update(Counter)
        .where(Counter.name == prefix)
        .values(value=sa.case((Counter.value + 1 < first, first), else_=Counter.value + 1))
        .returning(Counter.value)
    )
    value = session.execute(stmt).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(Counter(name=prefix, value=first))
        return first
    except IntegrityError:  # another process created the row first: bump it instead
        return session.execute(stmt).scalar_one()


def to_incident(row: IncidentRow) -> Incident:
    return Incident(
        id=row.id,
        ref=row.ref,
        number=row.number,
        title=dict(row.title),
        priority=Priority(row.priority),
        status=Status(row.status),
        declared_at=row.declared_at,
        declared_by=row.declared_by,
        resolved_at=row.resolved_at,
        category=row.category,
        responsibility=Responsibility(row.responsibility) if row.responsibility else None,
        components=dict(row.components),
        impact=dict(row.impact),
        cause=dict(row.cause),
        context=dict(row.context),
        roles={Role(k): v for k, v in row.roles.items()},
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        private=row.is_private,
    )


def create(*, session: Session, incident: Incident, declare_key: str | None, is_private: bool, now: datetime) -> IncidentRow:
    row = IncidentRow(
        ref=incident.ref,
        number=incident.number,
        title=incident.title,
        status=incident.status.value,
        priority=incident.priority.value,
        category=incident.category,
        responsibility=incident.responsibility.value if incident.responsibility else None,
        components=incident.components,
        impact=incident.impact,
        cause=incident.cause,
        context=incident.context,
        roles={k.value: v for k, v in incident.roles.items()},
        declared_by=incident.declared_by,
        declared_at=incident.declared_at,
        is_private=is_private,
        declare_key=declare_key,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get(*, session: Session, incident_id: int, lock: bool = False) -> IncidentRow | None:
    stmt = select(IncidentRow).where(IncidentRow.id == incident_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def by_ref(*, session: Session, ref: str) -> IncidentRow | None:
    return session.exec(select(IncidentRow).where(IncidentRow.ref == ref.upper())).first()


def by_channel(*, session: Session, channel_id: str) -> IncidentRow | None:
    return session.exec(select(IncidentRow).where(IncidentRow.channel_id == channel_id)).first()


def by_declare_key(*, session: Session, key: str) -> IncidentRow | None:
    return session.exec(select(IncidentRow).where(IncidentRow.declare_key == key)).first()


def open_incidents(*, session: Session) -> list[IncidentRow]:
    stmt = select(IncidentRow).where(IncidentRow.status != Status.RESOLVED.value).order_by(IncidentRow.number)
    return list(session.exec(stmt))


def resolved_since(*, session: Session, since: datetime) -> list[IncidentRow]:
    stmt = select(IncidentRow).where(IncidentRow.status == Status.RESOLVED.value, IncidentRow.resolved_at >= since)
    return list(session.exec(stmt.order_by(IncidentRow.number)))


def unfinished_setups(*, session: Session) -> list[IncidentRow]:
    """Incidents whose declare flow did not finish (bot stopped or Slack refused half-way)."""
    rows = session.exec(select(IncidentRow).where(IncidentRow.status != Status.RESOLVED.value))
    return [r for r in rows if not r.setup.get("done")]


def save(*, session: Session, row: IncidentRow, now: datetime) -> None:
    row.updated_at = now
    row.version += 1
    session.add(row)
    session.flush()


SETUP_LEASE = timedelta(seconds=120)


def claim_setup(*, session: Session, incident_id: int, now: datetime) -> datetime | None:
    """Take the declare's Slack steps; returns the lease (its expiry, the holder's token), or None
    while another run holds them. One conditional UPDATE decides, so two processes cannot both
    win; a run that died frees them at once when its process is known dead (bot.store.process:
    gone from this host, or its heartbeat stopped), else when its lease runs out."""
    lease = now + SETUP_LEASE
    free = process.free(session, lease=IncidentRow.setup_lease, holder=IncidentRow.setup_holder, now=now,
                        where=IncidentRow.id == incident_id)
    stmt = (sa.update(IncidentRow).where(IncidentRow.id == incident_id, free)
            .values(setup_lease=lease, setup_holder=process.IDENTITY))
    return lease if session.execute(stmt).rowcount == 1 else None


def renew_setup(*, session: Session, incident_id: int, lease: datetime, now: datetime) -> datetime | None:
    """Extend our lease while we work (a slow Slack); None if it was lost to another run."""
    renewed = now + SETUP_LEASE
    stmt = (sa.update(IncidentRow)
            .where(IncidentRow.id == incident_id, IncidentRow.setup_lease == lease)
            .values(setup_lease=renewed))
    return renewed if session.execute(stmt).rowcount == 1 else None


def release_setup(*, session: Session, incident_id: int, lease: datetime) -> None:
    """Free the steps, only if the lease is still ours (a run that overran must not free another's)."""
    session.execute(sa.update(IncidentRow)
                    .where(IncidentRow.id == incident_id, IncidentRow.setup_lease == lease)
                    .values(setup_lease=None, setup_holder=None))


def mark_setup(*, session: Session, incident_id: int, step: str, value=True) -> None:
    """Record one finished declare step; re-read under lock so two writers do not lose a step."""
    row = get(session=session, incident_id=incident_id, lock=True)
    setup = dict(row.setup)
    setup[step] = value
    row.setup = setup
    session.add(row)
    session.flush()


# Posts the bot may edit later -------------------------------------------------------------

def add_post(*, session: Session, incident_id: int, kind: str, channel_id: str, ts: str,
             languages: tuple[str, ...] = (), entry_id: int | None = None, shown: str | None = None) -> PostRow:
    """Record a post; a post recorded already (a run resumed after a crash found it in Slack) is kept."""
    existing = session.exec(select(PostRow).where(PostRow.channel_id == channel_id, PostRow.ts == ts)).first()
    if existing is not None:
        return existing
    row = PostRow(incident_id=incident_id, kind=kind, channel_id=channel_id, ts=ts,
                  languages=",".join(languages), entry_id=entry_id, shown=shown)
    session.add(row)
    session.flush()
    return row


def posts(*, session: Session, incident_id: int, kind: str | None = None, entry_id: int | None = None) -> list[PostRow]:
    stmt = select(PostRow).where(PostRow.incident_id == incident_id)
    if kind:
        stmt = stmt.where(PostRow.kind == kind)
    if entry_id is not None:
        stmt = stmt.where(PostRow.entry_id == entry_id)
    return list(session.exec(stmt.order_by(PostRow.id)))


# Actions -------------------------------------------------------------------------------------

def add_action(*, session: Session, incident_id: int, action: Action, now: datetime) -> ActionRow:
    row = ActionRow(incident_id=incident_id, symptom=action.symptom, action=action.action, owner=action.owner, created_at=now)
    session.add(row)
    session.flush()
    return row


def actions(*, session: Session, incident_id: int) -> list[Action]:
    rows = session.exec(select(ActionRow).where(ActionRow.incident_id == incident_id).order_by(ActionRow.id))
    return [Action(symptom=dict(r.symptom), action=dict(r.action), owner=r.owner) for r in rows]


def set_shown(*, session: Session, post_id: int, shown: str) -> None:
    session.execute(sa.update(PostRow).where(PostRow.id == post_id).values(shown=shown))
