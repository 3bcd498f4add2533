"""Feedback written to HubSpot: deal and company properties the hub owns (reference §1.6).

The hub writes only the properties it is told it owns (DESIGN.md, "one owner per field"): the
caller passes them in explicitly, per object type, and :class:`HubSpotWriteback` refuses any
other property before a request is sent (:class:`~lead2cash.errors.ValidationError` with
``rule="not_owned"``). Only deals and companies receive feedback.

Values are converted to HubSpot's property text: ``Decimal``/``int`` as plain digits (never an
exponent, never a float), ``bool`` as ``true``/``false``, ``date`` as ``YYYY-MM-DD`` (date
properties hold midnight UTC), aware ``datetime`` as ISO 8601 UTC with milliseconds, and
``None`` as ``""`` (which clears the value). HubSpot itself refuses unknown and read-only
properties with a 400 (→ :class:`~lead2cash.errors.RejectedError`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from lead2cash import errors
from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.client import HubSpotClient, ObjectKey
from lead2cash.connectors.hubspot.objects import COMPANIES, DEALS, ObjectType, object_type

PropertyValue = str | int | Decimal | bool | date | datetime | None

WRITABLE_TYPES = (DEALS, COMPANIES)


def property_text(value: PropertyValue, *, name: str = "") -> str:
    """A Python value as HubSpot property text (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise errors.ValidationError(
                f"property {name} must be a finite number", field=name, rule="finite"
            )
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise errors.ValidationError(
                f"property {name} needs a timezone-aware datetime", field=name, rule="aware"
            )
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise errors.ValidationError(
        f"property {name} has an unsupported value type {type(value).__name__} "
        "(money is Decimal, never float)",
        field=name,
        rule="type",
    )


class HubSpotWriteback:
    """Writes owned properties of deals and companies."""

    def __init__(self, client: HubSpotClient, owned: Mapping[ObjectKey, Collection[str]]) -> None:
        self.client = client
        self.owned: dict[str, frozenset[str]] = {}
        for key, names in owned.items():
            kind = self._writable(key)
            self.owned[kind.name] = frozenset(names)

    @staticmethod
    def _writable(key: ObjectKey) -> ObjectType:
        kind = object_type(key)
        if kind not in WRITABLE_TYPES:
            raise errors.ConfigError(
                f"the hub writes feedback to HubSpot deals and companies only, not {kind.name}"
            )
        return kind

    def _texts(self, kind: ObjectType, values: Mapping[str, PropertyValue]) -> dict[str, str]:
        owned = self.owned.get(kind.name, frozenset())
        refused = sorted(set(values) - owned)
        if refused:
            raise errors.ValidationError(
                f"refusing to write HubSpot {kind.name} properties the hub does not own: "
                f"{', '.join(refused)}",
                field=refused[0],
                rule="not_owned",
            )
        return {name: property_text(value, name=name) for name, value in values.items()}

    def update(
        self,
        obj: ObjectKey,
        object_id: str,
        values: Mapping[str, PropertyValue],
        *,
        id_property: str | None = None,
    ) -> wire.CrmObject | None:
        """PATCH owned properties of one record; ``None`` (no request) when ``values`` is empty."""
        kind = self._writable(obj)
        texts = self._texts(kind, values)
        if not texts:
            return None
        return self.client.update_object(kind, object_id, texts, id_property=id_property)

    def update_deal(
        self, deal_id: str, values: Mapping[str, PropertyValue]
    ) -> wire.CrmObject | None:
        return self.update(DEALS, deal_id, values)

    def update_company(
        self, company_id: str, values: Mapping[str, PropertyValue]
    ) -> wire.CrmObject | None:
        return self.update(COMPANIES, company_id, values)

    def update_many(
        self,
        obj: ObjectKey,
        updates: Mapping[str, Mapping[str, PropertyValue]],
        *,
        id_property: str | None = None,
    ) -> list[wire.CrmObject]:
        """``batch/update`` of owned properties (every input checked before any request)."""
        kind = self._writable(obj)
        texts = {object_id: self._texts(kind, values) for object_id, values in updates.items()}
        texts = {object_id: props for object_id, props in texts.items() if props}
        if not texts:
            return []
        return self.client.batch_update(kind, texts, id_property=id_property).results
