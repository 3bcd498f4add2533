"""System of record: per canonical object and field, the one system that owns it.

The hub never writes a field to a system that does not own it, and a change event whose owned
fields equal what the hub last wrote (the hash kept on the binding) is an echo of our own write,
not new work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lead2cash import errors
from lead2cash.store.bindings import content_hash

CRM = "crm"
TIME = "time"
ODOO = "odoo"

#: object → field → owning system. ``*`` is the default for fields not listed.
SYSTEM_OF_RECORD: dict[str, dict[str, str]] = {
    "customer": {"*": CRM, "odoo_partner_id": ODOO, "credit_limit": ODOO, "payment_terms": ODOO},
    "contact": {"*": CRM},
    "deal": {
        "*": CRM,
        "odoo_sale_order": ODOO,
        "odoo_project": ODOO,
        "project_stage": ODOO,
        "invoiced_to_date": ODOO,
        "paid_to_date": ODOO,
        "last_invoice_state": ODOO,
        "overdue": ODOO,
    },
    "contract": {"*": CRM, "sale_order_state": ODOO},
    "project": {"*": ODOO, "name": CRM},
    "time_entry": {"*": TIME, "invoiced": ODOO, "so_line": ODOO},
    "expense": {"*": TIME, "sheet_state": ODOO},
    "invoice": {"*": ODOO},
    "payment": {"*": ODOO},
}


@dataclass(frozen=True)
class Ownership:
    """The table in force (overridable from configuration)."""

    table: Mapping[str, Mapping[str, str]]

    def owner(self, obj: str, field: str) -> str:
        fields = self.table.get(obj)
        if fields is None:
            raise errors.ConfigError(f"no system of record for object {obj!r}")
        return fields.get(field, fields.get("*", ""))

    def writable(self, system: str, obj: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """The subset of ``values`` that ``system`` owns, so may be written to it."""
        return {k: v for k, v in values.items() if self.owner(obj, k) == system}

    def check_write(self, system: str, obj: str, values: Mapping[str, Any]) -> None:
        """Refuse a write that would touch a field ``system`` does not own."""
        foreign = sorted(k for k in values if self.owner(obj, k) != system)
        if foreign:
            raise errors.ConfigError(
                f"refusing to write {', '.join(foreign)} of {obj} to {system}: "
                f"owned by {', '.join(sorted({self.owner(obj, k) for k in foreign}))}"
            )


DEFAULT = Ownership(SYSTEM_OF_RECORD)


def is_echo(last_hash: str | None, owned_values: Mapping[str, Any]) -> bool:
    """Whether an incoming change only repeats what the hub itself last wrote."""
    return last_hash is not None and content_hash(dict(owned_values)) == last_hash
