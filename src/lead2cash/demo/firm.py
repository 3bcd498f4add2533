"""A small consulting firm for the demo and the end-to-end tests: what it sells, who works there,
and the Odoo configuration it needs.

Two legal entities: ``be`` (Odoo's main company, in its currency; HubSpot and Harvest) and
``uk`` (Acme Consulting Ltd in GBP; Salesforce and CSV exports). :func:`prepare_odoo` creates
what a firm configures once in Odoo (the second company, service and expense products,
employees) through the API as an administrator, by name, so it works on the emulator and on a
real Odoo test database alike and is harmless to run twice. :func:`mapping_document` is the
mappings.yaml of that firm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient

UK_COMPANY = "Acme Consulting Ltd"
GBP = "GBP"

#: element kind → (product name, service_policy, service_tracking, per hour)
SERVICE_PRODUCTS: dict[str, tuple[str, str, str, bool]] = {
    "time_and_materials": (
        "Consulting (time & materials)",
        "delivered_timesheet",
        "task_in_project",
        True,
    ),
    "milestone": ("Consulting (milestones)", "delivered_milestones", "task_in_project", False),
    "retainer": ("Consulting retainer", "ordered_prepaid", "task_in_project", False),
    "retainer_overage": ("Retainer overage", "delivered_manual", "no", True),
    "fixed_fee": ("Fixed-fee engagement", "delivered_manual", "project_only", False),
    "PM": ("Project management", "delivered_timesheet", "no", True),
}
#: category → (product name, expense_policy, markup)
EXPENSE_PRODUCTS: dict[str, tuple[str, str, str]] = {
    "Travel": ("Travel", "cost", "0"),
    "Meals": ("Meals", "sales_price", "0.10"),
    "Accommodation": ("Accommodation", "cost", "0"),
}


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    company: str  # be | uk
    role: str
    harvest_id: int | None = None


PEOPLE = (
    Person("alice", "Alice Martin", "alice@acme.example", "be", "senior", 1001),
    Person("bob", "Bob Janssens", "bob@acme.example", "be", "junior", 1002),
    Person("chloe", "Chloe Peeters", "chloe@acme.example", "be", "partner", 1003),
    Person("charlotte", "Charlotte Evans", "charlotte@acme.co.uk", "uk", "senior"),
    Person("david", "David Shah", "david@acme.co.uk", "uk", "junior"),
)


@dataclass
class OdooFacts:
    """What :func:`prepare_odoo` found or made."""

    currencies: dict[str, str] = field(default_factory=dict)  # company key → currency
    company_ids: dict[str, int] = field(default_factory=dict)
    employees: dict[str, int] = field(default_factory=dict)  # person key → hr.employee id
    products: dict[str, int] = field(default_factory=dict)


def _xmlid(client: OdooClient, xmlid: str) -> int:
    module, name = xmlid.split(".", 1)
    return int(client.execute_kw("ir.model.data", "check_object_reference", [module, name])[1])


def _find_or_create(
    client: OdooClient, model: str, domain: list[Any], values: dict[str, Any]
) -> int:
    found = client.search(model, domain, limit=1, context={"active_test": False})
    if found:
        return int(found[0])
    return int(client.create(model, [values])[0])


def prepare_odoo(admin: OdooClient) -> OdooFacts:
    """The firm's Odoo configuration (idempotent; administrator rights)."""
    facts = OdooFacts()
    version = admin.compat.major
    main = _xmlid(admin, "base.main_company")
    currency = admin.read("res.company", [main], ["currency_id"])[0]["currency_id"]
    facts.currencies["be"] = str(currency[1])
    facts.company_ids["be"] = main
    gbp = admin.search("res.currency", [("name", "=", GBP)], context={"active_test": False})
    admin.write("res.currency", gbp, {"active": True})
    facts.company_ids["uk"] = _find_or_create(
        admin,
        "res.company",
        [("name", "=", UK_COMPANY)],
        {"name": UK_COMPANY, "currency_id": gbp[0]},
    )
    facts.currencies["uk"] = GBP
    type_field = "detailed_type" if version <= 17 else "type"
    hour = _xmlid(admin, "uom.product_uom_hour")
    for kind, (name, policy, tracking, hourly) in SERVICE_PRODUCTS.items():
        values: dict[str, Any] = {
            "name": name,
            type_field: "service",
            "service_policy": policy,
            "service_tracking": tracking,
            "list_price": 100.0,
            "sale_ok": True,
            "company_id": False,
        }
        if hourly:
            values["uom_id"] = hour
            if version <= 18:
                values["uom_po_id"] = hour
        facts.products[kind] = _find_or_create(
            admin, "product.product", [("name", "=", name)], values
        )
    for category, (name, policy, _markup) in EXPENSE_PRODUCTS.items():
        facts.products[category] = _find_or_create(
            admin,
            "product.product",
            [("name", "=", name)],
            {
                "name": name,
                type_field: "service",
                "can_be_expensed": True,
                "expense_policy": policy,
                "standard_price": 0.0,
                "sale_ok": policy != "no",
                "company_id": False,
            },
        )
    for person in PEOPLE:
        company = facts.company_ids[person.company]
        facts.employees[person.key] = _find_or_create(
            admin,
            "hr.employee",
            [("name", "=", person.name), ("company_id", "=", company)],
            {"name": person.name, "company_id": company, "work_email": person.email},
        )
    return facts


def grant_companies(admin: OdooClient, login: str, company_ids: list[int]) -> None:
    """Let the integration user work in the firm's companies (with multi-company access)."""
    users = admin.search("res.users", [("login", "=", login)])
    if not users:
        raise errors.ConfigError(f"no Odoo user with login {login!r}")
    row = admin.read("res.users", users[:1], ["company_ids"])[0]
    missing = [c for c in company_ids if c not in row["company_ids"]]
    if missing:
        admin.write("res.users", users[:1], {"company_ids": [(4, c) for c in missing]})
    groups = "groups_id" if admin.compat.major <= 18 else "group_ids"
    admin.write("res.users", users[:1], {groups: [(4, _xmlid(admin, "base.group_multi_company"))]})


def mapping_document(facts: OdooFacts, *, harvest_crm: str = "hubspot") -> dict[str, Any]:
    """The firm's mappings.yaml (``harvest_crm``: whose deal ids Harvest project codes hold)."""
    be, uk = facts.currencies["be"], facts.currencies["uk"]
    rates = {
        be: {
            "roles": {"partner": "220", "senior": "150", "junior": "95"},
            "default_role": "junior",
        },
        uk: {
            "roles": {"partner": "190", "senior": "130", "junior": "80"},
            "default_role": "junior",
        },
    }
    terms = {
        "rate_card": "properties.rate_card | default:standard",
        "cap": "properties.not_to_exceed | decimal",
        "monthly_fee": "properties.retainer_fee | decimal",
        "included_hours": "properties.retainer_hours | decimal",
        "overage_rate": "properties.overage_rate | decimal",
        "rollover": "properties.rollover | bool",
    }
    sf_terms = {
        "rate_card": "properties.Rate_Card__c | default:standard",
        "cap": "properties.Not_To_Exceed__c | decimal",
        "monthly_fee": "properties.Retainer_Fee__c | decimal",
        "included_hours": "properties.Retainer_Hours__c | decimal",
        "overage_rate": "properties.Overage_Rate__c | decimal",
        "rollover": "properties.Rollover__c | bool",
    }
    return {
        "version": 1,
        "tables": {
            "contract_types": {
                "Time & Materials": "time_and_materials",
                "Retainer": "retainer",
                "Fixed Fee": "fixed_fee",
                "Milestones": "milestone",
            },
            "business_units": {"Benelux": "be", "United Kingdom": "uk"},
        },
        "companies": {
            "be": {"odoo_company": "base.main_company", "currency": be},
            "uk": {"odoo_company": UK_COMPANY, "currency": uk},
        },
        "triggers": {
            "hubspot": {"pipeline": "default", "stages": ["closedwon"]},
            "salesforce": {"stages": ["Contract Approved", "Closed Won"]},
        },
        "contract": {
            "type": "properties.contract_type | map:contract_types",
            "company": "properties.business_unit | map:business_units | default:be",
            "currency": "currency | upper | required",
            "start_date": "properties.start_date | date",
            "po_number": "properties.po_number | strip",
            "terms": terms,
        },
        "contracts": {
            "salesforce": {
                "type": "properties.Contract_Type__c | map:contract_types",
                "company": "properties.Business_Unit__c | map:business_units | default:uk",
                "currency": "currency | upper | required",
                "terms": sf_terms,
            }
        },
        "rate_cards": {"standard": rates},
        "consultants": {
            "harvest": {
                str(p.harvest_id): {"employee": p.name, "role": p.role}
                for p in PEOPLE
                if p.harvest_id is not None
            },
            "csv": {
                p.email: {"employee": p.name, "role": p.role} for p in PEOPLE if p.company == "uk"
            },
        },
        "billing_codes": {
            "default": {"product": SERVICE_PRODUCTS["time_and_materials"][0]},
            "codes": {
                **{kind: {"product": spec[0]} for kind, spec in SERVICE_PRODUCTS.items()},
                "Internal": {
                    "product": SERVICE_PRODUCTS["time_and_materials"][0],
                    "billable": False,
                },
            },
        },
        "expense_categories": {
            category: {"product": name, "reinvoice": policy, "markup": markup}
            for category, (name, policy, markup) in EXPENSE_PRODUCTS.items()
        },
        "project_links": {"harvest": {"crm": harvest_crm}, "csv": {"crm": "salesforce"}},
    }
