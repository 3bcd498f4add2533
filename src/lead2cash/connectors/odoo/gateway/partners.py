"""Customers and contacts as ``res.partner``: upsert by external id, never a duplicate.

Order of resolution for a customer:

1. the hub's binding (an Odoo id): update that partner;
2. our external id ``lead2cash.<system>_customer_<id>`` exists: ``load`` upserts through it;
3. otherwise match an existing company partner by the policy (``match_by``: VAT, then e-mail
   domain / website, then exact name). One match is *adopted*: updated and returned; several
   raise :class:`~lead2cash.errors.ConflictError` naming them; none creates the partner with
   our external id.

Adoption and external ids: ``load`` with both an ``id`` and a ``.id`` column does **not** adopt
the record (checked on Odoo 19: the external id wins, a second partner is created), and only
``base.group_erp_manager`` may create ``ir.model.data`` rows. So when the integration user may
create ``ir.model.data``, the adopted partner gets our external id (later upserts go through
it); otherwise (the least-privilege bot) it is updated with a ``.id`` load and the result says
``xmlid_registered=False``: the flow keeps the partner id on its binding, and a later run
without the binding matches the same partner again, so there is still no duplicate.

Company: partners are created **shared** (``company_id`` False) by default, because one client
often buys from several of the firm's legal entities and Odoo's company checks reject a sale
order whose partner belongs to another company (reference §3). ``PartnerPolicy(shared=False)``
puts them in the calling scope's company instead.

Only fields the CRM provides are written (an empty CRM value never clears Odoo's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import Resolver, Scope, own_xmlid, row_error
from lead2cash.connectors.odoo.writer import UpsertRow, to_cell
from lead2cash.model.party import Contact, Customer

MatchRule = Literal["vat", "domain", "name", "email"]

_FIELDS = ["name", "vat", "email", "website", "company_id", "parent_id", "is_company"]


@dataclass(frozen=True)
class PartnerPolicy:
    """How customers are matched and where they live."""

    match_by: tuple[MatchRule, ...] = ("vat", "domain", "name")
    shared: bool = True
    no_vat_validation: bool = False


@dataclass(frozen=True)
class PartnerResult:
    key: str  # the source record's binding key
    odoo_id: int
    xmlid: str
    created: bool = False
    adopted: bool = False
    matched_by: MatchRule | None = None
    xmlid_registered: bool = True


@dataclass
class CustomerResult:
    customer: PartnerResult
    contacts: list[PartnerResult] = field(default_factory=list)


def normalize_vat(vat: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", vat).upper()


def _host(website: str) -> str:
    text = website.lower().strip()
    text = re.sub(r"^[a-z]+://", "", text).removeprefix("www.")
    return text.split("/")[0]


class PartnerGateway:
    def __init__(self, resolver: Resolver, policy: PartnerPolicy | None = None) -> None:
        self.resolver = resolver
        self.policy = policy or PartnerPolicy()
        self._imd_writable: bool | None = None

    # -- public --------------------------------------------------------------------------------

    def upsert_customer(
        self, scope: Scope, customer: Customer, contacts: Sequence[Contact] = ()
    ) -> CustomerResult:
        """Upsert the company partner, then its contacts under it."""
        values = self._customer_values(scope, customer)
        result = self._upsert(
            scope,
            customer.source.key,
            own_xmlid(customer.source, "customer"),
            values,
            lambda: self._match_customer(scope, customer),
            bound=self.resolver.lookup(customer.source),
        )
        out = CustomerResult(result)
        for contact in contacts:
            out.contacts.append(self.upsert_contact(scope, contact, parent_id=result.odoo_id))
        return out

    def upsert_contact(
        self, scope: Scope, contact: Contact, *, parent_id: int | None = None
    ) -> PartnerResult:
        """Upsert a contact person under its customer (``MissingReferenceError`` until the
        customer is synced)."""
        if parent_id is None:
            if contact.customer is None:
                raise errors.ValidationError(
                    f"contact {contact.source.key} has no customer",
                    field="customer",
                    rule="required",
                )
            parent_id = self.resolver.partner(contact.customer)
        values: dict[str, Any] = {
            "name": contact.name,
            "is_company": False,
            "parent_id/.id": parent_id,
            "type": "contact",
        }
        for name, value in (
            ("email", contact.email),
            ("phone", contact.phone),
            ("function", contact.job_title),
        ):
            if value:
                values[name] = value
        if not self.policy.shared:
            values["company_id/.id"] = scope.company_id
        return self._upsert(
            scope,
            contact.source.key,
            own_xmlid(contact.source, "contact"),
            values,
            lambda: self._match_contact(scope, contact, parent_id),
            bound=self.resolver.lookup(contact.source),
        )

    # -- matching -------------------------------------------------------------------------------

    def _base_domain(self, scope: Scope) -> list[Any]:
        return [("company_id", "in", [False, scope.company_id])]

    def _match_customer(
        self, scope: Scope, customer: Customer
    ) -> tuple[MatchRule, list[dict[str, Any]]] | None:
        base = [("is_company", "=", True), ("parent_id", "=", False), *self._base_domain(scope)]
        for rule in self.policy.match_by:
            found = self._candidates(scope, rule, customer, base)
            if found is not None and found:
                return rule, found
        return None

    def _candidates(
        self, scope: Scope, rule: MatchRule, customer: Customer, base: list[Any]
    ) -> list[dict[str, Any]] | None:
        client = self.resolver.client
        if rule == "vat":
            if not customer.vat:
                return None
            vat = normalize_vat(customer.vat)
            rows = client.search_read(
                "res.partner",
                [*base, "|", ("vat", "=ilike", customer.vat), ("vat", "=ilike", vat)],
                _FIELDS,
                company_ids=scope.company_ids,
            )
            return [r for r in rows if r["vat"] and normalize_vat(str(r["vat"])) == vat]
        if rule == "domain":
            domain = customer.domain or (
                customer.email.split("@", 1)[1].lower() if customer.email else None
            )
            if not domain:
                return None
            rows = client.search_read(
                "res.partner",
                [*base, "|", ("website", "ilike", domain), ("email", "=ilike", f"%@{domain}")],
                _FIELDS,
                company_ids=scope.company_ids,
            )
            return [
                r
                for r in rows
                if (r["website"] and _host(str(r["website"])) == domain)
                or (r["email"] and str(r["email"]).lower().endswith(f"@{domain}"))
            ]
        return client.search_read(
            "res.partner",
            [*base, ("name", "=", customer.name)],
            _FIELDS,
            company_ids=scope.company_ids,
        )

    def _match_contact(
        self, scope: Scope, contact: Contact, parent_id: int
    ) -> tuple[MatchRule, list[dict[str, Any]]] | None:
        if not contact.email:
            return None
        rows = self.resolver.client.search_read(
            "res.partner",
            [("parent_id", "=", parent_id), ("email", "=ilike", contact.email)],
            _FIELDS,
            company_ids=scope.company_ids,
        )
        return ("email", rows) if rows else None

    # -- writing --------------------------------------------------------------------------------

    def _customer_values(self, scope: Scope, customer: Customer) -> dict[str, Any]:
        values: dict[str, Any] = {"name": customer.name, "is_company": True}
        address = customer.address
        for name, value in (
            ("vat", customer.vat),
            ("email", customer.email),
            ("phone", customer.phone),
            ("website", f"https://{customer.domain}" if customer.domain else None),
            ("street", address.street),
            ("street2", address.street2),
            ("city", address.city),
            ("zip", address.zip),
        ):
            if value:
                values[name] = value
        if address.country:
            values["country_id/.id"] = self._country(address.country)
        if not self.policy.shared:
            values["company_id/.id"] = scope.company_id
        return values

    def _country(self, code: str) -> int:
        rows = self.resolver.client.search_read("res.country", [("code", "=", code)], ["id"])
        if not rows:
            raise errors.ValidationError(
                f"Odoo has no country {code!r}", field="address.country", rule="ISO 3166 code"
            )
        return int(rows[0]["id"])

    def _context(self) -> dict[str, Any]:
        return {"no_vat_validation": True} if self.policy.no_vat_validation else {}

    def _upsert(
        self,
        scope: Scope,
        key: str,
        xmlid: str,
        values: dict[str, Any],
        match: Any,
        *,
        bound: int | None,
    ) -> PartnerResult:
        if bound:
            return self._write_by_id(scope, key, xmlid, bound, values, registered=False)
        existing = self.resolver.own(xmlid)
        if existing is not None:
            odoo_id = self._load(scope, key, UpsertRow(xmlid, values, key))
            return PartnerResult(key, odoo_id, xmlid)
        found = match()
        if found is None:
            odoo_id = self._load(scope, key, UpsertRow(xmlid, values, key))
            return PartnerResult(key, odoo_id, xmlid, created=True)
        rule, rows = found
        if len(rows) > 1:
            named = ", ".join(f"{r['id']} {r['name']!r}" for r in rows[:10])
            raise errors.ConflictError(
                f"{len(rows)} Odoo partners match {key} by {rule}: {named}; merge them or bind "
                "one to the source record",
                reference=key,
                rule=rule,
                candidates=",".join(str(r["id"]) for r in rows),
            )
        partner_id = int(rows[0]["id"])
        registered = self._register(xmlid, partner_id)
        if registered:
            odoo_id = self._load(scope, key, UpsertRow(xmlid, values, key))
            return PartnerResult(key, odoo_id, xmlid, adopted=True, matched_by=rule)
        result = self._write_by_id(scope, key, xmlid, partner_id, values, registered=False)
        return PartnerResult(
            key, result.odoo_id, xmlid, adopted=True, matched_by=rule, xmlid_registered=False
        )

    def _write_by_id(
        self,
        scope: Scope,
        key: str,
        xmlid: str,
        odoo_id: int,
        values: dict[str, Any],
        *,
        registered: bool,
    ) -> PartnerResult:
        fields = [".id", *sorted(values)]
        answer = self.resolver.client.load(
            "res.partner",
            fields,
            [[str(odoo_id), *(to_cell(values[f]) for f in fields[1:])]],
            context={"tz": "UTC", **self._context()},
            company_ids=scope.company_ids,
        )
        messages = [m for m in answer.get("messages") or [] if m.get("type") == "error"]
        if messages or not answer.get("ids"):
            text = "; ".join(str(m.get("message", "")) for m in messages) or "nothing written"
            raise errors.RejectedError(
                f"Odoo refused partner {odoo_id} for {key}: {text}",
                system="odoo",
                operation="res.partner.load",
            )
        return PartnerResult(key, odoo_id, xmlid, xmlid_registered=registered)

    def _load(self, scope: Scope, key: str, row: UpsertRow) -> int:
        report = self.resolver.writer.upsert(
            "res.partner", [row], company_ids=scope.company_ids, context=self._context()
        )
        result = report.results[0]
        if not result.ok or result.odoo_id is None:
            raise row_error(result)
        return result.odoo_id

    def _register(self, xmlid: str, partner_id: int) -> bool:
        """Give an adopted partner our external id, when the user may (admins only)."""
        client = self.resolver.client
        if self._imd_writable is None:
            self._imd_writable = client.check_access_rights("ir.model.data", "create")
        if not self._imd_writable:
            return False
        module, name = xmlid.split(".", 1)
        client.create(
            "ir.model.data",
            [
                {
                    "module": module,
                    "name": name,
                    "model": "res.partner",
                    "res_id": partner_id,
                    "noupdate": True,
                }
            ],
        )
        return True
