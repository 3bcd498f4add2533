"""The schema, as SQLAlchemy Core tables. Alembic migrations must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lead2cash.store.types import BigId, Json, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Every inbound message (webhook event, polled record, CSV row), stored before it is acknowledged.
inbox = Table(
    "l2c_inbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("system", String(40), nullable=False),
    Column("event_key", String(400), nullable=False),
    Column("payload", Json, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("job_id", BigId, nullable=True),
    UniqueConstraint("system", "event_key", name="uq_l2c_inbox_system_event_key"),
)

#: The queue. ``idempotency_key`` is unique across every state until the row is purged after the
#: retention window, so the same work can never be enqueued twice.
jobs = Table(
    "l2c_jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(200), nullable=False),
    Column("idempotency_key", String(400), nullable=False),
    Column("state", String(20), nullable=False),
    Column("payload", Json, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=True),
    Column("run_after", UtcDateTime, nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True),
    Column("error_class", String(40), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("error_detail", Json, nullable=True),
    Column("parked_on", String(400), nullable=True),
    Column("correlation_id", String(64), nullable=False),
    Column("company", String(100), nullable=True),
    Column("config_version", String(100), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    UniqueConstraint("idempotency_key", name="uq_l2c_jobs_idempotency_key"),
)
Index("ix_l2c_jobs_claim", jobs.c.state, jobs.c.run_after)
Index("ix_l2c_jobs_parked_on", jobs.c.parked_on)
Index("ix_l2c_jobs_kind_state", jobs.c.kind, jobs.c.state)
Index("ix_l2c_jobs_correlation_id", jobs.c.correlation_id)
Index("ix_l2c_jobs_lease", jobs.c.lease_owner)

#: Every state change of every job, with its detail.
job_history = Table(
    "l2c_job_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("job_id", BigId, ForeignKey("l2c_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("error_class", String(40), nullable=True),
    Column("message", Text, nullable=True),
    Column("detail", Json, nullable=True),
)
Index("ix_l2c_job_history_job_id", job_history.c.job_id)

#: The external-id crosswalk (the OCA binder): one row per record of a system we have seen.
bindings = Table(
    "l2c_bindings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("system", String(40), nullable=False),
    Column("object_type", String(60), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("canonical_id", String(200), nullable=True),
    Column("odoo_model", String(100), nullable=True),
    Column("odoo_id", Integer, nullable=True),
    Column("company", String(100), nullable=True),
    Column("last_hash", String(64), nullable=True),
    Column("synced_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("system", "object_type", "external_id", name="uq_l2c_bindings_key"),
)
Index("ix_l2c_bindings_odoo", bindings.c.odoo_model, bindings.c.odoo_id)
Index("ix_l2c_bindings_canonical", bindings.c.canonical_id)

#: Incremental-read positions, one per named stream.
cursors = Table(
    "l2c_cursors",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("value", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: Append-only, hash-chained audit log of every write to any system and every operator action.
audit = Table(
    "l2c_audit",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("system", String(40), nullable=True),
    Column("object_type", String(60), nullable=True),
    Column("object_id", String(200), nullable=True),
    Column("before", Json, nullable=True),
    Column("after", Json, nullable=True),
    Column("outcome", String(40), nullable=False),
    Column("correlation_id", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_l2c_audit_object", audit.c.system, audit.c.object_type, audit.c.object_id)
Index("ix_l2c_audit_correlation_id", audit.c.correlation_id)

#: The head of the audit chain: one row, locked while appending so the chain stays linear.
audit_head = Table(
    "l2c_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigId, nullable=False),
    Column("hash", String(64), nullable=False),
)

#: Circuit breakers per external system: open after an auth/config failure, jobs wait.
circuits = Table(
    "l2c_circuits",
    metadata,
    Column("system", String(40), primary_key=True),
    Column("is_open", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
    Column("failure_class", String(40), nullable=True),
    Column("opened_at", UtcDateTime, nullable=True),
    Column("retry_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: API tokens: only a SHA-256 digest of each token is kept, with its role.
api_tokens = Table(
    "l2c_api_tokens",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    UniqueConstraint("digest", name="uq_l2c_api_tokens_digest"),
    UniqueConstraint("name", name="uq_l2c_api_tokens_name"),
)

#: One billing run per contract and period: what it proposed, the invoices it drafted and the
#: ledger after it (what is billed to date). The unique key is what makes a run idempotent.
billing_runs = Table(
    "l2c_billing_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("contract", String(200), nullable=False),
    Column("period", String(7), nullable=False),
    Column("status", String(20), nullable=False),
    Column("company", String(40), nullable=True),
    Column("order_id", Integer, nullable=True),
    Column("invoice_ids", Json, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", String(40), nullable=False),
    Column("invoiced", String(40), nullable=True),
    Column("proposal", Json, nullable=False),
    Column("ledger", Json, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("contract", "period", name="uq_l2c_billing_runs_contract_period"),
)
