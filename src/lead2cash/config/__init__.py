"""The hub's configuration: one YAML file with an overlay per environment (dev, test, staging,
prod), validated by a pydantic schema; secrets only as references."""

from __future__ import annotations
