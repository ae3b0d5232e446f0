"""One command, one transaction: load the incident locked, apply a pure transition, save.

The transition (bot/core/transitions.py) decides; this module only reads and writes. What it hands
out are domain values (`Incident`, `Entry`) and `Post`s, never SQLModel rows.

Locking: the incident row is read with SELECT … FOR UPDATE on PostgreSQL; on SQLite every
transaction begins IMMEDIATE (bot/store/db.py), which takes the write lock up front. Either way two
commands on one incident apply one after the other, each to the state the other left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.core.impact import WINDOW_KINDS
from bot.core.model import Entry, Incident
from bot.core.transitions import Transition
from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.db import Database
from bot.store.models import IncidentRow, PostRow

# The posts kept true after every change (bot/flows/sync.py), and those an update is threaded under.
EDITED_KINDS = ("summary", "announcement")


@dataclass(frozen=True)
class Post:
    """A message the bot posted and may edit later (summary, announcement, update, event echo)."""

    id: int
    kind: str
    channel_id: str
    ts: str
    languages: str = ""  # comma-separated codes; empty: every configured language
    entry_id: int | None = None
    shown: str | None = None  # fingerprint of what it shows now


def to_post(row: PostRow) -> Post:
    return Post(id=row.id, kind=row.kind, channel_id=row.channel_id, ts=row.ts, languages=row.languages,
                entry_id=row.entry_id, shown=row.shown)


@dataclass(frozen=True)
class State:
    """An incident as the posts are made from it, read in one transaction."""

    incident: Incident
    window: list[Entry]  # the impact-window entries (bot.core.impact.WINDOW_KINDS), in time order
    posts: list[Post]  # the summary, then the announcements (EDITED_KINDS), each in the order posted
    topic: str | None  # the channel topic last set
    version: int

    @property
    def signature(self) -> tuple:
        """What the posts are made of: changes whenever they would."""
        return self.version, tuple(e.id for e in self.window)

    def posts_of(self, kind: str) -> list[Post]:
        return [p for p in self.posts if p.kind == kind]


@dataclass(frozen=True)
class Applied:
    before: Incident
    state: State  # after the command
    entries: list[Entry] = field(default_factory=list)  # the entries it recorded, with their ids

    @property
    def incident(self) -> Incident:
        return self.state.incident


def _window(session: Session, incident_id: int) -> list[Entry]:
    return tl.entries(session=session, incident_id=incident_id, kinds=WINDOW_KINDS)


def read_state(session: Session, row: IncidentRow) -> State:
    posts = store.posts(session=session, incident_id=row.id)
    return State(incident=store.to_incident(row), window=_window(session, row.id),
                 posts=[to_post(p) for kind in EDITED_KINDS for p in posts if p.kind == kind],
                 topic=row.setup.get("topic"), version=row.version)


def load(db: Database, incident_id: int) -> State:
    with db.session() as s:
        return read_state(s, store.get(session=s, incident_id=incident_id))


def signature(session: Session, incident_id: int) -> tuple:
    """`State.signature` without reading the posts."""
    row = store.get(session=session, incident_id=incident_id)
    return row.version, tuple(e.id for e in _window(session, incident_id))


def write_incident(row: IncidentRow, incident: Incident) -> None:
    """Copy what transitions change onto the row (never the declare bookkeeping: setup, lease, key)."""
    row.title = dict(incident.title)
    row.status = incident.status.value
    row.priority = incident.priority.value
    row.category = incident.category
    row.responsibility = incident.responsibility.value if incident.responsibility else None
    row.components = dict(incident.components)
    row.impact = dict(incident.impact)
    row.cause = dict(incident.cause)
    row.context = dict(incident.context)
    row.roles = {k.value: v for k, v in incident.roles.items()}
    row.declared_by = incident.declared_by
    row.declared_at = incident.declared_at
    row.resolved_at = incident.resolved_at


def record(session: Session, incident_id: int, entries: Sequence[Entry], now: datetime) -> list[Entry]:
    """Add entries; each comes back with its id."""
    return [tl.to_entry(tl.add(session=session, incident_id=incident_id, entry=e, now=now)) for e in entries]


Change = Callable[[Incident, list[Entry]], Transition]


def apply(db: Database, incident_id: int, change: Change, *, now: datetime) -> Applied:
    """Load the incident locked with its impact windows, apply `change`, save the new incident and
    its entries, and read back what the posts need: one transaction. A refusal raised by `change`
    rolls it back, having written nothing."""
    with db.session() as s:
        row = store.get(session=s, incident_id=incident_id, lock=True)
        if row is None:
            raise LookupError(f"no incident {incident_id}")
        before = store.to_incident(row)
        transition = change(before, _window(s, incident_id))
        if transition.incident != before:
            write_incident(row, transition.incident)
            store.save(session=s, row=row, now=now)
        entries = record(s, incident_id, transition.entries, now)
        return Applied(before=before, state=read_state(s, row), entries=entries)


def create(db: Database, draft: Callable[[int], Transition], *, prefix: str, first: int, now: datetime,
           declare_key: str | None, private: bool,
           stale: Callable[[IncidentRow], bool] = lambda row: False) -> tuple[Incident, bool]:
    """Declare: the incident `draft(number)` describes, with its entries, in one transaction.

    With `declare_key`, a repeated declare finds the incident already made: (it, False) — unless
    `stale(it)`: then the key is taken from it and a new incident is made."""
    with db.session() as s:
        if declare_key:
            existing = store.by_declare_key(session=s, key=declare_key)
            if existing is not None and not stale(existing):
                return store.to_incident(existing), False
            if existing is not None:
                existing.declare_key = None
                s.add(existing)
                s.flush()
        number = store.allocate_number(session=s, prefix=prefix, first=first)
        transition = draft(number)
        row = store.create(session=s, incident=transition.incident, declare_key=declare_key, is_private=private,
                           now=now)
        record(s, row.id, transition.entries, now)
        return store.to_incident(row), True


def mark_message(db: Database, channel_id: str, ts: str, mark: Callable[[Entry], Entry]) -> Entry | None:
    """Apply `mark` to a captured chat message, read locked; None when it is not recorded."""
    with db.session() as s:
        row = tl.by_message(session=s, channel_id=channel_id, ts=ts, for_update=True)
        if row is None:
            return None
        marked = mark(tl.to_entry(row))
        row.key, row.data = marked.key, marked.data
        s.add(row)
        return marked
