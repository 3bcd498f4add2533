"""The firm's CRM deals, time and expenses, seeded into the source emulators through their
control APIs (``/_emulator/...``), and the CSV exports of the UK entity.

Entity ``be`` sells in HubSpot and tracks time and expenses in Harvest (project code = the
HubSpot deal id); entity ``uk`` sells in Salesforce and exports time and expenses as CSV
(project code = the opportunity id). One of every contract type, a deal with an unknown
contract type (a validation exception), a deal still open whose time arrives first (parked,
then woken when the deal is won), and an expense with an unmapped category.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from lead2cash.demo.firm import PEOPLE, Person


@dataclass(frozen=True)
class DealSeed:
    key: str
    name: str
    customer: str
    domain: str
    vat: str
    contract_type: str
    amount: str
    won: bool = True
    properties: dict[str, str] = field(default_factory=dict)
    lines: tuple[tuple[str, str, str], ...] = ()  # (name, share, due date)


BE_DEALS = (
    DealSeed(
        "tm",
        "Northwind data platform",
        "Northwind Traders",
        "northwind.example",
        "BE0477472701",
        "Time & Materials",
        "30000",
        properties={"not_to_exceed": "30000"},
    ),
    DealSeed(
        "ms",
        "Globex ERP rollout",
        "Globex NV",
        "globex.example",
        "BE0403170701",
        "Milestones",
        "24000",
        lines=(("Design signed off", "0.4", "2026-11-15"), ("Go-live", "0.6", "2027-01-31")),
    ),
    DealSeed(
        "ret",
        "Initech managed services",
        "Initech BV",
        "initech.example",
        "BE0411905847",
        "Retainer",
        "60000",
        won=False,
        properties={
            "retainer_fee": "5000",
            "retainer_hours": "30",
            "overage_rate": "170",
            "rollover": "true",
        },
    ),
    DealSeed(
        "ff",
        "Umbrella security audit",
        "Umbrella SA",
        "umbrella.example",
        "BE0202239951",
        "Fixed Fee",
        "12000",
        lines=(("Kick-off", "0.5", "2026-11-01"), ("Report", "0.5", "2026-12-15")),
    ),
    DealSeed("bad", "Hooli pilot", "Hooli", "hooli.example", "BE0999999999", "Barter", "1000"),
)
UK_DEALS = (
    DealSeed(
        "uktm",
        "Stark cloud migration",
        "Stark Industries Ltd",
        "stark.example",
        "GB123456789",
        "Time & Materials",
        "40000",
    ),
    DealSeed(
        "ukret",
        "Wayne advisory retainer",
        "Wayne Enterprises plc",
        "wayne.example",
        "GB987654321",
        "Retainer",
        "36000",
        properties={
            "Retainer_Fee__c": "3000",
            "Retainer_Hours__c": "20",
            "Overage_Rate__c": "150",
            "Rollover__c": "false",
        },
    ),
)
HUBSPOT_ODOO_PROPERTIES = {
    "deals": (
        "odoo_sale_order",
        "odoo_project",
        "project_stage",
        "invoiced_to_date",
        "paid_to_date",
        "last_invoice_state",
        "overdue",
    ),
    "companies": ("odoo_partner_id", "invoiced_to_date", "paid_to_date", "overdue"),
}
SALESFORCE_ODOO_FIELDS = (
    "Odoo_Sale_Order__c",
    "Odoo_Project__c",
    "Odoo_Invoice_Status__c",
    "Odoo_Invoice_Number__c",
    "Odoo_Amount_Paid__c",
)
TASKS = {4001: "Development", 4002: "PM", 4003: "Internal"}
CATEGORIES = {5001: "Travel", 5002: "Meals", 5003: "Gifts"}


def _post(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(path, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:500]}")
    data: dict[str, Any] = response.json()
    return data


def seed_hubspot(
    http: httpx.Client,
    currency: str,
    deals: tuple[DealSeed, ...] = BE_DEALS,
    *,
    first_id: int = 9001,
) -> dict[str, str]:
    """Companies, contacts, line items and deals (ids from ``first_id`` up: another range
    gives other records in Odoo); returns deal key → HubSpot id."""
    doc: dict[str, Any] = {
        "properties": {
            kind: [{"name": n, "type": "string", "fieldType": "text"} for n in names]
            for kind, names in HUBSPOT_ODOO_PROPERTIES.items()
        },
        "companies": [],
        "contacts": [],
        "line_items": [],
        "deals": [],
    }
    for i, d in enumerate(deals):
        company_id = str(101 + i + (first_id - 9001) * 100)
        doc["companies"].append(
            {
                "id": company_id,
                "properties": {
                    "name": d.customer,
                    "domain": d.domain,
                    "vat_number": d.vat,
                    "country": "BE",
                },
            }
        )
        doc["contacts"].append(
            {
                "properties": {
                    "firstname": "Pat",
                    "lastname": d.customer.split()[0],
                    "email": f"pat@{d.domain}",
                    "jobtitle": "CFO",
                },
                "associations": {"companies": [company_id]},
            }
        )
        line_ids = []
        for j, (name, share, due) in enumerate(d.lines):
            line_id = str(301 + 10 * i + j + (first_id - 9001) * 1000)
            line_ids.append(line_id)
            price = Decimal(d.amount) * Decimal(share)
            doc["line_items"].append(
                {
                    "id": line_id,
                    "properties": {
                        "name": name,
                        "quantity": "1",
                        "price": f"{price:f}",
                        "share": share,
                        "due_date": due,
                    },
                }
            )
        doc["deals"].append(
            {
                "id": str(first_id + i),
                "properties": {
                    "dealname": d.name,
                    "amount": d.amount,
                    "deal_currency_code": currency,
                    "pipeline": "default",
                    "dealstage": "contractsent",
                    "contract_type": d.contract_type,
                    "business_unit": "Benelux",
                    **d.properties,
                },
                "associations": {"companies": [company_id], "line_items": line_ids},
            }
        )
    _post(http, "/_emulator/seed", doc)
    ids = {d.key: str(first_id + i) for i, d in enumerate(deals)}
    for d in deals:
        if d.won:
            win_hubspot(http, ids[d.key])
    return ids


def win_hubspot(http: httpx.Client, deal_id: str) -> None:
    _post(http, f"/_emulator/deals/{deal_id}/stage", {"stage": "closedwon", "deliver": False})


def seed_salesforce(http: httpx.Client, deals: tuple[DealSeed, ...] = UK_DEALS) -> dict[str, str]:
    """Accounts, contacts and opportunities (stage Contract Approved); key → opportunity id."""
    records: dict[str, list[dict[str, Any]]] = {
        "Account": [],
        "Contact": [],
        "Opportunity": [],
        "OpportunityContactRole": [],
    }
    for d in deals:
        records["Account"].append(
            {
                "ref": f"a_{d.key}",
                "Name": d.customer,
                "Website": f"https://www.{d.domain}",
                "BillingCountry": "GB",
                "VAT_Number__c": d.vat,
            }
        )
        records["Contact"].append(
            {
                "ref": f"c_{d.key}",
                "AccountId": f"@a_{d.key}",
                "FirstName": "Sam",
                "LastName": d.customer.split()[0],
                "Email": f"sam@{d.domain}",
            }
        )
        records["Opportunity"].append(
            {
                "ref": f"o_{d.key}",
                "Name": d.name,
                "AccountId": f"@a_{d.key}",
                "StageName": "Contract Approved" if d.won else "Proposal/Price Quote",
                "CloseDate": "2026-11-30",
                "Amount": int(Decimal(d.amount)),
                "Contract_Type__c": d.contract_type,
                "Business_Unit__c": "United Kingdom",
                **d.properties,
                **dict.fromkeys(SALESFORCE_ODOO_FIELDS, ""),
            }
        )
        records["OpportunityContactRole"].append(
            {
                "OpportunityId": f"@o_{d.key}",
                "ContactId": f"@c_{d.key}",
                "IsPrimary": True,
                "Role": "Decision Maker",
            }
        )
    custom = (
        "Contract_Type__c",
        "Business_Unit__c",
        "Rate_Card__c",
        "Not_To_Exceed__c",
        "Retainer_Fee__c",
        "Retainer_Hours__c",
        "Overage_Rate__c",
        "Rollover__c",
        *SALESFORCE_ODOO_FIELDS,
    )
    fields = {
        "Opportunity": [{"name": name, "type": "string"} for name in custom],
        "Account": [{"name": "VAT_Number__c", "type": "string"}],
    }
    refs = _post(http, "/_emulator/seed", {"fields": fields, "records": records})["refs"]
    return {d.key: str(refs[f"o_{d.key}"]) for d in deals}


def _workdays(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def seed_harvest(
    http: httpx.Client,
    deal_ids: dict[str, str],
    currency: str,
    *,
    start: date,
    days: int = 20,
    people: tuple[Person, ...] = PEOPLE,
    expense_keys: tuple[str, ...] = ("tm", "ret"),
    id_base: int = 0,
) -> dict[str, int]:
    """Users (``people`` with a Harvest id), one project per deal (code = deal id), tasks, a
    month of time and, on the ``expense_keys`` deals, some expenses and a gift in an unmapped
    category; approves it all but the last day. Returns deal key → Harvest project id."""
    staff = [p for p in people if p.harvest_id is not None]
    projects = {key: id_base + 3001 + i for i, key in enumerate(deal_ids)}
    doc: dict[str, Any] = {
        "users": [
            {
                "id": p.harvest_id,
                "first_name": p.name.split()[0],
                "last_name": p.name.split()[1],
                "email": p.email,
            }
            for p in staff
        ],
        "clients": [
            {"id": id_base + 2001 + i, "name": f"Client {key}", "currency": currency}
            for i, key in enumerate(deal_ids)
        ],
        "projects": [
            {
                "id": projects[key],
                "client_id": id_base + 2001 + i,
                "name": f"Project {key}",
                "code": deal_ids[key],
                "bill_by": "Tasks",
            }
            for i, key in enumerate(deal_ids)
        ],
        "tasks": [{"id": tid, "name": name} for tid, name in TASKS.items()],
        "task_assignments": [
            {"project_id": pid, "task_id": tid, "billable": tid != 4003}
            for pid in projects.values()
            for tid in TASKS
        ],
        "user_assignments": [
            {"project_id": pid, "user_id": p.harvest_id} for pid in projects.values() for p in staff
        ],
        "expense_categories": [{"id": cid, "name": name} for cid, name in CATEGORIES.items()],
        "time_entries": [],
        "expenses": [],
    }
    for n, day in enumerate(_workdays(start, days)):
        for key, pid in projects.items():
            if key in ("bad", "ff"):
                continue
            for k, p in enumerate(staff):
                task = 4002 if (n + k) % 5 == 0 else (4003 if (n + k) % 11 == 0 else 4001)
                hours = ["7.5", "6", "4.25", "8"][(n + k) % 4]
                doc["time_entries"].append(
                    {
                        "user_id": p.harvest_id,
                        "project_id": pid,
                        "task_id": task,
                        "spent_date": day.isoformat(),
                        "hours": hours,
                        "notes": f"{TASKS[task]} work",
                        "is_closed": n < days - 1,
                    }
                )
        if n % 7 == 0:
            for key, pid in projects.items():
                if key in expense_keys:
                    doc["expenses"].append(
                        {
                            "user_id": staff[n % len(staff)].harvest_id,
                            "project_id": pid,
                            "expense_category_id": 5001 if n % 2 == 0 else 5002,
                            "spent_date": day.isoformat(),
                            "total_cost": "86.40",
                            "notes": "Train to client",
                            "billable": True,
                            "is_closed": True,
                            "receipt": {"url": "https://files.example/r.pdf", "file_name": "r.pdf"},
                        }
                    )
    if expense_keys and expense_keys[0] in projects:
        doc["expenses"].append(
            {
                "user_id": staff[0].harvest_id,
                "project_id": projects[expense_keys[0]],
                "expense_category_id": 5003,
                "spent_date": start.isoformat(),
                "total_cost": "45.00",
                "notes": "Client gift",
                "billable": True,
                "is_closed": True,
            }
        )
    if id_base:  # explicit ids in the range: records distinct from other ranges' everywhere
        for n, record in enumerate(doc["time_entries"] + doc["expenses"], start=1):
            record["id"] = id_base + n
    _post(http, "/_emulator/seed", doc)
    return projects


def uk_csv(deal_ids: dict[str, str], *, start: date, days: int = 20) -> tuple[str, str]:
    """The UK entity's time and expense exports (generic CSV profile)."""
    people = [p for p in PEOPLE if p.company == "uk"]
    time_out, exp_out = io.StringIO(), io.StringIO()
    tw = csv.writer(time_out)
    tw.writerow(
        [
            "id",
            "date",
            "email",
            "person",
            "project",
            "project code",
            "task",
            "hours",
            "notes",
            "billable",
            "approved",
        ]
    )
    ew = csv.writer(exp_out)
    ew.writerow(
        [
            "id",
            "date",
            "email",
            "project code",
            "category",
            "amount",
            "currency",
            "description",
            "billable",
            "approved",
            "receipt",
        ]
    )
    row = 0
    for n, day in enumerate(_workdays(start, days)):
        for key, opp in deal_ids.items():
            for k, p in enumerate(people):
                row += 1
                tw.writerow(
                    [
                        f"T{row}",
                        day.isoformat(),
                        p.email,
                        p.name,
                        key,
                        opp,
                        "Development",
                        ["7", "5.5", "8", "6.5"][(n + k) % 4],
                        "Migration work",
                        "yes",
                        "yes",
                    ]
                )
        if n % 5 == 0:
            for opp in deal_ids.values():
                row += 1
                ew.writerow(
                    [
                        f"E{row}",
                        day.isoformat(),
                        people[n % 2].email,
                        opp,
                        "Accommodation" if n % 2 else "Travel",
                        "120.50",
                        "GBP",
                        "Hotel London",
                        "yes",
                        "yes",
                        "https://files.example/h.pdf",
                    ]
                )
    return time_out.getvalue(), exp_out.getvalue()


def write_uk_csv(
    folder: Path, deal_ids: dict[str, str], *, start: date, days: int = 20
) -> tuple[Path, Path]:
    times, expenses = uk_csv(deal_ids, start=start, days=days)
    folder.mkdir(parents=True, exist_ok=True)
    t, e = folder / "uk-timesheets.csv", folder / "uk-expenses.csv"
    t.write_text(times, encoding="utf-8")
    e.write_text(expenses, encoding="utf-8")
    return t, e
