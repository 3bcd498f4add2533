"""A minimal chart of accounts per company, as a fresh database with ``account`` has (the
generic chart when the company has no country): accounts, the sales, purchase, bank, cash and
miscellaneous journals, 15 % sale and purchase taxes (the company defaults), a 0 % export tax
and an "Export" fiscal position mapping one to the other."""

from __future__ import annotations

from typing import Any

from lead2cash.emulators.odoo.orm.env import Env

ACCOUNTS = [
    ("121000", "Account Receivable", "asset_receivable", True),
    ("101401", "Bank", "asset_cash", False),
    ("101501", "Cash", "asset_cash", False),
    ("101402", "Outstanding Receipts", "asset_current", True),
    ("211000", "Account Payable", "liability_payable", True),
    ("251000", "Tax Received", "liability_current", False),
    ("131000", "Tax Paid", "asset_current", False),
    ("400000", "Product Sales", "income", False),
    ("600000", "Expenses", "expense", False),
]
JOURNALS = [
    ("Customer Invoices", "INV", "sale", "400000"),
    ("Vendor Bills", "BILL", "purchase", "600000"),
    ("Miscellaneous Operations", "MISC", "general", None),
    ("Bank", "BNK1", "bank", "101401"),
    ("Cash", "CSH1", "cash", "101501"),
]


def install(env: Env, company: int) -> None:
    """Create the company's accounts, journals, taxes and fiscal position (superuser env)."""
    su = env.sudo()
    major = env.spec.major
    accounts: dict[str, int] = {}
    for code, name, kind, reconcile in ACCOUNTS:
        vals: dict[str, Any] = {
            "code": code,
            "name": name,
            "account_type": kind,
            "reconcile": reconcile,
        }
        if major <= 17:
            vals["company_id"] = company
        else:
            vals["company_ids"] = [(6, 0, [company])]
        [accounts[code]] = su["account.account"]._create([vals])
    for sequence, (name, code, kind, account) in enumerate(JOURNALS, 1):
        su["account.journal"]._create(
            [
                {
                    "name": name,
                    "code": code,
                    "type": kind,
                    "company_id": company,
                    "sequence": sequence,
                    "default_account_id": accounts[account] if account else False,
                }
            ]
        )
    sale, purchase, export = su["account.tax"]._create(
        [
            {
                "name": "15%",
                "amount": 15,
                "type_tax_use": "sale",
                "company_id": company,
                "description": "15%",
            },
            {
                "name": "15%",
                "amount": 15,
                "type_tax_use": "purchase",
                "company_id": company,
                "description": "15%",
            },
            {
                "name": "0% EX",
                "amount": 0,
                "type_tax_use": "sale",
                "company_id": company,
                "description": "0%",
                "sequence": 2,
            },
        ]
    )
    hours = env.server.xmlid_lookup("uom.product_uom_hour")
    values: dict[str, Any] = {"account_sale_tax_id": sale, "account_purchase_tax_id": purchase}
    if hours is not None:
        values.update(project_time_mode_id=hours[1], timesheet_encode_uom_id=hours[1])
    env.db.set("res.company", company, values)
    position: dict[str, Any] = {"name": "Export", "company_id": company, "sequence": 10}
    if major >= 19:
        position["tax_ids"] = [(6, 0, [export])]
    [fiscal] = su["account.fiscal.position"]._create([position])
    if major <= 18:
        su["account.fiscal.position.tax"]._create(
            [{"position_id": fiscal, "tax_src_id": sale, "tax_dest_id": export}]
        )
