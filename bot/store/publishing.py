"""The public status page's tables: components, publications, and the Statuspage mirror's ids.

`public_incidents` is the one door to the page: it reads only published, non-private incidents and
only what of them is public (titles, status updates, affected components, the postmortem once published).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.model import EntryKind, Priority, Status
from bot.core.publicpage import (Component, ComponentStatus, PublicIncident, PublicUpdate, public_markdowns,
                                 public_texts)
from bot.store.models import IncidentRow, PublicationRow, PublicComponentRow, RemoteUpdateRow, TimelineRow


# Components -------------------------------------------------------------------------------------

def _component(row: PublicComponentRow) -> Component:
    return Component(key=row.key, names=dict(row.names), position=row.position, created_at=row.created_at)


def components(*, session: Session, include_removed: bool = False) -> list[Component]:
    stmt = select(PublicComponentRow)
    if not include_removed:
        stmt = stmt.where(PublicComponentRow.removed == False)  # noqa: E712
    return [_component(r) for r in session.exec(stmt.order_by(PublicComponentRow.position, PublicComponentRow.key))]


def add_component(*, session: Session, key: str, names: dict, now: datetime) -> bool:
    """Add a component, or rename one (a removed one comes back). True when it is new."""
    row = session.get(PublicComponentRow, key)
    if row is not None:
        row.names = {**row.names, **names}
        created = row.removed
        row.removed = False
        row.updated_at = now
        session.add(row)
        session.flush()
        return created
    position = (session.exec(select(sa.func.max(PublicComponentRow.position))).first() or 0) + 1
    try:
        with session.begin_nested():
            session.add(PublicComponentRow(key=key, names=names, position=position, created_at=now, updated_at=now))
            session.flush()
    except IntegrityError:  # added by someone else at the same moment: rename it instead
        return add_component(session=session, key=key, names=names, now=now) and False
    return True


def remove_component(*, session: Session, key: str, now: datetime) -> bool:
    row = session.get(PublicComponentRow, key)
    if row is None or row.removed:
        return False
    row.removed = True
    row.updated_at = now
    session.add(row)
    return True


# Publications -----------------------------------------------------------------------------------

def publication(*, session: Session, incident_id: int, lock: bool = False) -> PublicationRow:
    """The incident's publication row, created (unpublished) the first time it is asked for."""
    stmt = select(PublicationRow).where(PublicationRow.incident_id == incident_id)
    row = session.exec(stmt.with_for_update() if lock else stmt).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(PublicationRow(incident_id=incident_id))
            session.flush()
    except IntegrityError:
        pass
    return session.exec(stmt).first()


def touch(*, session: Session, row: PublicationRow, now: datetime) -> None:
    row.changed_at = now
    session.add(row)
    session.flush()


def set_published(*, session: Session, incident_id: int, published: bool, now: datetime) -> bool:
    """True when it changed."""
    row = publication(session=session, incident_id=incident_id, lock=True)
    if row.published == published:
        return False
    row.published = published
    if published and row.published_at is None:
        row.published_at = now
    touch(session=session, row=row, now=now)
    return True


def set_affected(*, session: Session, incident_id: int, statuses: dict[str, ComponentStatus], now: datetime) -> dict:
    row = publication(session=session, incident_id=incident_id, lock=True)
    row.components = {**row.components, **{k: v.value for k, v in statuses.items()}}
    touch(session=session, row=row, now=now)
    return dict(row.components)


def set_postmortem(*, session: Session, incident_id: int, texts: dict, now: datetime) -> None:
    row = publication(session=session, incident_id=incident_id, lock=True)
    row.postmortem = texts
    row.postmortem_at = now
    touch(session=session, row=row, now=now)


def published_ids(*, session: Session) -> list[int]:
    stmt = (select(PublicationRow.incident_id)
            .join(IncidentRow, IncidentRow.id == PublicationRow.incident_id)
            .where(PublicationRow.published == True, IncidentRow.is_private == False))  # noqa: E712
    return list(session.exec(stmt))


# What of an incident's timeline the page reads: its status updates, and its impact starts (when it began).
PUBLIC_KINDS = (EntryKind.STATUS.value, EntryKind.IMPACT_START.value)


def public_incidents(*, session: Session) -> list[PublicIncident]:
    """Every published, non-private incident, newest first, with only its public parts."""
    stmt = (select(IncidentRow, PublicationRow)
            .join(PublicationRow, PublicationRow.incident_id == IncidentRow.id)
            .where(PublicationRow.published == True, IncidentRow.is_private == False)  # noqa: E712
            .order_by(IncidentRow.number.desc()))
    pairs = list(session.exec(stmt))
    if not pairs:
        return []
    entries: dict[int, list[TimelineRow]] = {}
    rows = session.exec(select(TimelineRow)
                        .where(TimelineRow.incident_id.in_([i.id for i, _ in pairs]),
                               TimelineRow.kind.in_(PUBLIC_KINDS),
                               TimelineRow.deleted == False)  # noqa: E712
                        .order_by(TimelineRow.at, TimelineRow.id))
    for r in rows:
        entries.setdefault(r.incident_id, []).append(r)
    return [_public(i, p, entries.get(i.id, [])) for i, p in pairs]


def _public(row: IncidentRow, pub: PublicationRow, entries: list[TimelineRow]) -> PublicIncident:
    updates = [PublicUpdate(id=e.id, status=Status(e.data.get("to", row.status)), texts=public_texts(e.texts),
                            display_at=e.at, created_at=e.recorded_at or e.at)
               for e in entries if e.kind == EntryKind.STATUS.value and public_texts(e.texts)]
    monitoring = next((u.display_at for u in updates if u.status is Status.MONITORING), None)
    # It started when customers were first hit, if before the declaration (as the postmortem's whole duration).
    impact = [e.at for e in entries if e.kind == EntryKind.IMPACT_START.value]
    started = min([row.declared_at or row.created_at, *impact])
    changes = [t for t in (row.updated_at, pub.changed_at, *(u.created_at for u in updates)) if t]
    return PublicIncident(
        ref=row.ref, title=public_texts(row.title), status=Status(row.status), priority=Priority(row.priority),
        started_at=started, resolved_at=row.resolved_at if row.status == Status.RESOLVED.value else None,
        updated_at=max(changes, default=started), updates=updates,
        components={k: ComponentStatus(v) for k, v in pub.components.items()},
        postmortem=public_markdowns(pub.postmortem), postmortem_at=pub.postmortem_at, monitoring_at=monitoring,
    )


def fingerprint(*, session: Session) -> tuple:
    """Cheap to read, changes whenever anything the public page shows may have changed."""
    pub = session.exec(select(sa.func.max(PublicationRow.changed_at), sa.func.count())).one()
    comp = session.exec(select(sa.func.max(PublicComponentRow.updated_at), sa.func.count())).one()
    inc = session.exec(select(sa.func.max(IncidentRow.updated_at))
                       .join(PublicationRow, PublicationRow.incident_id == IncidentRow.id)
                       .where(PublicationRow.published == True)).one()  # noqa: E712
    # The entries the page reads (`public_incidents`): a new one may leave the incident's row as it was
    # (an update that keeps the status, an impact window).
    shown = session.exec(select(sa.func.max(TimelineRow.id), sa.func.count())
                         .join(PublicationRow, PublicationRow.incident_id == TimelineRow.incident_id)
                         .where(PublicationRow.published == True,  # noqa: E712
                                TimelineRow.kind.in_(PUBLIC_KINDS), TimelineRow.deleted == False)).one()  # noqa: E712
    return tuple(pub) + tuple(comp) + (inc,) + tuple(shown)


# The Statuspage mirror ----------------------------------------------------------------------------

def remote_update(*, session: Session, key: str, incident_id: int) -> RemoteUpdateRow:
    row = session.get(RemoteUpdateRow, key)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(RemoteUpdateRow(key=key, incident_id=incident_id))
            session.flush()
    except IntegrityError:
        pass
    return session.get(RemoteUpdateRow, key)
