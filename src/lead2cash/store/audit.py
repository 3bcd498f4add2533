"""The append-only, hash-chained audit log.

Each row's ``hash`` covers its own fields and the previous row's hash, so changing, deleting or
inserting a row breaks the chain from that point on; the head row (``l2c_audit_head``) holds the
last sequence number and hash, so truncating the tail is caught too. With an audit key
(``L2C_AUDIT_KEY``) the hashes are HMACs: without the key nobody can forge a consistent chain.
Appends lock the head row, so concurrent writers produce one linear chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from lead2cash.store.tables import audit, audit_head

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, Decimals and datetimes as strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False
    )


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def normalise(value: Any) -> Any:
    """The JSON value as it will read back from the database."""
    return None if value is None else json.loads(canonical_json(value))


@dataclass(frozen=True)
class AuditEntry:
    """What happened: who did what to which object, before and after, and how it ended."""

    actor: str
    action: str
    outcome: str = "ok"
    system: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    before: Any = None
    after: Any = None
    correlation_id: str | None = None


@dataclass
class VerifyReport:
    """The result of walking the chain."""

    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    """Appends to and verifies the audit chain."""

    def __init__(self, engine: Engine, *, key: bytes | None = None) -> None:
        self.engine = engine
        self._key = key

    def _digest(self, fields: dict[str, Any]) -> str:
        text = canonical_json(fields).encode()
        if self._key:
            return hmac.new(self._key, text, hashlib.sha256).hexdigest()
        return hashlib.sha256(text).hexdigest()

    @staticmethod
    def _hashed_fields(row: dict[str, Any]) -> dict[str, Any]:
        at: datetime = row["at"]
        return {
            "seq": int(row["seq"]),
            "at": at.astimezone(UTC).isoformat(),
            "actor": row["actor"],
            "action": row["action"],
            "system": row["system"],
            "object_type": row["object_type"],
            "object_id": row["object_id"],
            "before": row["before"],
            "after": row["after"],
            "outcome": row["outcome"],
            "correlation_id": row["correlation_id"],
            "prev_hash": row["prev_hash"],
        }

    def append(self, conn: Connection, entry: AuditEntry, *, at: datetime | None = None) -> int:
        """Append ``entry`` inside the caller's transaction; returns its sequence number."""
        head = conn.execute(
            select(audit_head.c.seq, audit_head.c.hash)
            .where(audit_head.c.id == 1)
            .with_for_update()
        ).first()
        if head is None:
            conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS))
            head = conn.execute(
                select(audit_head.c.seq, audit_head.c.hash)
                .where(audit_head.c.id == 1)
                .with_for_update()
            ).one()
        row: dict[str, Any] = {
            "seq": int(head.seq) + 1,
            "at": (at or datetime.now(UTC)).astimezone(UTC),
            "actor": entry.actor,
            "action": entry.action,
            "system": entry.system,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "before": normalise(entry.before),
            "after": normalise(entry.after),
            "outcome": entry.outcome,
            "correlation_id": entry.correlation_id,
            "prev_hash": head.hash,
        }
        row["hash"] = self._digest(self._hashed_fields(row))
        conn.execute(insert(audit).values(**row))
        conn.execute(
            update(audit_head).where(audit_head.c.id == 1).values(seq=row["seq"], hash=row["hash"])
        )
        return int(row["seq"])

    def record(self, entry: AuditEntry) -> int:
        """Append ``entry`` in a transaction of its own."""
        with self.engine.begin() as conn:
            return self.append(conn, entry)

    def entries(
        self,
        *,
        system: str | None = None,
        object_type: str | None = None,
        object_id: str | None = None,
        correlation_id: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        stmt = select(audit).order_by(audit.c.seq.desc()).limit(limit)
        for column, value in (
            ("system", system),
            ("object_type", object_type),
            ("object_id", object_id),
            ("correlation_id", correlation_id),
        ):
            if value is not None:
                stmt = stmt.where(audit.c[column] == value)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def _rows(self, conn: Connection, batch: int = 5000) -> Iterator[dict[str, Any]]:
        last = 0
        while True:
            rows = conn.execute(
                select(audit).where(audit.c.seq > last).order_by(audit.c.seq).limit(batch)
            ).all()
            if not rows:
                return
            for r in rows:
                yield dict(r._mapping)
            last = int(rows[-1].seq)

    def verify(self) -> VerifyReport:
        """Walk the whole chain and report every break: changed, deleted or inserted rows."""
        report = VerifyReport()
        with self.engine.connect() as conn:
            expected_seq, prev_hash = 1, GENESIS
            for row in self._rows(conn):
                report.rows += 1
                seq = int(row["seq"])
                if seq != expected_seq:
                    report.problems.append(
                        f"row {seq}: expected sequence {expected_seq} (rows deleted or inserted)"
                    )
                if row["prev_hash"] != prev_hash:
                    report.problems.append(
                        f"row {seq}: does not link to the row before it (a row was deleted or "
                        "inserted before it)"
                    )
                if self._digest(self._hashed_fields(row)) != row["hash"]:
                    report.problems.append(f"row {seq}: content does not match its hash (changed)")
                expected_seq, prev_hash = seq + 1, row["hash"]
            head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).first()
        head_seq, head_hash = (0, GENESIS) if head is None else (int(head.seq), head.hash)
        if head_seq != expected_seq - 1 or head_hash != prev_hash:
            report.problems.append(
                f"chain head says row {head_seq} is last, the table ends at row "
                f"{expected_seq - 1} (rows appended outside the log, or the tail deleted)"
            )
        return report
