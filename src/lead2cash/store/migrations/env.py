"""Alembic environment: runs on the connection handed in by ``store.facade.upgrade_database``,
or opens one from the configured URL (``alembic`` on the command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lead2cash.store.db import make_engine
from lead2cash.store.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
