"""The HubSpot CRM object types the hub reads, and what differs between them (reference §1.2).

Each type is addressed by its plural name in paths (``deals``) or by its objectTypeId (``0-3``);
webhook subscription types use the singular (``deal.propertyChange``). Contacts stamp their last
change in ``lastmodifieddate``; the other types in ``hs_lastmodifieddate``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectType:
    """One CRM object type."""

    #: The path segment (``deals``).
    name: str
    #: HubSpot's objectTypeId (``0-3``).
    type_id: str
    #: The singular used by webhook subscription types and job kinds (``deal``).
    singular: str
    #: The property holding the time of the last change (searchable, sortable).
    modified_property: str
    #: What the hub reads by default (besides ``hs_object_id``, ``createdate`` and the
    #: modified property, which are always requested).
    properties: tuple[str, ...]

    def read_properties(self, extra: tuple[str, ...] = ()) -> list[str]:
        """The properties to request: the defaults, ``extra``, and the bookkeeping ones."""
        names = [*self.properties, *extra, "hs_object_id", "createdate", self.modified_property]
        return list(dict.fromkeys(names))


DEALS = ObjectType(
    "deals",
    "0-3",
    "deal",
    "hs_lastmodifieddate",
    (
        "dealname",
        "amount",
        "deal_currency_code",
        "closedate",
        "pipeline",
        "dealstage",
        "hs_is_closed",
        "hs_is_closed_won",
        "hubspot_owner_id",
    ),
)
COMPANIES = ObjectType(
    "companies",
    "0-2",
    "company",
    "hs_lastmodifieddate",
    ("name", "domain", "address", "city", "zip", "country", "phone", "hubspot_owner_id"),
)
CONTACTS = ObjectType(
    "contacts",
    "0-1",
    "contact",
    "lastmodifieddate",
    ("firstname", "lastname", "email", "phone", "jobtitle", "company"),
)
LINE_ITEMS = ObjectType(
    "line_items",
    "0-8",
    "line_item",
    "hs_lastmodifieddate",
    ("name", "quantity", "price", "amount", "hs_product_id", "description"),
)

ALL: tuple[ObjectType, ...] = (DEALS, COMPANIES, CONTACTS, LINE_ITEMS)

_BY_KEY = {key: obj for obj in ALL for key in (obj.name, obj.type_id, obj.singular)}


def object_type(key: str | ObjectType) -> ObjectType:
    """The type named ``key`` (``deals``, ``deal`` or ``0-3``)."""
    if isinstance(key, ObjectType):
        return key
    found = _BY_KEY.get(key.strip().lower())
    if found is None:
        known = ", ".join(o.name for o in ALL)
        raise ValueError(f"unknown HubSpot object type {key!r}; known: {known}")
    return found
