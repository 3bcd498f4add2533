"""The ``l2c`` command (Typer): ``main.py`` plus one thin module per command group."""

from __future__ import annotations
