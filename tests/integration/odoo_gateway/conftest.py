"""Targets of the gateway tests: the real Odoo 19 running here, and the Odoo emulator.

The live target needs ``L2C_TEST_ODOO_URL``, ``_DB``, ``_LOGIN``, ``_API_KEY`` (admin: only for
fixtures the bot may not create, such as products and employees) and ``_BOT_LOGIN``,
``_BOT_API_KEY`` (the least-privilege integration user every flow call runs as); ``source
/work/odoo19/env.sh`` sets them; ``L2C_TEST_ODOO_PROTOCOL`` (json2, jsonrpc, xmlrpc) forces a
protocol (default: the client's choice, JSON-2 on 19). The emulator targets run when
``lead2cash.emulators.odoo.create_app`` imports. Every record a test makes has a name or id
unique to the run, so reruns pass on the same database without a reset.
"""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.gateway import OdooGateway, Scope
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.mapping.engine import Mapper
from lead2cash.mapping.spec import MappingSpec
from lead2cash.model import (
    ConsultantRate,
    Contract,
    Customer,
    Expense,
    Money,
    RateCard,
    RoleRate,
    SourceRef,
    TimeAndMaterials,
    TimeEntry,
)

LIVE_VARS = (
    "L2C_TEST_ODOO_URL",
    "L2C_TEST_ODOO_DB",
    "L2C_TEST_ODOO_LOGIN",
    "L2C_TEST_ODOO_API_KEY",
    "L2C_TEST_ODOO_BOT_LOGIN",
    "L2C_TEST_ODOO_BOT_API_KEY",
)
EMULATOR_KEY = "e" * 40
RUN = uuid.uuid4().hex[:8]
TODAY = date(2026, 12, 4)

#: product kind -> (service_policy, service_tracking)
SERVICE_PRODUCTS = {
    "time_and_materials": ("delivered_timesheet", "task_in_project"),
    "milestone": ("delivered_milestones", "task_in_project"),
    "retainer": ("ordered_prepaid", "task_in_project"),
    "retainer_overage": ("delivered_manual", "no"),
    "fixed_fee": ("delivered_manual", "project_only"),
}


@dataclass
class Target:
    """One Odoo, its fixture records, and the clients to talk to it."""

    name: str
    version: int
    admin: OdooClient
    bot: OdooClient
    company_id: int
    products: dict[str, str] = field(default_factory=dict)  # kind -> product name
    expense_products: dict[str, str] = field(default_factory=dict)  # category -> product name
    employees: dict[str, int] = field(default_factory=dict)  # harvest user id -> employee id
    employee_names: dict[str, str] = field(default_factory=dict)
    clients: list[OdooClient] = field(default_factory=list)
    #: Whether the flow user is the least-privilege bot (live), not an administrator.
    least_privilege: bool = True

    _gaps: dict[str, str] | None = None

    def require(self, *features: str) -> None:
        """Skip on an emulator that lacks one of ``features`` (see :data:`GAP_PROBES`); the
        live Odoo has them all. The probes run once per target and write nothing."""
        if not self.least_privilege:
            if self._gaps is None:
                self._gaps = {
                    name: reason for name, (probe, reason) in GAP_PROBES.items() if not probe(self)
                }
            missing = [self._gaps[f] for f in features if f in self._gaps]
            if missing:
                pytest.skip("emulator gap: " + "; ".join(missing))

    def unique(self, label: str) -> str:
        return f"l2c-gw {RUN} {label} {uuid.uuid4().hex[:6]}"

    def uid(self) -> str:
        return f"{RUN}{uuid.uuid4().hex[:8]}"

    def mapper(self) -> Mapper:
        codes = {kind: {"product": name} for kind, name in self.products.items()}
        spec = MappingSpec.model_validate(
            {
                "version": 1,
                "companies": {"main": {"odoo_company": "base.main_company", "currency": "USD"}},
                "contract": {
                    "type": "const:time_and_materials",
                    "company": "const:main",
                    "currency": "const:USD",
                },
                "consultants": {
                    "harvest": {u: {"employee": n} for u, n in self.employee_names.items()}
                },
                "billing_codes": {
                    "default": {"product": self.products["time_and_materials"]},
                    "codes": codes,
                },
                "expense_categories": {
                    "Travel": {"product": self.expense_products["Travel"], "reinvoice": "cost"},
                    "Office": {"product": self.expense_products["Office"], "reinvoice": "no"},
                },
            }
        )
        return Mapper(spec)

    def gateway(self, bindings: dict[str, int], **options: Any) -> OdooGateway:
        return OdooGateway(
            self.bot, mapper=self.mapper(), lookup=lambda ref: bindings.get(ref.key), **options
        )

    @property
    def scope(self) -> Scope:
        return Scope(self.company_id, "USD", "main")

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _answers(call: Callable[[], Any]) -> bool:
    """Whether the call runs (an empty-recordset call to a method that does not exist fails)."""
    try:
        call()
    except errors.Lead2CashError as exc:
        return "does not exist" not in exc.message and "no attribute" not in exc.message
    return True


def _load_reads_json(t: Target) -> bool:
    """Real Odoo's importer parses JSON text for json fields (``_str_to_json``): a row that
    fails only on a missing required field says so, not that the JSON is wrong."""
    answer = t.bot.load(
        "hr.expense", ["name", "analytic_distribution"], [["gap probe", '{"1": 100}']]
    )
    text = " ".join(str(m.get("message", "")) for m in answer.get("messages") or [])
    return "analytic_distribution" not in text


def _employee_map_readable(t: Target) -> bool:
    try:
        t.bot.search_read("project.sale.line.employee.map", [("id", "=", 0)], ["employee_id"])
    except errors.AuthError:
        return False
    return True


#: feature -> (probe returning whether the target has it, what is missing when it does not)
GAP_PROBES: dict[str, tuple[Callable[[Target], bool], str]] = {
    "employee_map": (
        _employee_map_readable,
        "project.sale.line.employee.map has no access rule (AccessError for every group)",
    ),
    "load_json": (
        _load_reads_json,
        "Model.load does not parse JSON text for json fields (analytic_distribution)",
    ),
    "expense_reset": (
        lambda t: (
            t.version <= 18
            or _answers(lambda: t.bot.execute_kw("hr.expense", "action_reset", [[]]))
        ),
        "hr.expense.action_reset (19) is missing",
    ),
    "sheet_reset": (
        lambda t: (
            t.version >= 19
            or _answers(
                lambda: t.bot.execute_kw("hr.expense.sheet", "action_reset_expense_sheets", [[]])
            )
        ),
        "hr.expense.sheet.action_reset_expense_sheets (17/18) is missing",
    ),
}


def _live_clients() -> tuple[OdooClient, OdooClient]:
    missing = [v for v in LIVE_VARS if not os.environ.get(v)]
    if missing:
        pytest.skip(f"the live Odoo target needs {', '.join(missing)} (source /work/odoo19/env.sh)")

    def make(login: str, key: str) -> OdooClient:
        return OdooClient(
            OdooSettings(
                url=os.environ["L2C_TEST_ODOO_URL"],
                db=os.environ["L2C_TEST_ODOO_DB"],
                login=os.environ[login],
                api_key=os.environ[key],
                protocol=os.environ.get("L2C_TEST_ODOO_PROTOCOL", "auto"),
                retry_base_seconds=0.2,
            )
        )

    return (
        make("L2C_TEST_ODOO_LOGIN", "L2C_TEST_ODOO_API_KEY"),
        make("L2C_TEST_ODOO_BOT_LOGIN", "L2C_TEST_ODOO_BOT_API_KEY"),
    )


def _emulator_clients(version: int, started: list[Any]) -> tuple[OdooClient, OdooClient]:
    try:
        create_app = importlib.import_module("lead2cash.emulators.odoo").create_app
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"the Odoo emulator does not import yet: {exc}")
    from lead2cash.emulators.server import start_in_thread

    app = create_app(version=version, db="gw", login="bot", password="bot-pw", api_key=EMULATOR_KEY)
    server = start_in_thread(app)
    started.append(server)
    settings = OdooSettings(
        url=server.url, db="gw", login="bot", api_key=EMULATOR_KEY, retry_base_seconds=0.0
    )
    return OdooClient(settings), OdooClient(settings)


def _xmlid(client: OdooClient, xmlid: str) -> int:
    module, name = xmlid.split(".", 1)
    return int(client.execute_kw("ir.model.data", "check_object_reference", [module, name])[1])


def _make_fixtures(t: Target) -> None:
    """Service products, expense categories and two employees, unique to this run (admin)."""
    admin = t.admin
    type_field = "detailed_type" if t.version <= 17 else "type"
    hour = _xmlid(admin, "uom.product_uom_hour")
    for kind, (policy, tracking) in SERVICE_PRODUCTS.items():
        name = f"l2c-gw {RUN} {kind}"
        values: dict[str, Any] = {
            "name": name,
            type_field: "service",
            "service_policy": policy,
            "service_tracking": tracking,
            "list_price": 100.0,
            "sale_ok": True,
        }
        if kind in ("time_and_materials", "retainer_overage"):
            values["uom_id"] = hour
            if t.version <= 18:
                values["uom_po_id"] = hour
        admin.create("product.product", [values])
        t.products[kind] = name
    for category, policy in (("Travel", "cost"), ("Office", "no")):
        name = f"l2c-gw {RUN} expense {category}"
        admin.create(
            "product.product",
            [
                {
                    "name": name,
                    type_field: "service",
                    "can_be_expensed": True,
                    "expense_policy": policy,
                    "standard_price": 0.0,
                    "sale_ok": False,
                }
            ],
        )
        t.expense_products[category] = name
    for user in ("u1", "u2"):
        name = f"l2c-gw {RUN} consultant {user}"
        employee = admin.create(
            "hr.employee",
            [{"name": name, "company_id": t.company_id, "work_email": f"{user}.{RUN}@example.com"}],
        )[0]
        t.employees[user] = employee
        t.employee_names[user] = name


_PARAMS = [
    pytest.param(("live", 19), id="live-19", marks=pytest.mark.odoo),
    pytest.param(("emulator", 19), id="emulator-19"),
    pytest.param(("emulator", 18), id="emulator-18"),
    pytest.param(("emulator", 17), id="emulator-17"),
]


@pytest.fixture(scope="session", params=_PARAMS)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    kind, version = request.param
    started: list[Any] = []
    if kind == "live":
        admin, bot = _live_clients()
    else:
        admin, bot = _emulator_clients(version, started)
    detected = bot.version.major
    company_id = _xmlid(bot, "base.main_company")
    t = Target(
        f"{kind}-{version}",
        detected,
        admin,
        bot,
        company_id,
        clients=[admin, bot],
        least_privilege=kind == "live",
    )
    try:
        _make_fixtures(t)
        yield t
    finally:
        t.close()
        for server in started:
            server.stop()


@pytest.fixture
def bindings() -> dict[str, int]:
    """The hub's bindings, as the flows would keep them: binding key -> Odoo id."""
    return {}


@pytest.fixture
def gateway(target: Target, bindings: dict[str, int]) -> OdooGateway:
    return target.gateway(bindings)


# -- canonical objects --------------------------------------------------------------------------


def ref(system: str, kind: str, external_id: str) -> SourceRef:
    return SourceRef(system=system, object_type=kind, external_id=external_id)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@dataclass
class Make:
    """Canonical objects for tests, with ids and names unique to the run."""

    target: Target
    today: date = TODAY

    @staticmethod
    def usd(amount: str) -> Money:
        return usd(amount)

    def customer(self, **values: Any) -> Customer:
        data: dict[str, Any] = {
            "source": ref("hubspot", "company", self.target.uid()),
            "name": self.target.unique("customer"),
        }
        data.update(values)
        return Customer(**data)

    def contract(self, customer_ref: SourceRef, terms: Any, **values: Any) -> Contract:
        data: dict[str, Any] = {
            "source": ref("hubspot", "deal", self.target.uid()),
            "name": self.target.unique("deal"),
            "customer": customer_ref,
            "company": "main",
            "currency": "USD",
            "terms": terms,
            "start_date": TODAY,
        }
        data.update(values)
        return Contract(**data)

    def tm_contract(
        self, customer_ref: SourceRef, *, rate: str = "150", overrides: dict[str, str] | None = None
    ) -> Contract:
        card = RateCard(
            roles=[RoleRate(role="consultant", rate=usd(rate))],
            overrides=[
                ConsultantRate(consultant=f"harvest:{user}", rate=usd(value))
                for user, value in (overrides or {}).items()
            ],
            default_role="consultant",
        )
        return self.contract(customer_ref, TimeAndMaterials(rate_card=card))

    def time_entry(
        self,
        project: SourceRef,
        user: str,
        hours: str,
        *,
        entry_id: str,
        approved: bool = True,
        notes: str = "work",
        **values: Any,
    ) -> TimeEntry:
        return TimeEntry(
            source=ref("harvest", "time_entry", entry_id),
            consultant=ref("harvest", "user", user),
            project=project,
            day=values.pop("day", TODAY),
            hours=Decimal(hours),
            approved=approved,
            notes=notes,
            **values,
        )

    def expense(
        self, project: SourceRef | None, user: str, amount: Money, *, expense_id: str, **values: Any
    ) -> Expense:
        data: dict[str, Any] = {
            "source": ref("harvest", "expense", expense_id),
            "consultant": ref("harvest", "user", user),
            "project": project,
            "day": TODAY,
            "amount": amount,
            "category": "Travel",
            "description": "train",
            "approved": True,
        }
        data.update(values)
        return Expense(**data)


@pytest.fixture
def make(target: Target) -> Make:
    return Make(target)
