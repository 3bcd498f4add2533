"""Load a YAML configuration file, apply the environment's overlay, validate it.

The file has a base document and, under ``environments:``, one overlay per environment. The
overlay is deep-merged onto the base (mappings merge key by key; lists and scalars replace), then
the result is validated by the caller's pydantic model. Validation errors are reported with their
location and reason but never their input, so a secret pasted by mistake is not echoed back.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors

ENVIRONMENTS = ("dev", "test", "staging", "prod")
M = TypeVar("M", bound=BaseModel)


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``overlay`` on top of ``base``: nested mappings merge; anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise errors.ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise errors.ConfigError(
            f"{path}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise errors.ConfigError(f"{path}: the top level must be a mapping")
    return data


def with_environment(document: dict[str, Any], env: str) -> dict[str, Any]:
    """The document with ``environments.<env>`` applied and ``environments`` removed."""
    if env not in ENVIRONMENTS:
        raise errors.ConfigError(
            f"unknown environment {env!r}; use one of {', '.join(ENVIRONMENTS)}"
        )
    overlays = document.get("environments") or {}
    if not isinstance(overlays, dict):
        raise errors.ConfigError("'environments' must map environment names to overlays")
    unknown = set(overlays) - set(ENVIRONMENTS)
    if unknown:
        raise errors.ConfigError(
            f"unknown environment(s) in 'environments': {', '.join(sorted(unknown))}"
        )
    base = {k: v for k, v in document.items() if k != "environments"}
    overlay = overlays.get(env) or {}
    if not isinstance(overlay, dict):
        raise errors.ConfigError(f"environments.{env} must be a mapping")
    return deep_merge(base, overlay)


def validate(model: type[M], data: dict[str, Any], *, source: str) -> M:
    """Validate ``data``; a ConfigError lists every problem as ``location: reason``."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise errors.ConfigError(
            f"{source} is invalid:\n  " + "\n  ".join(problems), problems=len(problems)
        ) from None


def load(model: type[M], path: Path, env: str) -> M:
    """Read, overlay and validate a configuration file."""
    return validate(model, with_environment(read_yaml(path), env), source=f"{path} ({env})")


def fingerprint(data: Any) -> str:
    """A short, stable version id of a configuration or mapping document."""
    text = yaml.safe_dump(data, sort_keys=True, default_flow_style=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
