"""api tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 13:19:50.540608
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lead2cash.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "l2c_api_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", lead2cash.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_l2c_api_tokens")),
        sa.UniqueConstraint("digest", name="uq_l2c_api_tokens_digest"),
        sa.UniqueConstraint("name", name="uq_l2c_api_tokens_name"),
    )


def downgrade() -> None:
    op.drop_table("l2c_api_tokens")
