"""Customers and contacts: idempotent upsert, adoption of an existing partner, ambiguity."""

from __future__ import annotations

from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import OdooGateway, PartnerPolicy
from lead2cash.model import Address, Contact


def _contact(make: Any, customer_ref: Any, email: str) -> Contact:
    target = make.target
    return Contact(
        source=customer_ref.model_copy(
            update={"object_type": "contact", "external_id": target.uid()}
        ),
        name=target.unique("contact"),
        email=email,
        job_title="CFO",
        customer=customer_ref,
    )


def test_customer_upsert_twice_makes_one_partner(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = make.customer(
        email=f"info@{target.uid()}.example.com",
        phone="+32 2 555 01 01",
        address=Address(street="Rue Haute 1", city="Brussels", zip="1000", country="BE"),
    )
    contact = _contact(make, customer.source, f"cfo.{target.uid()}@example.com")
    first = gateway.partners.upsert_customer(target.scope, customer, [contact])
    assert first.customer.created
    renamed = customer.model_copy(update={"name": customer.name + " SA"})
    second = gateway.partners.upsert_customer(target.scope, renamed, [contact])
    assert second.customer.odoo_id == first.customer.odoo_id
    assert not second.customer.created
    assert not second.customer.adopted
    assert second.contacts[0].odoo_id == first.contacts[0].odoo_id
    bot = target.bot
    assert bot.search_count("res.partner", [("name", "like", customer.name)]) == 1
    partner = bot.read(
        "res.partner",
        [first.customer.odoo_id],
        ["name", "is_company", "company_id", "country_id", "city", "child_ids"],
    )[0]
    assert partner["name"] == renamed.name
    assert partner["is_company"] is True
    assert partner["company_id"] is False  # shared between the firm's companies
    assert partner["city"] == "Brussels"
    assert partner["child_ids"] == [first.contacts[0].odoo_id]
    person = bot.read("res.partner", [first.contacts[0].odoo_id], ["parent_id", "function"])[0]
    assert person["parent_id"][0] == first.customer.odoo_id
    assert person["function"] == "CFO"


def test_existing_partner_is_adopted_by_vat(
    target: Any, gateway: OdooGateway, make: Any, bindings: dict[str, int]
) -> None:
    vat = f"BE0{target.uid()[-9:].translate(str.maketrans('abcdef', '123456'))}"
    existing = target.bot.create(
        "res.partner",
        [{"name": target.unique("odoo customer"), "is_company": True, "vat": vat}],
    )[0]
    spaced = f"{vat[:2]} {vat[2:6]}.{vat[6:]}"
    customer = make.customer(vat=spaced)
    result = gateway.partners.upsert_customer(target.scope, customer).customer
    assert result.odoo_id == existing
    assert result.adopted
    assert result.matched_by == "vat"
    # the least-privilege bot cannot give it our external id: the flow binds it instead
    assert result.xmlid_registered is not target.least_privilege
    again = gateway.partners.upsert_customer(target.scope, customer).customer
    assert again.odoo_id == existing  # matched again: still no duplicate
    bindings[customer.source.key] = existing
    bound = gateway.partners.upsert_customer(target.scope, customer).customer
    assert bound.odoo_id == existing
    assert not bound.adopted
    assert target.bot.search_count("res.partner", [("name", "=", customer.name)]) == 1
    assert target.bot.read("res.partner", [existing], ["name"])[0]["name"] == customer.name


def test_admin_adoption_registers_the_external_id(target: Any, make: Any) -> None:
    if not target.least_privilege:
        pytest.skip("this target has one user, an administrator: no rights difference to show")
    admin_gateway = OdooGateway(target.admin, mapper=target.mapper())
    domain = f"{target.uid()}.example.org"
    existing = target.bot.create(
        "res.partner",
        [
            {
                "name": target.unique("odoo web"),
                "is_company": True,
                "website": f"https://www.{domain}",
            }
        ],
    )[0]
    customer = make.customer(domain=domain)
    result = admin_gateway.partners.upsert_customer(target.scope, customer).customer
    assert (result.odoo_id, result.adopted, result.xmlid_registered) == (existing, True, True)
    assert result.matched_by == "domain"
    # the bot, without bindings, now finds it through the external id
    bot_gateway = OdooGateway(target.bot, mapper=target.mapper())
    again = bot_gateway.partners.upsert_customer(target.scope, customer).customer
    assert (again.odoo_id, again.adopted) == (existing, False)


def test_several_matches_raise_a_conflict(target: Any, gateway: OdooGateway, make: Any) -> None:
    name = target.unique("twin")
    twins = target.bot.create(
        "res.partner", [{"name": name, "is_company": True}, {"name": name, "is_company": True}]
    )
    customer = make.customer(name=name)
    with pytest.raises(errors.ConflictError) as caught:
        gateway.partners.upsert_customer(target.scope, customer)
    assert all(str(i) in caught.value.message for i in twins)
    assert target.bot.search_count("res.partner", [("name", "=", name)]) == 2


def test_matching_follows_the_policy(target: Any, make: Any, bindings: dict[str, int]) -> None:
    name = target.unique("named")
    target.bot.create("res.partner", [{"name": name, "is_company": True}])
    gateway = target.gateway(bindings, partner_policy=PartnerPolicy(match_by=("vat",)))
    result = gateway.partners.upsert_customer(target.scope, make.customer(name=name)).customer
    assert result.created  # name matching is off: a new partner
    assert target.bot.search_count("res.partner", [("name", "=", name)]) == 2


def test_contact_waits_for_its_customer(target: Any, gateway: OdooGateway, make: Any) -> None:
    unsynced = make.customer()
    contact = _contact(make, unsynced.source, "x@example.com")
    with pytest.raises(errors.MissingReferenceError) as caught:
        gateway.partners.upsert_contact(target.scope, contact)
    assert caught.value.reference == unsynced.source.key
