"""``l2c demo``: the hub's lifecycle run for real on the embedded default (SQLite)."""

from __future__ import annotations
