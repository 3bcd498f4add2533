"""Explicit handler registration: each handler module exposes ``register(registry)``."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry


def build_registry(modules: Iterable[str]) -> HandlerRegistry:
    """A registry filled by calling ``register`` of each named module, in order."""
    registry = HandlerRegistry()
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise errors.ConfigError(f"cannot import handler module {name!r}: {exc}") from exc
        register = getattr(module, "register", None)
        if not callable(register):
            raise errors.ConfigError(f"handler module {name!r} has no register(registry)")
        register(registry)
    return registry
