"""Shipped test support: fakes and handlers the test suites, benchmarks and demo reuse."""

from __future__ import annotations
