"""Tables. Every change here needs an Alembic revision under bot/migrations/versions/."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _json(default_factory=dict) -> Any:
    return Field(default_factory=default_factory, sa_type=sa.JSON)


def _when(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Counter(SQLModel, table=True):
    """Reference numbers: one row per prefix, bumped atomically, never reused."""

    name: str = Field(primary_key=True, max_length=20)
    value: int


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, max_length=40)
    number: int
    title: dict = _json()
    status: str = Field(max_length=20)
    priority: str = Field(max_length=4)
    category: str = ""
    responsibility: str | None = Field(default=None, max_length=20)
    components: dict = _json()
    impact: dict = _json()
    cause: dict = _json()
    context: dict = _json()
    roles: dict = _json()
    declared_by: str | None = Field(default=None, max_length=40)
    declared_at: datetime | None = _when()
    resolved_at: datetime | None = _when()
    is_private: bool = False
    channel_id: str | None = Field(default=None, max_length=40, index=True)
    channel_name: str | None = Field(default=None, max_length=80)
    canvas_id: str | None = Field(default=None, max_length=40)
    # Which steps of the declare flow are done, so an interrupted declare resumes instead of repeating.
    setup: dict = _json()
    # Who is running the declare's Slack steps, until when: two runs at once (a repeated command,
    # the Try again button, the start-up resume on two replicas) must not both create a channel.
    setup_lease: datetime | None = _when()
    setup_holder: str | None = Field(default=None, max_length=120)  # bot.store.process.identity()
    # Idempotency key of the declare request: a repeated declare finds the same incident.
    declare_key: str | None = Field(default=None, unique=True, max_length=128)
    version: int = 0
    created_at: datetime | None = _when()
    updated_at: datetime | None = _when()


class TimelineRow(SQLModel, table=True):
    __tablename__ = "timeline_entry"
    __table_args__ = (sa.Index("ix_timeline_incident_at", "incident_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    at: datetime = _when(nullable=False)
    author: str | None = Field(default=None, max_length=40)
    text: str = Field(default="", sa_type=sa.Text)
    texts: dict = _json()
    key: bool = False
    data: dict = _json()
    channel_id: str | None = Field(default=None, max_length=40)
    ts: str | None = Field(default=None, max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    deleted: bool = False
    # One entry per Slack message (or event): a unique key, not check-then-insert, so retries
    # and a second bot process cannot record it twice.
    dedupe_key: str | None = Field(default=None, unique=True, max_length=200)
    recorded_at: datetime | None = _when()


class PostRow(SQLModel, table=True):
    """A message the bot posted and may have to edit in place (summary, announcement, update)."""

    __tablename__ = "post"
    __table_args__ = (sa.UniqueConstraint("channel_id", "ts", name="uq_post_channel_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)  # summary | announcement | update | event
    channel_id: str = Field(max_length=40)
    ts: str = Field(max_length=32)
    languages: str = Field(default="", max_length=100)  # comma-separated
    entry_id: int | None = Field(default=None, foreign_key="timeline_entry.id", ondelete="SET NULL")
    # Fingerprint of what the post shows now, shared by every process: an edit that would change
    # nothing is skipped, and a process never skips an edit because of what it alone remembers.
    shown: str | None = Field(default=None, max_length=64)


class ActionRow(SQLModel, table=True):
    __tablename__ = "action"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    symptom: dict = _json()
    action: dict = _json()
    owner: str | None = Field(default=None, max_length=40)
    created_at: datetime | None = _when()


class SeenEvent(SQLModel, table=True):
    """Slack event IDs already handled: the insert fails for a retry or a second process."""

    __tablename__ = "seen_event"

    event_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime | None = _when()


class DueRow(SQLModel, table=True):
    """Due work (a reminder) stored as a row: whichever process is alive claims it once when due.

    `key` names the reminder for good (see bot.core.reminders): a done key is never sent again.
    state: pending → claimed (by `claimed_by` until `lease_until`) → done; or cancelled when the
    incident no longer calls for it (a cancelled key comes back to pending if planned again)."""

    __tablename__ = "due_work"
    __table_args__ = (sa.Index("ix_due_work_state_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    due_at: datetime = _when(nullable=False)
    state: str = Field(default="pending", max_length=10)
    data: dict = _json()
    claimed_by: str | None = Field(default=None, max_length=120)  # bot.store.process.IDENTITY
    lease_until: datetime | None = _when()
    attempts: int = 0  # claims so far: from the second, look whether an earlier try was sent already
    done_at: datetime | None = _when()
    created_at: datetime | None = _when()


class ProcessRow(SQLModel, table=True):
    """A running process and its last heartbeat (bot.store.process): a lease whose holder stopped
    beating is taken over within seconds, on whatever host the holder ran."""

    __tablename__ = "process"

    identity: str = Field(primary_key=True, max_length=120)  # host:pid:nonce
    host: str = Field(max_length=60)
    pid: int
    started_at: datetime = _when(nullable=False)
    beat_at: datetime = _when(nullable=False, index=True)  # by the database's clock


class HomeViewerRow(SQLModel, table=True):
    """Who opened the app's Home tab and when: their tab is published again when incidents change."""

    __tablename__ = "home_viewer"

    user_id: str = Field(primary_key=True, max_length=40)
    opened_at: datetime = _when(nullable=False)
# The public status page (issue 15) ------------------------------------------------------------

class PublicComponentRow(SQLModel, table=True):
    """A row of the public status page: a component with its name in each configured language."""

    __tablename__ = "public_component"

    key: str = Field(primary_key=True, max_length=40)
    names: dict = _json()
    position: int = 0
    removed: bool = False  # kept so past incidents still name it; no longer a row of the page
    created_at: datetime | None = _when()
    updated_at: datetime | None = _when()
    # Atlassian Statuspage mirror: the remote component, and the status last sent to it.
    remote_id: str | None = Field(default=None, max_length=64)
    remote_status: str | None = Field(default=None, max_length=30)


class PublicationRow(SQLModel, table=True):
    """Whether an incident is on the public page, what it affects there, and its mirror's remote ids."""

    __tablename__ = "publication"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True, ondelete="CASCADE")
    published: bool = False
    published_at: datetime | None = _when()
    # key -> Statuspage component status, while the incident affects it.
    components: dict = _json()
    # The postmortem per language (Markdown), once `/incident publish postmortem` ran.
    postmortem: dict = _json()
    postmortem_at: datetime | None = _when()
    changed_at: datetime | None = _when()
    # Atlassian Statuspage mirror: the remote incident, and what was last sent (so nothing is sent twice).
    remote_id: str | None = Field(default=None, max_length=64)
    remote_sent: dict = _json()
    mirror_error: str | None = Field(default=None, max_length=200)
    # Who is syncing this incident to Statuspage, until when: two replicas never both create it.
    mirror_lease: datetime | None = _when()
    mirror_holder: str | None = Field(default=None, max_length=120)  # bot.store.process.IDENTITY


class RemoteUpdateRow(SQLModel, table=True):
    """One public update (a status entry, or the postmortem) known to the Statuspage mirror."""

    __tablename__ = "remote_update"

    key: str = Field(primary_key=True, max_length=80)  # "<incident id>:<entry id>" / "<incident id>:postmortem"
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    remote_id: str | None = Field(default=None, max_length=64)
    sent: str | None = Field(default=None, max_length=64)  # fingerprint of the body last sent




class InboxRow(SQLModel, table=True):
    """An acknowledged command, written before any Slack call: a process killed before it was
    carried out leaves it here, and the next start carries it out (bot.slack.inbox)."""

    __tablename__ = "command_inbox"

    id: int | None = Field(default=None, primary_key=True)
    trigger_id: str = Field(unique=True, max_length=100)  # one per command, from Slack
    user_id: str = Field(max_length=40)
    channel_id: str = Field(max_length=40)
    text: str = Field(sa_type=sa.Text)
    response_url: str = Field(max_length=500)
    received_at: datetime | None = _when(index=True)
    done_at: datetime | None = _when()
