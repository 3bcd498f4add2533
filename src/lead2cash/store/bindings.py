"""Bindings: the crosswalk between an external record, its canonical id and its Odoo record.

Binding a record wakes every job parked on it, in the same transaction, so a time entry that
arrived before its project is processed as soon as the project is synced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, tuple_

from lead2cash import errors
from lead2cash.store.audit import canonical_json
from lead2cash.store.db import upsert
from lead2cash.store.tables import bindings


@dataclass(frozen=True)
class BindingKey:
    """``system:object_type:external_id`` — what a parked job waits for."""

    system: str
    object_type: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.system}:{self.object_type}:{self.external_id}"

    @classmethod
    def parse(cls, text: str) -> BindingKey:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise errors.ValidationError(
                f"not a binding reference: {text!r}",
                field="reference",
                rule="system:object_type:external_id",
            )
        return cls(*parts)


@dataclass(frozen=True)
class Binding:
    key: BindingKey
    canonical_id: str | None
    odoo_model: str | None
    odoo_id: int | None
    company: str | None
    last_hash: str | None
    synced_at: datetime


def content_hash(value: Any) -> str:
    """The fingerprint kept on a binding: SHA-256 of the canonical JSON of what we wrote."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _from_row(row: Any) -> Binding:
    return Binding(
        BindingKey(row.system, row.object_type, row.external_id),
        row.canonical_id,
        row.odoo_model,
        row.odoo_id,
        row.company,
        row.last_hash,
        row.synced_at,
    )


class BindingStore:
    """Reads and writes bindings; ``on_bound`` wakes parked jobs (set by the job store)."""

    def __init__(
        self,
        engine: Engine,
        *,
        on_bound: Callable[[Connection, str], int] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.on_bound = on_bound
        self.clock = clock

    def bind(
        self,
        key: BindingKey,
        *,
        odoo_model: str | None = None,
        odoo_id: int | None = None,
        canonical_id: str | None = None,
        company: str | None = None,
        last_hash: str | None = None,
        conn: Connection | None = None,
    ) -> int:
        """Create or update the binding; returns how many parked jobs it woke."""
        if conn is None:
            with self.engine.begin() as own:
                return self.bind(
                    key,
                    odoo_model=odoo_model,
                    odoo_id=odoo_id,
                    canonical_id=canonical_id,
                    company=company,
                    last_hash=last_hash,
                    conn=own,
                )
        now = self.clock()
        values = {
            "system": key.system,
            "object_type": key.object_type,
            "external_id": key.external_id,
            "canonical_id": canonical_id,
            "odoo_model": odoo_model,
            "odoo_id": odoo_id,
            "company": company,
            "last_hash": last_hash,
            "synced_at": now,
            "created_at": now,
        }
        update_cols = [
            c
            for c in ("canonical_id", "odoo_model", "odoo_id", "company", "last_hash")
            if values[c] is not None
        ] + ["synced_at"]
        conn.execute(
            upsert(
                bindings,
                conn.dialect.name,
                ["system", "object_type", "external_id"],
                values,
                update_cols,
            )
        )
        return self.on_bound(conn, str(key)) if self.on_bound else 0

    def get(self, key: BindingKey, *, conn: Connection | None = None) -> Binding | None:
        stmt = select(bindings).where(
            and_(
                bindings.c.system == key.system,
                bindings.c.object_type == key.object_type,
                bindings.c.external_id == key.external_id,
            )
        )
        if conn is not None:
            row = conn.execute(stmt).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(stmt).first()
        return None if row is None else _from_row(row)

    def get_many(self, keys: list[BindingKey]) -> dict[BindingKey, Binding]:
        """Bindings for many keys at once, 500 keys a query."""
        found: dict[BindingKey, Binding] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                stmt = select(bindings).where(
                    tuple_(bindings.c.system, bindings.c.object_type, bindings.c.external_id).in_(
                        [(k.system, k.object_type, k.external_id) for k in chunk]
                    )
                )
                for row in conn.execute(stmt):
                    binding = _from_row(row)
                    found[binding.key] = binding
        return found

    def of_model(self, odoo_model: str, *, system: str | None = None) -> list[Binding]:
        """Every binding to records of one Odoo model (optionally of one source system)."""
        clauses = [bindings.c.odoo_model == odoo_model]
        if system is not None:
            clauses.append(bindings.c.system == system)
        with self.engine.connect() as conn:
            rows = conn.execute(select(bindings).where(and_(*clauses)).order_by(bindings.c.id))
            return [_from_row(r) for r in rows]
