"""Database engines for the store: SQLite in WAL mode (embedded default) and PostgreSQL.

On SQLite every transaction starts with ``BEGIN IMMEDIATE`` so that writers from several
processes queue on the database lock (with a busy timeout) instead of failing half-way; WAL mode
lets readers go on meanwhile.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from lead2cash import errors

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and immediate transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def insert_ignoring_conflicts(table: Table, dialect_name: str, *index_elements: str) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` on the given unique columns, for either backend."""
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=list(index_elements) or None
        )
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(
            index_elements=list(index_elements) or None
        )
    raise errors.ConfigError(f"unsupported database dialect {dialect_name!r}")


def upsert(
    table: Table,
    dialect_name: str,
    index_elements: list[str],
    values: dict[str, Any],
    update: list[str],
) -> Insert:
    """``INSERT ... ON CONFLICT (...) DO UPDATE`` for either backend."""
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    stmt = module.insert(table).values(**values)
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=index_elements,
        set_={name: getattr(stmt.excluded, name) for name in update},
    )


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn database driver errors into the hub's StoreError classes."""
    try:
        yield
    except OperationalError as exc:
        raise errors.StoreError(f"database unavailable: {exc.orig}") from exc
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None)
        if code in ("40001", "40P01", "55P03"):
            raise errors.ConcurrencyError(f"database conflict ({code}): {exc.orig}") from exc
        raise
