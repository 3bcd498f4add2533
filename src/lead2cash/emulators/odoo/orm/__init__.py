"""A small in-memory ORM with Odoo's semantics: fields, domains, access rights, ``load``."""

from __future__ import annotations
