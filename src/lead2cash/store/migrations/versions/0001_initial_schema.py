"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 12:32:58.300309
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lead2cash.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "l2c_audit",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=True),
        sa.Column("object_type", sa.String(length=60), nullable=True),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_l2c_audit")),
    )
    with op.batch_alter_table("l2c_audit", schema=None) as batch_op:
        batch_op.create_index("ix_l2c_audit_correlation_id", ["correlation_id"], unique=False)
        batch_op.create_index(
            "ix_l2c_audit_object", ["system", "object_type", "object_id"], unique=False
        )

    op.create_table(
        "l2c_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_audit_head")),
    )
    op.create_table(
        "l2c_bindings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("canonical_id", sa.String(length=200), nullable=True),
        sa.Column("odoo_model", sa.String(length=100), nullable=True),
        sa.Column("odoo_id", sa.Integer(), nullable=True),
        sa.Column("company", sa.String(length=100), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.Column("synced_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_bindings")),
        sa.UniqueConstraint("system", "object_type", "external_id", name="uq_l2c_bindings_key"),
    )
    with op.batch_alter_table("l2c_bindings", schema=None) as batch_op:
        batch_op.create_index("ix_l2c_bindings_canonical", ["canonical_id"], unique=False)
        batch_op.create_index("ix_l2c_bindings_odoo", ["odoo_model", "odoo_id"], unique=False)

    op.create_table(
        "l2c_circuits",
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("failure_class", sa.String(length=40), nullable=True),
        sa.Column("opened_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("retry_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system", name=op.f("pk_l2c_circuits")),
    )
    op.create_table(
        "l2c_cursors",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_l2c_cursors")),
    )
    op.create_table(
        "l2c_inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("event_key", sa.String(length=400), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_inbox")),
        sa.UniqueConstraint("system", "event_key", name="uq_l2c_inbox_system_event_key"),
    )
    op.create_table(
        "l2c_jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=400), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("run_after", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column(
            "lease_expires_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("error_class", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "error_detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("parked_on", sa.String(length=400), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=100), nullable=True),
        sa.Column("config_version", sa.String(length=100), nullable=True),
        sa.Column("created_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_jobs")),
        sa.UniqueConstraint("idempotency_key", name="uq_l2c_jobs_idempotency_key"),
    )
    with op.batch_alter_table("l2c_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_l2c_jobs_claim", ["state", "run_after"], unique=False)
        batch_op.create_index("ix_l2c_jobs_correlation_id", ["correlation_id"], unique=False)
        batch_op.create_index("ix_l2c_jobs_kind_state", ["kind", "state"], unique=False)
        batch_op.create_index("ix_l2c_jobs_lease", ["lease_owner"], unique=False)
        batch_op.create_index("ix_l2c_jobs_parked_on", ["parked_on"], unique=False)

    op.create_table(
        "l2c_job_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("error_class", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["l2c_jobs.id"],
            name=op.f("fk_l2c_job_history_job_id_l2c_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_job_history")),
    )
    with op.batch_alter_table("l2c_job_history", schema=None) as batch_op:
        batch_op.create_index("ix_l2c_job_history_job_id", ["job_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("l2c_job_history", schema=None) as batch_op:
        batch_op.drop_index("ix_l2c_job_history_job_id")

    op.drop_table("l2c_job_history")
    with op.batch_alter_table("l2c_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_l2c_jobs_parked_on")
        batch_op.drop_index("ix_l2c_jobs_lease")
        batch_op.drop_index("ix_l2c_jobs_kind_state")
        batch_op.drop_index("ix_l2c_jobs_correlation_id")
        batch_op.drop_index("ix_l2c_jobs_claim")

    op.drop_table("l2c_jobs")
    op.drop_table("l2c_inbox")
    op.drop_table("l2c_cursors")
    op.drop_table("l2c_circuits")
    with op.batch_alter_table("l2c_bindings", schema=None) as batch_op:
        batch_op.drop_index("ix_l2c_bindings_odoo")
        batch_op.drop_index("ix_l2c_bindings_canonical")

    op.drop_table("l2c_bindings")
    op.drop_table("l2c_audit_head")
    with op.batch_alter_table("l2c_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_l2c_audit_object")
        batch_op.drop_index("ix_l2c_audit_correlation_id")

    op.drop_table("l2c_audit")
