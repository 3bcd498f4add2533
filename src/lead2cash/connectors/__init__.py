"""Connectors: one subpackage per external system, each translating between that system and the
canonical model. Only connectors touch the network."""

from __future__ import annotations
