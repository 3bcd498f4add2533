"""The durable store: SQLAlchemy Core tables, Alembic migrations and the repositories over them.

Only this package touches SQL. SQLite (WAL) is the embedded default; PostgreSQL the production
store (``L2C_DATABASE_URL=postgresql+psycopg://...``).
"""

from __future__ import annotations
