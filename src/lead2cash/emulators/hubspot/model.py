"""What the emulated portal holds: object types, property definitions, association types and
records (reference §1.2, §1.5, §1.6).

Records keep their property values as HubSpot text. ``hs_object_id``, ``createdate`` and the
modified property (``hs_lastmodifieddate``; ``lastmodifieddate`` for contacts) are not stored
but derived from the record's id and millisecond timestamps, so search can compare them fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lead2cash.emulators.hubspot.clock import datetime_to_ms, iso


@dataclass(frozen=True)
class TypeInfo:
    name: str
    type_id: str
    singular: str
    modified_property: str
    #: Returned when a read names no properties (besides the three always returned).
    default_properties: tuple[str, ...]
    #: Searched by a free-text ``query``.
    query_properties: tuple[str, ...]


TYPES: dict[str, TypeInfo] = {
    t.name: t
    for t in (
        TypeInfo(
            "deals",
            "0-3",
            "deal",
            "hs_lastmodifieddate",
            ("dealname", "amount", "closedate", "pipeline", "dealstage"),
            ("dealname",),
        ),
        TypeInfo(
            "companies",
            "0-2",
            "company",
            "hs_lastmodifieddate",
            ("name", "domain"),
            ("name", "domain", "website", "phone"),
        ),
        TypeInfo(
            "contacts",
            "0-1",
            "contact",
            "lastmodifieddate",
            ("firstname", "lastname", "email"),
            ("firstname", "lastname", "email", "phone", "company"),
        ),
        TypeInfo(
            "line_items",
            "0-8",
            "line_item",
            "hs_lastmodifieddate",
            ("name", "quantity", "price", "amount"),
            ("name",),
        ),
    )
}
_TYPE_KEYS = {key: t for t in TYPES.values() for key in (t.name, t.type_id, t.singular)}


def type_info(key: str) -> TypeInfo | None:
    """The type addressed by a path segment (``deals``, ``deal`` or ``0-3``)."""
    return _TYPE_KEYS.get(key.lower())


@dataclass(frozen=True)
class PropertyDef:
    name: str
    type: str = "string"  # string | number | datetime | date | enumeration | bool
    field_type: str = "text"
    label: str = ""
    group: str = ""
    read_only: bool = False
    unique: bool = False
    options: tuple[str, ...] | None = None
    custom: bool = False

    def render(self, object_name: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label or self.name,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group or f"{TYPES[object_name].singular}information",
            "hasUniqueValue": self.unique,
            "hidden": False,
            "calculated": self.read_only,
            "hubspotDefined": not self.custom,
            "modificationMetadata": {
                "archivable": self.custom,
                "readOnlyDefinition": not self.custom,
                "readOnlyValue": self.read_only,
            },
            "options": [
                {"label": o, "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options or ())
            ],
        }
        return body


def _defs(*items: PropertyDef) -> dict[str, PropertyDef]:
    return {p.name: p for p in items}


def _common(modified: str) -> tuple[PropertyDef, ...]:
    return (
        PropertyDef("hs_object_id", "number", "number", "Record ID", read_only=True, unique=True),
        PropertyDef("createdate", "datetime", "date", "Create Date"),
        PropertyDef(modified, "datetime", "date", "Last Modified Date", read_only=True),
        PropertyDef("hubspot_owner_id", "enumeration", "select", "Owner"),
    )


def builtin_properties() -> dict[str, dict[str, PropertyDef]]:
    """The HubSpot-defined properties the emulator knows, by object type."""
    return {
        "deals": _defs(
            *_common("hs_lastmodifieddate"),
            PropertyDef("dealname", label="Deal Name"),
            PropertyDef("amount", "number", "number", "Amount"),
            PropertyDef("closedate", "datetime", "date", "Close Date"),
            PropertyDef("pipeline", "enumeration", "select", "Pipeline"),
            PropertyDef("dealstage", "enumeration", "radio", "Deal Stage"),
            PropertyDef("deal_currency_code", "enumeration", "select", "Currency"),
            PropertyDef("dealtype", "enumeration", "radio", "Deal Type"),
            PropertyDef("description", label="Deal Description", field_type="textarea"),
            PropertyDef(
                "hs_is_closed", "bool", "booleancheckbox", "Is Deal Closed?", read_only=True
            ),
            PropertyDef(
                "hs_is_closed_won", "bool", "booleancheckbox", "Is Closed Won", read_only=True
            ),
        ),
        "companies": _defs(
            *_common("hs_lastmodifieddate"),
            *(
                PropertyDef(n, label=n.title())
                for n in ("name", "domain", "website", "phone", "address", "city", "zip")
            ),
            PropertyDef("address2", label="Street Address 2"),
            PropertyDef("state", label="State/Region"),
            PropertyDef("country", label="Country/Region"),
            PropertyDef("industry", "enumeration", "select", "Industry"),
            PropertyDef("description", label="Description", field_type="textarea"),
        ),
        "contacts": _defs(
            *_common("lastmodifieddate"),
            *(
                PropertyDef(n, label=n.title())
                for n in ("firstname", "lastname", "phone", "company", "jobtitle")
            ),
            PropertyDef("email", label="Email", unique=True),
        ),
        "line_items": _defs(
            *_common("hs_lastmodifieddate"),
            PropertyDef("name", label="Name"),
            PropertyDef("quantity", "number", "number", "Quantity"),
            PropertyDef("price", "number", "number", "Unit price"),
            PropertyDef("amount", "number", "number", "Net price"),
            PropertyDef("hs_product_id", "number", "number", "Product ID"),
            PropertyDef("hs_sku", label="SKU"),
            PropertyDef("description", label="Description", field_type="textarea"),
            PropertyDef("recurringbillingfrequency", "enumeration", "select", "Billing frequency"),
        ),
    }


# -- association types (HUBSPOT_DEFINED; ids are directional) ----------------------------------

#: (from, to) → [(typeId, label)], the unlabeled (default) type first.
ASSOCIATION_TYPES: dict[tuple[str, str], list[tuple[int, str | None]]] = {
    ("deals", "companies"): [(341, None), (5, "Primary")],
    ("companies", "deals"): [(342, None), (6, "Primary")],
    ("deals", "contacts"): [(3, None)],
    ("contacts", "deals"): [(4, None)],
    ("deals", "line_items"): [(19, None)],
    ("line_items", "deals"): [(20, None)],
    ("contacts", "companies"): [(279, None), (1, "Primary")],
    ("companies", "contacts"): [(280, None), (2, "Primary")],
}
INVERSE_TYPE = {341: 342, 5: 6, 3: 4, 19: 20, 279: 280, 1: 2}
INVERSE_TYPE |= {v: k for k, v in list(INVERSE_TYPE.items())}
TYPE_PAIR = {tid: pair for pair, types in ASSOCIATION_TYPES.items() for tid, _ in types}
LABELS = {tid: label for types in ASSOCIATION_TYPES.values() for tid, label in types}


def association_type(type_id: int) -> dict[str, Any]:
    return {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": LABELS.get(type_id)}


# -- records -----------------------------------------------------------------------------------


@dataclass
class Record:
    id: int
    type: str
    values: dict[str, str]
    created_ms: int
    updated_ms: int
    archived_ms: int | None = None
    history: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def set(self, name: str, value: str, at_ms: int) -> None:
        self.values[name] = value
        self.history.setdefault(name, []).append((value, at_ms))


# -- values ------------------------------------------------------------------------------------


def parse_ms(text: str) -> int | None:
    """A datetime value (epoch ms, ISO 8601 or a date) as epoch ms, or ``None``."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return datetime_to_ms(parsed)


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def normalize(prop: PropertyDef, raw: Any) -> tuple[str | None, str | None]:
    """A written value as stored text, or ``(None, error code)``. ``""`` clears."""
    if raw is None:
        return "", None
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, float):
        text = repr(raw)
    else:
        text = str(raw)
    if text == "":
        return "", None
    if prop.type == "number":
        return (text, None) if parse_number(text) is not None else (None, "INVALID_FLOAT")
    if prop.type in ("datetime", "date"):
        ms = parse_ms(text)
        if ms is None:
            return None, "INVALID_DATE"
        if prop.type == "date":
            if ms % 86_400_000:
                return None, "INVALID_DATE"
            return iso(ms)[:10], None
        return iso(ms), None
    if prop.type == "bool":
        lowered = text.lower()
        return (lowered, None) if lowered in ("true", "false") else (None, "INVALID_BOOLEAN")
    if prop.type == "enumeration" and prop.options and text not in prop.options:
        return None, "INVALID_OPTION"
    return text, None
