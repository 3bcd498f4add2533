"""Declarative mappings: YAML validated by ``spec.py``, versioned, evaluated by ``engine.py``
with the transforms of ``transforms.py``. Lookup tables and transforms are data, not code."""

from __future__ import annotations
