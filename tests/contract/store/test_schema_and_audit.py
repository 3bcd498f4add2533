"""Migrations equal the metadata; the audit chain detects tampering. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, select, update

from lead2cash.store.audit import AuditEntry
from lead2cash.store.facade import Store
from lead2cash.store.tables import audit, metadata


def test_migrations_produce_the_metadata_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        store.audit.record(
            AuditEntry(
                actor="worker",
                action="odoo.write",
                system="odoo",
                object_type="res.partner",
                object_id=str(i),
                before=None,
                after={"name": f"Acme {i}", "amount": "1.50"},
                correlation_id=f"c{i}",
            )
        )


def test_intact_chain_verifies(store: Store) -> None:
    _fill(store)
    report = store.audit.verify()
    assert report.ok and report.rows == 5


def test_changed_row_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.seq == 3).values(after={"name": "Evil"}))
    report = store.audit.verify()
    assert not report.ok
    assert any("row 3" in p and "changed" in p for p in report.problems)


def test_deleted_row_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit).where(audit.c.seq == 2))
    problems = store.audit.verify().problems
    assert any("row 3" in p and "expected sequence 2" in p for p in problems)


def test_deleted_tail_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit).where(audit.c.seq == 5))
    assert any("chain head" in p for p in store.audit.verify().problems)


def test_inserted_row_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        row: dict[str, Any] = dict(
            conn.execute(select(audit).where(audit.c.seq == 5)).one()._mapping
        )
        # a forger appends a plausible row linked to the last one, without the head
        row.update(seq=6, prev_hash=row["hash"], object_id="999")
        conn.execute(insert(audit).values(**row))
    problems = store.audit.verify().problems
    assert any("row 6" in p for p in problems)
    assert any("chain head" in p for p in problems)


def test_keyed_chain_refuses_a_recomputed_forgery(store: Store) -> None:
    keyed = Store(store.engine, audit_key=b"k" * 32)
    keyed.audit.record(AuditEntry(actor="a", action="x"))
    unkeyed_view = Store(store.engine)  # a forger without the key recomputes plain hashes
    assert not unkeyed_view.audit.verify().ok
    assert keyed.audit.verify().ok
