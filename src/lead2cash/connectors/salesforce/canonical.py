"""Salesforce records as canonical objects: an opportunity with its account and contacts (a
DealBundle).

:func:`opportunity_bundle` reads one opportunity in one SOQL query: its standard fields, the
extra ``fields`` the mapping uses (custom fields such as ``Contract_Type__c``), its account
(relationship fields), and two child subqueries, ``OpportunityContactRoles`` (with the contact's
fields) and ``OpportunityLineItems`` (with ``Product2.Name``/``ProductCode``); child results that
page are completed by the client. Then:

* ``Deal.is_won`` is ``IsWon`` (derived by Salesforce from the stage, whatever its name);
* amounts are in ``CurrencyIsoCode`` (read only when the org is multi-currency, as the field
  does not exist otherwise), else ``default_currency``, else the connector's ``currency``;
* ``Deal.properties`` is every field of the record as Salesforce returned it (custom fields
  included; relationship objects and child results removed), and so is each
  ``LineItem.properties`` (``ServiceDate``, ``TotalPrice`` ...);
* the customer is the account: ``Website`` gives the domain, ``Billing*`` the address (a
  multi-line street is split into street and street2; the country only when it is a 2-letter
  code, ``BillingCountryCode`` first when ``account_fields`` reads it); the VAT number comes
  from ``vat_field``;
* contacts come from the contact roles, the primary one first, each contact once.

Salesforce answers with field names spelled as its schema spells them, whatever the query's
case, so fields are looked up case-insensitively. A missing (or deleted) opportunity is a
:class:`~lead2cash.errors.NotFoundError`; a record that cannot be translated a
:class:`~lead2cash.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.connectors.contacts import usable_email
from lead2cash.connectors.salesforce import wire
from lead2cash.connectors.salesforce.client import SalesforceClient
from lead2cash.connectors.salesforce.errorcodes import SYSTEM
from lead2cash.connectors.salesforce.sync import (
    ACCOUNT_FIELDS,
    CONTACT_ROLE_FIELDS,
    LINE_ITEM_FIELDS,
    OPPORTUNITY_FIELDS,
)
from lead2cash.model.base import SourceRef
from lead2cash.model.deal import Deal, DealBundle, LineItem
from lead2cash.model.money import Money, check_currency
from lead2cash.model.party import Address, Contact, Customer

log = logging.getLogger(__name__)

ROLES = "OpportunityContactRoles"
LINES = "OpportunityLineItems"
#: Read besides the fields the incremental sync reads (``sync.py``).
CONTACT_EXTRA = ("Contact.MobilePhone", "Contact.SystemModstamp")
LINE_EXTRA = ("Name", "ProductCode", "SortOrder", "SystemModstamp")

_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*")
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def opportunity_bundle(
    client: SalesforceClient,
    opportunity_id: str,
    *,
    fields: Sequence[str] = (),
    vat_field: str | None = None,
    default_currency: str | None = None,
) -> DealBundle:
    """The opportunity ``opportunity_id`` with its account and contacts, as canonical objects.

    ``fields``: Opportunity fields to read besides the standard ones (the names the mapping's
    expressions use; every field read ends up in ``Deal.properties``). ``vat_field``: the
    Account field holding the VAT number. Raises :class:`~lead2cash.errors.NotFoundError` when
    the org has no such (undeleted) opportunity, :class:`~lead2cash.errors.ValidationError`
    (naming the field) when what it has cannot be translated.
    """
    if not _ID.fullmatch(opportunity_id):
        raise errors.ValidationError(
            f"{opportunity_id!r} is not a Salesforce record id",
            field="opportunity_id",
            rule="salesforce_id",
            system=SYSTEM,
        )
    soql = opportunity_soql(client, opportunity_id, fields=fields, vat_field=vat_field)
    label = f"{SYSTEM} opportunity {opportunity_id}"
    with _wire(label, "Opportunity"):
        found = list(client.query(soql))
    if not found:
        raise errors.NotFoundError(
            f"{label} does not exist (or is deleted)",
            system=SYSTEM,
            operation="query",
            reference=f"{SYSTEM}:opportunity:{opportunity_id}",
        )
    currency = default_currency or client.settings.currency
    return to_bundle(found[0], vat_field=vat_field, currency=currency)


def _names(names: Sequence[str], what: str) -> list[str]:
    for name in names:
        if not _FIELD.fullmatch(name):
            raise errors.ValidationError(
                f"{name!r} is not a Salesforce field name", field=what, rule="field_name"
            )
    return list(names)


def _unique(names: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def opportunity_soql(
    client: SalesforceClient,
    opportunity_id: str,
    *,
    fields: Sequence[str] = (),
    vat_field: str | None = None,
) -> str:
    """The one query :func:`opportunity_bundle` sends."""
    settings = client.settings
    currency = ["CurrencyIsoCode"] if settings.multi_currency else []
    opportunity = _unique(
        [
            *OPPORTUNITY_FIELDS,
            *currency,
            *settings.opportunity_fields,
            *_names(fields, "fields"),
        ]
    )
    extra_account = _names([vat_field] if vat_field else [], "vat_field")
    account = _unique([*ACCOUNT_FIELDS, *settings.account_fields, *extra_account])
    roles = _unique([*CONTACT_ROLE_FIELDS, *CONTACT_EXTRA])
    lines = _unique([*LINE_ITEM_FIELDS, *LINE_EXTRA, *currency])
    selected = [
        *opportunity,
        *(f"Account.{f}" for f in account),
        f"(SELECT {', '.join(roles)} FROM {ROLES})",
        f"(SELECT {', '.join(lines)} FROM {LINES} ORDER BY SortOrder, Id)",
    ]
    return (
        f"SELECT {', '.join(selected)} FROM Opportunity "
        f"WHERE Id = {wire.soql_string(opportunity_id)}"
    )


# -- translating ---------------------------------------------------------------------------


@contextmanager
def _wire(what: str, prefix: str) -> Iterator[None]:
    """Turn a record that does not fit the wire models into a ValidationError."""
    try:
        yield
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join([prefix, *(str(p) for p in first["loc"])])
        raise errors.ValidationError(
            f"{what}: {field}: {first['msg']}",
            field=field,
            rule=str(first["type"]),
            system=SYSTEM,
        ) from exc
    except ValueError as exc:
        raise errors.ValidationError(
            f"{what}: {exc}", field=prefix, rule="salesforce_value", system=SYSTEM
        ) from exc


class _Fields:
    """A record's fields looked up case-insensitively."""

    def __init__(self, record: Mapping[str, Any] | None) -> None:
        self.record = dict(record or {})
        self._folded = {k.lower(): k for k in self.record}

    def get(self, name: str) -> Any:
        key = self._folded.get(name.lower())
        return None if key is None else self.record[key]

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        text = str(value).strip()
        return text or None

    def nested(self, name: str) -> _Fields | None:
        value = self.get(name)
        return _Fields(value) if isinstance(value, dict) else None

    def children(self, name: str) -> list[dict[str, Any]]:
        value = self.get(name)
        records = value.get("records") if isinstance(value, dict) else None
        return [r for r in records or [] if isinstance(r, dict)]

    def flat(self) -> dict[str, Any]:
        """Every field as returned, without ``attributes``, relationship objects and child
        results (relationships that were null are left out too)."""
        out: dict[str, Any] = {}
        for key, value in self.record.items():
            if key == "attributes" or isinstance(value, dict | list):
                continue
            if value is None and _is_relationship(key, self.record):
                continue
            out[key] = value
        return out


def _is_relationship(key: str, record: Mapping[str, Any]) -> bool:
    """A null relationship (``Account: null``, ``OpportunityLineItems: null``): its lookup
    field is read too (``AccountId``), or it is a child relationship of this query."""
    if key in (ROLES, LINES):
        return True
    return f"{key}Id" in record or (key.endswith("__r") and f"{key[:-3]}__c" in record)


def _ref(object_type: str, external_id: str, stamp: Any = None) -> SourceRef:
    modified = wire.parse_datetime(stamp) if isinstance(stamp, str) else stamp
    return SourceRef(
        system=SYSTEM,
        object_type=object_type,
        external_id=external_id,
        modified_at=modified if isinstance(modified, datetime) else None,
    )


def _currency(code: Any, label: str, field: str) -> str:
    try:
        return check_currency(str(code))
    except ValueError as exc:
        raise errors.ValidationError(
            f"{label}: {exc}", field=field, rule="iso4217", system=SYSTEM
        ) from exc


def _model_error(exc: PydanticValidationError, label: str, prefix: str) -> errors.ValidationError:
    first = exc.errors()[0]
    field = ".".join([prefix, *(str(p) for p in first["loc"])])
    return errors.ValidationError(
        f"{label}: {field}: {first['msg']}", field=field, rule=str(first["type"]), system=SYSTEM
    )


def _required(value: str | None, field: str, label: str) -> str:
    if value is None or not value.strip():
        raise errors.ValidationError(
            f"{label} has no {field}", field=field, rule="required", system=SYSTEM
        )
    return value


def to_bundle(record: dict[str, Any], *, currency: str, vat_field: str | None = None) -> DealBundle:
    """One Opportunity row of :func:`opportunity_soql` as a DealBundle (amounts in its
    ``CurrencyIsoCode``, else ``currency``)."""
    row = _Fields(record)
    opp_id = str(row.get("Id") or "")
    label = f"{SYSTEM} opportunity {opp_id}"
    with _wire(label, "Opportunity"):
        opportunity = wire.Opportunity.model_validate(record)
    code = (
        _currency(opportunity.CurrencyIsoCode, label, "CurrencyIsoCode")
        if opportunity.CurrencyIsoCode
        else _currency(currency, label, "default_currency")
    )
    account = row.nested("Account")
    customer = None if account is None else _customer(account, vat_field)
    account_ref = None if opportunity.AccountId is None else _ref("account", opportunity.AccountId)
    if customer is None:
        account_ref = None
    contacts = _contacts(row.children(ROLES), account_ref)
    lines = [_line_item(_Fields(r), code) for r in row.children(LINES)]
    name = _required(opportunity.Name, "Name", label)
    stage = _required(opportunity.StageName, "StageName", label)
    try:
        deal = Deal(
            source=_ref("opportunity", opportunity.Id, opportunity.SystemModstamp),
            name=name,
            stage=stage,
            is_won=bool(opportunity.IsWon),
            amount=(
                None
                if opportunity.Amount is None
                else Money(amount=opportunity.Amount, currency=code)
            ),
            close_date=opportunity.CloseDate,
            owner=opportunity.OwnerId,
            customer=account_ref,
            contacts=[c.source for c in contacts],
            line_items=lines,
            properties=row.flat(),
        )
    except PydanticValidationError as exc:
        raise _model_error(exc, label, "Opportunity") from exc
    return DealBundle(deal=deal, customer=customer, contacts=contacts)


def _country(value: str | None) -> str | None:
    text = (value or "").strip()
    return text.upper() if len(text) == 2 and text.isascii() and text.isalpha() else None


def _customer(account: _Fields, vat_field: str | None) -> Customer:
    account_id = account.text("Id")
    label = f"{SYSTEM} account {account_id}"
    if account_id is None:
        raise errors.ValidationError(
            f"{SYSTEM} account without Id", field="Account.Id", rule="required", system=SYSTEM
        )
    name = account.text("Name")
    if name is None:
        raise errors.ValidationError(
            f"{label} has no Name", field="Account.Name", rule="required", system=SYSTEM
        )
    street_lines = [
        line.strip() for line in (account.text("BillingStreet") or "").splitlines() if line.strip()
    ]
    try:
        return Customer(
            source=_ref("account", account_id, account.get("SystemModstamp")),
            name=name,
            vat=account.text(vat_field) if vat_field else None,
            domain=account.text("Website"),
            phone=account.text("Phone"),
            address=Address(
                street=street_lines[0] if street_lines else None,
                street2=", ".join(street_lines[1:]) or None,
                city=account.text("BillingCity"),
                zip=account.text("BillingPostalCode"),
                state=account.text("BillingState"),
                country=_country(account.text("BillingCountryCode"))
                or _country(account.text("BillingCountry")),
            ),
        )
    except PydanticValidationError as exc:
        raise _model_error(exc, label, "Account") from exc
    except ValueError as exc:  # a malformed SystemModstamp
        raise errors.ValidationError(
            f"{label}: {exc}", field="Account.SystemModstamp", rule="datetime", system=SYSTEM
        ) from exc


def _contacts(roles: list[dict[str, Any]], account: SourceRef | None) -> list[Contact]:
    ordered = sorted(
        (_Fields(r) for r in roles),
        key=lambda r: (r.get("IsPrimary") is not True, str(r.get("Id") or "")),
    )
    found: dict[str, Contact] = {}
    for role in ordered:
        person = role.nested("Contact")
        contact_id = role.text("ContactId") or (person.text("Id") if person else None)
        if person is None or contact_id is None or contact_id in found:
            continue
        found[contact_id] = _contact(contact_id, person, account)
    return list(found.values())


def _contact(contact_id: str, person: _Fields, account: SourceRef | None) -> Contact:
    label = f"{SYSTEM} contact {contact_id}"
    email = usable_email(person.text("Email"), system=SYSTEM, contact_id=contact_id, log=log)
    name = " ".join(p for p in (person.text("FirstName"), person.text("LastName")) if p) or email
    if not name:
        raise errors.ValidationError(
            f"{label} has neither a name nor an email",
            field="Contact.LastName",
            rule="required",
            system=SYSTEM,
        )
    try:
        return Contact(
            source=_ref("contact", contact_id, person.get("SystemModstamp")),
            name=name,
            email=email,
            phone=person.text("Phone") or person.text("MobilePhone"),
            job_title=person.text("Title"),
            customer=account,
        )
    except PydanticValidationError as exc:
        raise _model_error(exc, label, "Contact") from exc
    except ValueError as exc:
        raise errors.ValidationError(
            f"{label}: {exc}", field="Contact.SystemModstamp", rule="datetime", system=SYSTEM
        ) from exc


def _line_item(row: _Fields, currency: str) -> LineItem:
    line_id = row.text("Id") or ""
    label = f"{SYSTEM} opportunity line item {line_id}"
    with _wire(label, "OpportunityLineItem"):
        item = wire.OpportunityLineItem.from_record(row.record)
    name = item.ProductName or row.text("Name") or item.Description
    if not name:
        raise errors.ValidationError(
            f"{label} has no product name",
            field="OpportunityLineItem.Product2.Name",
            rule="required",
            system=SYSTEM,
        )
    try:
        return LineItem(
            source=_ref("line_item", item.Id, row.get("SystemModstamp")),
            name=name,
            sku=item.ProductCode,
            quantity=Decimal(1) if item.Quantity is None else item.Quantity,
            unit_price=(
                None if item.UnitPrice is None else Money(amount=item.UnitPrice, currency=currency)
            ),
            properties=row.flat(),
        )
    except PydanticValidationError as exc:
        raise _model_error(exc, label, "OpportunityLineItem") from exc
    except ValueError as exc:
        raise errors.ValidationError(
            f"{label}: {exc}",
            field="OpportunityLineItem.SystemModstamp",
            rule="datetime",
            system=SYSTEM,
        ) from exc
