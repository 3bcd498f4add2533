"""HubSpot records as canonical objects: a deal with its customer and contacts (a DealBundle).

:func:`deal_bundle` reads one deal (its default properties plus the ones the mapping names), its
associated companies, contacts and line items (associations v4, then batch reads) and its
pipeline's stage metadata, and translates them:

* ``Deal.is_won`` is the stage's metadata (closed with probability 1.0, reference §1.4), never
  a stage id; when the pipeline or stage is unknown, HubSpot's ``hs_is_closed_won``.
* The customer is the company associated with the label "Primary", else the first one; a deal
  without a company has no customer (the flow raises the validation error). Contacts point at
  that company.
* Amounts and line-item prices are in ``deal_currency_code`` (``default_currency`` when the deal
  has none); ``closedate`` is read as a date in the portal's time zone.
* ``Deal.properties`` and ``LineItem.properties`` are HubSpot's text, as sent.
* A deal HubSpot only has archived is read as ``archived=True``.

Contacts and line items are ordered by id, so that reading twice gives equal bundles whatever
order HubSpot lists associations in. An invalid contact email is dropped; anything else HubSpot
sends that does not fit (a required value missing, a number that is not one, a currency that is
not ISO 4217, a malformed body) is a :class:`~lead2cash.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.connectors.contacts import usable_email
from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.client import HubSpotClient
from lead2cash.connectors.hubspot.objects import (
    COMPANIES,
    CONTACTS,
    DEALS,
    LINE_ITEMS,
    ObjectType,
)
from lead2cash.model.base import SourceRef
from lead2cash.model.deal import Deal, DealBundle, LineItem
from lead2cash.model.money import Money, check_currency
from lead2cash.model.party import Address, Contact, Customer

log = logging.getLogger(__name__)

SYSTEM = "hubspot"
#: The association label of a deal's primary company (type 5, reference §1.5).
PRIMARY_LABEL = "Primary"
#: Read besides each type's default properties (``objects.py``).
COMPANY_PROPERTIES = ("address2", "state", "website")
CONTACT_PROPERTIES = ("mobilephone",)
LINE_ITEM_PROPERTIES = ("hs_sku",)

#: Canonical field → the HubSpot property it comes from (to name the field in errors).
_DEAL_FIELDS = {
    "name": "dealname",
    "stage": "dealstage",
    "amount": "amount",
    "close_date": "closedate",
    "owner": "hubspot_owner_id",
}
_COMPANY_FIELDS = {"name": "name", "domain": "domain", "phone": "phone", "vat": "vat"}
_CONTACT_FIELDS = {"name": "firstname", "phone": "phone", "job_title": "jobtitle"}
_LINE_FIELDS = {"name": "name", "sku": "hs_sku", "quantity": "quantity", "unit_price": "price"}


def deal_bundle(
    client: HubSpotClient,
    deal_id: str,
    *,
    properties: Sequence[str] = (),
    vat_property: str = "vat_number",
    default_currency: str | None = None,
    line_item_properties: Sequence[str] = (),
) -> DealBundle:
    """The deal ``deal_id`` with its primary company and its contacts, as canonical objects.

    ``properties``: deal properties to read besides the defaults (the names the mapping's
    expressions use); every property read ends up in ``Deal.properties``.
    ``line_item_properties``: the same for line items (``LineItem.properties``).
    ``vat_property``: the company property holding the VAT number. Raises
    :class:`~lead2cash.errors.NotFoundError` when HubSpot has no such deal,
    :class:`~lead2cash.errors.ValidationError` (naming the field) when what it has cannot be
    translated.
    """
    label = f"{SYSTEM} deal {deal_id}"
    record = _read_deal(client, deal_id, properties, label)
    currency = _currency(record, default_currency, label)

    companies = _associated(client, record, COMPANIES, label)
    primary_id = _primary(companies)
    company = None if primary_id is None else _read_company(client, primary_id, vat_property)
    customer = None if company is None else _customer(company, vat_property)
    customer_ref = None if customer is None else _ref(COMPANIES, customer.source.external_id)

    contact_ids = _sorted_ids(_associated(client, record, CONTACTS, label))
    line_ids = _sorted_ids(_associated(client, record, LINE_ITEMS, label))
    with _wire(f"{label} contacts", "contacts"):
        contact_records = client.batch_read(
            CONTACTS, contact_ids, properties=CONTACTS.read_properties(CONTACT_PROPERTIES)
        )
    with _wire(f"{label} line items", "line_items"):
        line_records = client.batch_read(
            LINE_ITEMS,
            line_ids,
            properties=LINE_ITEMS.read_properties((*LINE_ITEM_PROPERTIES, *line_item_properties)),
        )
    contacts = [
        _contact(r, customer_ref) for r in _in_order(contact_records, contact_ids, CONTACTS)
    ]
    lines = [_line_item(r, currency) for r in _in_order(line_records, line_ids, LINE_ITEMS)]

    deal = _deal(
        record,
        currency=currency,
        is_won=_is_won(client, record, label),
        close_date=_close_date(client, record, label),
        customer=customer_ref,
        contacts=[c.source for c in contacts],
        line_items=lines,
    )
    return DealBundle(deal=deal, customer=customer, contacts=contacts)


# -- reading -------------------------------------------------------------------------------


@contextmanager
def _wire(what: str, field: str) -> Iterator[None]:
    """Turn a HubSpot answer that does not fit the wire models into a ValidationError."""
    try:
        yield
    except PydanticValidationError as exc:
        raise _invalid(exc, what, field, {}) from exc
    except ValueError as exc:
        raise errors.ValidationError(
            f"{what}: {exc}", field=field, rule="hubspot_value", system=SYSTEM
        ) from exc


def _invalid(
    exc: PydanticValidationError, what: str, prefix: str, names: dict[str, str]
) -> errors.ValidationError:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    if loc:
        loc[0] = names.get(loc[0], loc[0])
    field = ".".join([prefix, *loc]) if prefix else ".".join(loc)
    return errors.ValidationError(
        f"{what}: {field or 'record'}: {first['msg']}",
        field=field or prefix or None,
        rule=str(first["type"]),
        system=SYSTEM,
    )


def _read_deal(
    client: HubSpotClient, deal_id: str, properties: Sequence[str], label: str
) -> wire.CrmObject:
    wanted = DEALS.read_properties(tuple(properties))
    with _wire(label, "deal"):
        try:
            return client.get_object(DEALS, deal_id, properties=wanted)
        except errors.NotFoundError as missing:
            try:
                return client.get_object(DEALS, deal_id, properties=wanted, archived=True)
            except errors.NotFoundError:
                raise missing from None


def _associated(
    client: HubSpotClient, record: wire.CrmObject, to: ObjectType, label: str
) -> list[wire.AssociatedObject]:
    with _wire(f"{label} {to.name} associations", to.name):
        try:
            return client.associations(DEALS, record.id, to)
        except errors.NotFoundError:
            if record.archived:  # HubSpot may not serve associations of archived records
                return []
            raise


def _primary(companies: list[wire.AssociatedObject]) -> str | None:
    for item in companies:
        if any(
            (t.label or "").casefold() == PRIMARY_LABEL.casefold() for t in item.association_types
        ):
            return item.to_object_id
    return companies[0].to_object_id if companies else None


def _read_company(
    client: HubSpotClient, company_id: str, vat_property: str
) -> wire.CrmObject | None:
    wanted = COMPANIES.read_properties((*COMPANY_PROPERTIES, vat_property))
    with _wire(f"{SYSTEM} company {company_id}", "company"):
        try:
            return client.get_object(COMPANIES, company_id, properties=wanted)
        except errors.NotFoundError:
            # archived between the association read and this one: the deal has no company now
            log.warning(
                "hubspot company %s of a deal is gone",
                company_id,
                extra={"action": "company_missing", "system": SYSTEM, "external_id": company_id},
            )
            return None


def _sorted_ids(items: list[wire.AssociatedObject]) -> list[str]:
    ids = dict.fromkeys(i.to_object_id for i in items)
    return sorted(ids, key=lambda i: (0, int(i), "") if i.isdigit() else (1, 0, i))


def _in_order(
    records: list[wire.CrmObject], ids: list[str], kind: ObjectType
) -> list[wire.CrmObject]:
    by_id = {r.id: r for r in records}
    missing = [i for i in ids if i not in by_id]
    if missing:
        log.warning(
            "hubspot %s associated with a deal are gone: %s",
            kind.name,
            ", ".join(missing),
            extra={"action": "association_missing", "system": SYSTEM},
        )
    return [by_id[i] for i in ids if i in by_id]


def _is_won(client: HubSpotClient, record: wire.CrmObject, label: str) -> bool:
    pipeline_id = record.prop("pipeline") or "default"
    stage_id = record.prop("dealstage")
    stage: wire.PipelineStage | None = None
    if stage_id is not None:
        with _wire(f"{label} pipeline {pipeline_id}", "pipeline"):
            try:
                stage = client.pipeline(pipeline_id).stage(stage_id)
            except errors.NotFoundError:
                stage = None
    if stage is not None:
        return stage.is_won
    return (record.prop("hs_is_closed_won") or "").lower() == "true"


def _close_date(client: HubSpotClient, record: wire.CrmObject, label: str) -> date | None:
    with _wire(label, "closedate"):
        moment = record.time("closedate")
    return None if moment is None else moment.astimezone(client.settings.timezone).date()


# -- translating ---------------------------------------------------------------------------


def _ref(kind: ObjectType, external_id: str, record: wire.CrmObject | None = None) -> SourceRef:
    """``hubspot:<type>:<id>``, stamped with the record's last change when it is given."""
    modified = None
    if record is not None:
        with _wire(f"{SYSTEM} {kind.singular} {external_id}", kind.modified_property):
            modified = record.modified(kind.modified_property)
    return SourceRef(
        system=SYSTEM, object_type=kind.singular, external_id=external_id, modified_at=modified
    )


def _currency(record: wire.CrmObject, default: str | None, label: str) -> str | None:
    code = record.prop("deal_currency_code") or default
    if code is None:
        return None
    try:
        return check_currency(code)
    except ValueError as exc:
        field = "deal_currency_code" if record.prop("deal_currency_code") else "default_currency"
        raise errors.ValidationError(
            f"{label}: {exc}", field=field, rule="iso4217", system=SYSTEM
        ) from exc


def _money(record: wire.CrmObject, name: str, currency: str | None, label: str) -> Money | None:
    with _wire(label, name):
        amount = record.decimal(name)
    if amount is None:
        return None
    if currency is None:
        raise errors.ValidationError(
            f"{label} has {name} {amount} but no currency (deal_currency_code is empty and no "
            "default currency is configured)",
            field="deal_currency_code",
            rule="required",
            system=SYSTEM,
        )
    return Money(amount=amount, currency=currency)


def _required(record: wire.CrmObject, name: str, label: str) -> str:
    value = record.prop(name)
    if value is None or not value.strip():
        raise errors.ValidationError(
            f"{label} has no {name}", field=name, rule="required", system=SYSTEM
        )
    return value


def _deal(
    record: wire.CrmObject,
    *,
    currency: str | None,
    is_won: bool,
    close_date: date | None,
    customer: SourceRef | None,
    contacts: list[SourceRef],
    line_items: list[LineItem],
) -> Deal:
    label = f"{SYSTEM} deal {record.id}"
    name = _required(record, "dealname", label)
    stage = _required(record, "dealstage", label)
    amount = _money(record, "amount", currency, label)
    try:
        return Deal(
            source=_ref(DEALS, record.id, record),
            name=name,
            stage=stage,
            pipeline=record.prop("pipeline"),
            is_won=is_won,
            amount=amount,
            close_date=close_date,
            owner=record.prop("hubspot_owner_id"),
            customer=customer,
            contacts=contacts,
            line_items=line_items,
            properties=dict(record.properties),
            archived=record.archived,
        )
    except PydanticValidationError as exc:
        raise _invalid(exc, label, "", _DEAL_FIELDS) from exc


def _line_item(record: wire.CrmObject, currency: str | None) -> LineItem:
    label = f"{SYSTEM} line item {record.id}"
    name = _required(record, "name", label)
    with _wire(label, "quantity"):
        quantity = record.decimal("quantity")
    price = _money(record, "price", currency, label)
    try:
        return LineItem(
            source=_ref(LINE_ITEMS, record.id, record),
            name=name,
            sku=record.prop("hs_sku"),
            quantity=Decimal(1) if quantity is None else quantity,
            unit_price=price,
            properties=dict(record.properties),
        )
    except PydanticValidationError as exc:
        raise _invalid(exc, label, "line_items", _LINE_FIELDS) from exc


def _country(value: str | None) -> str | None:
    """A 2-letter country code as is; anything else (HubSpot's free text) is left out."""
    text = (value or "").strip()
    return text.upper() if len(text) == 2 and text.isascii() and text.isalpha() else None


def _customer(record: wire.CrmObject, vat_property: str) -> Customer:
    label = f"{SYSTEM} company {record.id}"
    name = record.prop("name") or record.prop("domain")
    if name is None or not name.strip():
        raise errors.ValidationError(
            f"{label} has no name", field="company.name", rule="required", system=SYSTEM
        )
    try:
        return Customer(
            source=_ref(COMPANIES, record.id, record),
            name=name,
            vat=record.prop(vat_property),
            domain=record.prop("domain") or record.prop("website"),
            phone=record.prop("phone"),
            address=Address(
                street=record.prop("address"),
                street2=record.prop("address2"),
                city=record.prop("city"),
                zip=record.prop("zip"),
                state=record.prop("state"),
                country=_country(record.prop("country")),
            ),
        )
    except PydanticValidationError as exc:
        names = _COMPANY_FIELDS | {"vat": vat_property}
        raise _invalid(exc, label, "company", names) from exc


def _contact(record: wire.CrmObject, customer: SourceRef | None) -> Contact:
    label = f"{SYSTEM} contact {record.id}"
    email = usable_email(
        (record.prop("email") or "").strip() or None, system=SYSTEM, contact_id=record.id, log=log
    )
    parts = [(record.prop(p) or "").strip() for p in ("firstname", "lastname")]
    name = " ".join(p for p in parts if p) or email
    if not name:
        raise errors.ValidationError(
            f"{label} has neither a name nor an email",
            field="contacts.firstname",
            rule="required",
            system=SYSTEM,
        )
    try:
        return Contact(
            source=_ref(CONTACTS, record.id, record),
            name=name,
            email=email,
            phone=record.prop("phone") or record.prop("mobilephone"),
            job_title=record.prop("jobtitle"),
            customer=customer,
        )
    except PydanticValidationError as exc:
        raise _invalid(exc, label, "contacts", _CONTACT_FIELDS) from exc
