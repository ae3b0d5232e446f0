"""Alembic, driven from code: `python -m bot db upgrade` and `serve` call upgrade()."""

from __future__ import annotations

import os

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # '%' must be doubled for ConfigParser; URLs may hold percent-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty database (or an SQLite file not there yet)."""
    from alembic.runtime.migration import MigrationContext

    from bot.store.db import make_engine

    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):].split("?")[0]):
        return None  # asking would create the file
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def is_current(engine) -> bool:
    """True when the database is at the newest revision this code knows."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
