"""older rows to the current shape: per-person marks, the summary pin step

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30 16:00:00

Data only, no schema change. Two shapes the code read "for older rows" are rewritten once here:
- a chat message made key before marks were kept per person (data has no "marks") gets the mark
  that shape meant: a pin by someone unknown, `{"pin": {"?": {"on": true, "at": 0}}}`
  (bot.core.transitions.mark: anyone's removal ends it);
- an incident whose setup says `"summary": true` (before the summary's ts was kept) had it pinned in
  the same step: it gets `"pinned": true`.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None

UNKNOWN = "?"  # bot.core.transitions.UNKNOWN, copied: a migration must not change when the code does

timeline = sa.table("timeline_entry", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("key", sa.Boolean), sa.column("data", sa.JSON))
incident = sa.table("incident", sa.column("id", sa.Integer), sa.column("setup", sa.JSON))


def upgrade() -> None:
    if op.get_context().as_sql:
        # Offline (SQL written out, as the test template does): no rows to read, nothing to rewrite.
        return
    conn = op.get_bind()
    marked = conn.execute(sa.select(timeline.c.id, timeline.c.data)
                          .where(timeline.c.kind == "message", timeline.c.key == sa.true())).all()
    for id_, data in marked:
        data = dict(data or {})
        if data.get("marks") is None:
            data["marks"] = {"pin": {UNKNOWN: {"on": True, "at": 0}}}
            conn.execute(sa.update(timeline).where(timeline.c.id == id_).values(data=data))
    for id_, setup in conn.execute(sa.select(incident.c.id, incident.c.setup)).all():
        setup = dict(setup or {})
        if setup.get("summary") is True and not setup.get("pinned"):
            conn.execute(sa.update(incident).where(incident.c.id == id_).values(setup={**setup, "pinned": True}))


def downgrade() -> None:
    # The new shapes are what the older code wrote itself later on; it reads them as they are.
    pass
