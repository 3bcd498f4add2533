"""The data of a fresh database with the lead-to-cash apps installed (sale_management,
sale_timesheet, sale_project, hr_timesheet, hr_expense, sale_expense, account, project).

Ids follow Odoo's: uid 1 is ``__system__`` (OdooBot, superuser, inactive), uid 2 the admin;
the main company, its partner and the admin's employee come first. External ids are Odoo's
(``base.main_company``, ``base.USD``, ``uom.product_uom_hour``,
``sale_timesheet.time_product``, ``analytic.analytic_plan_projects`` ...).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo.orm.access import ADMIN_GROUPS, GROUPS
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.registry import Server

CURRENCIES = [
    # code, symbol, position, active, full name, rounding
    ("USD", "$", "before", True, "United States dollar", "0.01"),
    ("EUR", "€", "after", True, "Euro", "0.01"),
    ("GBP", "£", "before", False, "Pound sterling", "0.01"),
    ("CHF", "CHF", "after", False, "Swiss franc", "0.01"),
    ("CAD", "$", "before", False, "Canadian dollar", "0.01"),
    ("JPY", "¥", "before", False, "Japanese yen", "1"),
]
COUNTRIES = [
    ("us", "United States", "US", "USD"),
    ("be", "Belgium", "BE", "EUR"),
    ("fr", "France", "FR", "EUR"),
    ("de", "Germany", "DE", "EUR"),
    ("uk", "United Kingdom", "GB", "GBP"),
    ("ch", "Switzerland", "CH", "CHF"),
    ("ca", "Canada", "CA", "CAD"),
]
MODULES = [
    "base",
    "web",
    "mail",
    "contacts",
    "uom",
    "product",
    "analytic",
    "account",
    "sales_team",
    "sale",
    "sale_management",
    "project",
    "hr",
    "hr_hourly_cost",
    "hr_timesheet",
    "sale_project",
    "sale_timesheet",
    "hr_expense",
    "sale_expense",
]
PROJECT_STAGES = [
    ("To Do", 10, False),
    ("In Progress", 20, False),
    ("Done", 30, True),
    ("Canceled", 40, True),
]


def _ref(server: Server, module: str, name: str, model: str, rid: int) -> None:
    server.set_xmlid(module, name, model, rid, noupdate=True)


def fresh(server: Server, *, login: str, password: str, api_key: str | None) -> None:
    """Fill an empty server with a fresh database's records (superuser, no journal)."""
    env = Env(server, 1, {}, su=True)
    spec = server.spec
    currencies: dict[str, int] = {}
    for code, symbol, position, active, full, rounding in CURRENCIES:
        [cid] = env["res.currency"]._create(
            [
                {
                    "name": code,
                    "symbol": symbol,
                    "position": position,
                    "active": active,
                    "full_name": full,
                    "rounding": Decimal(rounding),
                }
            ]
        )
        currencies[code] = cid
        _ref(server, "base", code, "res.currency", cid)
    for xml, name, code, currency in COUNTRIES:
        [country] = env["res.country"]._create(
            [{"name": name, "code": code, "currency_id": currencies[currency]}]
        )
        _ref(server, "base", xml, "res.country", country)
    for xml, name, factor in (
        ("product_uom_unit", "Units", "1"),
        ("product_uom_hour", "Hours", "8"),
        ("product_uom_day", "Days", "1"),
    ):
        [uom] = env["uom.uom"]._create([{"name": name, "factor": Decimal(factor)}])
        _ref(server, "uom", xml, "uom.uom", uom)
    groups: dict[str, int] = {}
    for xmlid, name, _implied in GROUPS:
        [gid] = env["res.groups"]._create([{"name": name}])
        groups[xmlid] = gid
        module, _, ident = xmlid.partition(".")
        _ref(server, module, ident, "res.groups", gid)
    for xmlid, _name, implied in GROUPS:
        if implied:
            env.db.set(
                "res.groups", groups[xmlid], {"implied_ids": tuple(groups[g] for g in implied)}
            )
    [plan] = env["account.analytic.plan"]._create([{"name": "Projects"}])
    _ref(server, "analytic", "analytic_plan_projects", "account.analytic.plan", plan)
    [categ] = env["product.category"]._create([{"name": "All"}])
    _ref(server, "product", "product_category_all", "product.category", categ)
    company = _main_company(env, currencies["USD"])
    _users(env, company, groups, login=login, password=password, api_key=api_key)
    [pricelist] = env["product.pricelist"]._create(
        [{"name": "Default", "currency_id": currencies["USD"], "sequence": 1}]
    )
    _ref(server, "product", "list0", "product.pricelist", pricelist)
    for xml, name, days in (
        ("account_payment_term_immediate", "Immediate Payment", 0),
        ("account_payment_term_15days", "15 Days", 15),
        ("account_payment_term_30days", "30 Days", 30),
    ):
        [term] = env["account.payment.term"]._create([{"name": name, "days": days}])
        _ref(server, "account", xml, "account.payment.term", term)
    for index, (name, sequence, fold) in enumerate(PROJECT_STAGES):
        [stage] = env["project.project.stage"]._create(
            [{"name": name, "sequence": sequence, "fold": fold}]
        )
        _ref(server, "project", f"project_project_stage_{index}", "project.project.stage", stage)
    _products(env)
    for name in MODULES:
        [mod] = env["ir.module.module"]._create(
            [{"name": name, "state": "installed", "latest_version": f"{spec.version}.1.0"}]
        )
        _ref(server, "base", f"module_{name}", "ir.module.module", mod)
    if spec.major >= 19:
        env["ir.module.module"]._create(
            [
                {"name": n, "state": "installed", "latest_version": f"{spec.version}.1.0"}
                for n in ("rpc", "api_doc")
            ]
        )
    env["ir.model"]._create(
        [
            {"name": cls._description or name, "model": name, "transient": cls._transient}
            for name, cls in sorted(server.models.items())
        ]
    )
    server.flush()


def _main_company(env: Env, usd: int) -> int:
    server = env.server
    [company] = env["res.company"]._create([{"name": "My Company", "currency_id": usd}])
    _ref(server, "base", "main_company", "res.company", company)
    partner = env.db.table("res.company")[company]["partner_id"]
    _ref(server, "base", "main_partner", "res.partner", partner)
    env.db.set("res.partner", partner, {"company_id": company})
    return int(company)


def _users(
    env: Env,
    company: int,
    groups: dict[str, int],
    *,
    login: str,
    password: str,
    api_key: str | None,
) -> None:
    server = env.server
    field = server.spec.user_groups_field
    root, admin = env["res.users"]._create(
        [
            {
                "name": "OdooBot",
                "login": "__system__",
                "active": False,
                "company_id": company,
                "company_ids": [(6, 0, [company])],
                field: [(6, 0, [groups["base.group_system"]])],
            },
            {
                "name": "Administrator",
                "login": login,
                "email": "admin@example.com",
                "company_id": company,
                "company_ids": [(6, 0, [company])],
                "tz": "Europe/Brussels",
                field: [(6, 0, [groups[g] for g in ADMIN_GROUPS])],
            },
        ]
    )
    _ref(server, "base", "user_root", "res.users", root)
    _ref(server, "base", "user_admin", "res.users", admin)
    _ref(
        server,
        "base",
        "partner_admin",
        "res.partner",
        env.db.table("res.users")[admin]["partner_id"],
    )
    server.credentials.set_password(admin, password)
    if api_key:
        server.credentials.add_key(admin, api_key, "emulator")
    [employee] = env["hr.employee"]._create(
        [
            {
                "name": "Administrator",
                "user_id": admin,
                "company_id": company,
                "work_email": "admin@example.com",
            }
        ]
    )
    _ref(server, "hr", "employee_admin", "hr.employee", employee)


def _products(env: Env) -> None:
    server = env.server
    hours = server.xmlid_lookup("uom.product_uom_hour")
    type_field = server.spec.product_type_field
    values: dict[str, Any] = {
        "name": "Service on Timesheets",
        type_field: "service",
        "service_policy": "delivered_timesheet",
        "list_price": 40,
        "uom_id": hours[1] if hours else False,
        "default_code": "SERV_DEL",
    }
    [product] = env["product.product"]._create([values])
    template = env.db.table("product.product")[product]["product_tmpl_id"]
    _ref(server, "sale_timesheet", "time_product", "product.product", product)
    _ref(server, "sale_timesheet", "time_product_product_template", "product.template", template)
