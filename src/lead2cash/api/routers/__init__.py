"""One router per area."""

from __future__ import annotations
