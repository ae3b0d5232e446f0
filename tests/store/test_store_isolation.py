"""Each test's PostgreSQL database is a schema of its own, so tests cannot see each other's rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.mark.requires_postgres
def test_the_tables_live_in_a_schema_of_the_test_not_in_public(db):
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    inspector = sa.inspect(db.engine)

    assert schema.startswith("t_")
    assert "incident" in inspector.get_table_names(schema=schema)
    assert "incident" not in inspector.get_table_names(schema="public")
