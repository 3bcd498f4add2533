"""Suite-wide fixtures: a clean L2C_* environment, and store targets (SQLite, PostgreSQL)."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lead2cash.store.facade import Store
from lead2cash.store.tables import metadata

POSTGRES_ENV = "L2C_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's L2C_* settings (test-target variables excepted)."""
    for name in list(os.environ):
        if name.startswith("L2C_") and not name.startswith("L2C_TEST_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands configure the root logger; give every test the configuration it started with."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    admin = postgres_admin_url()
    if not admin:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://u:p@"
            "127.0.0.1:5432/db); .ci/run sets it"
        )
    name = f"l2c_t_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def postgres_store(postgres_url: str) -> Iterator[Store]:
    store = Store.open(postgres_url, upgrade=True)
    yield store
    store.close()


def _truncate(store: Store) -> None:
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The store contract target: a migrated SQLite file, or a truncated PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "l2c.db"
        s = Store.open(f"sqlite:///{path}", upgrade=True)
        yield s
        s.close()
        return
    pg: Store = request.getfixturevalue("postgres_store")
    _truncate(pg)
    yield pg


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'l2c.db'}", upgrade=True)
    yield s
    s.close()
