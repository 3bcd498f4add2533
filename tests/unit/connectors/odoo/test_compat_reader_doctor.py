"""Version compatibility, paged reads, reference lookups, the doctor and ``l2c odoo doctor``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from lead2cash import errors
from lead2cash.cli import odoo as odoo_cli
from lead2cash.cli.main import app
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.doctor import FLOW_ACCESS, run_doctor
from lead2cash.connectors.odoo.reader import OdooReader, ReferenceCache
from lead2cash.connectors.odoo.transports import CountingTransport

MakeClient = Callable[..., OdooClient]


def _sel(*values: str) -> dict[str, Any]:
    return {"type": "selection", "selection": [[v, v.title()] for v in values]}


def install_fields(fake: Any, version: int, *, milestones: bool = True) -> None:
    """The fields compat looks at, as each version defines them."""
    f: dict[str, dict[str, dict[str, Any]]] = {
        "project.project": {
            ("analytic_account_id" if version == 17 else "account_id"): {"type": "many2one"},
            "sale_line_id": {"type": "many2one"},
            "allow_billable": {"type": "boolean"},
        },
        "account.analytic.line": {
            "project_id": {"type": "many2one"},
            "so_line": {"type": "many2one"},
        },
        "sale.order.line": {
            ("tax_ids" if version >= 19 else "tax_id"): {"type": "many2many"},
            ("product_uom_id" if version >= 19 else "product_uom"): {"type": "many2one"},
        },
        "product.template": {
            ("detailed_type" if version == 17 else "type"): _sel("consu", "service"),
            "service_policy": _sel(
                "ordered_prepaid",
                "delivered_timesheet",
                *(["delivered_milestones"] if milestones else []),
                "delivered_manual",
            ),
        },
        "project.milestone": {
            ("product_uom_id" if version >= 19 else "product_uom"): {"type": "many2one"}
        },
        "account.move": {
            "payment_state": _sel(
                "not_paid",
                "in_payment",
                "paid",
                "partial",
                "reversed",
                "invoicing_legacy",
                *(["blocked"] if version >= 18 else []),
            )
        },
        "account.payment": {
            "state": _sel("draft", "posted", "cancel")
            if version == 17
            else _sel("draft", "in_process", "paid", "canceled", "rejected")
        },
        "res.users": {("group_ids" if version >= 19 else "groups_id"): {"type": "many2many"}},
        "hr.expense": {"state": _sel("draft"), "sale_order_id": {"type": "many2one"}},
        "hr.employee": {"name": {"type": "char"}},
        "sale.order": {"name": {"type": "char"}},
    }
    if version <= 18:
        f["hr.expense.sheet"] = {"state": _sel("draft")}
        f["hr.expense"]["sheet_id"] = {"type": "many2one"}
    fake.version = version
    fake.fields = f


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            17,
            (
                "analytic_account_id",
                "tax_id",
                "product_uom",
                "detailed_type",
                True,
                "sheet_move_create",
                "groups_id",
            ),
        ),
        (18, ("account_id", "tax_id", "product_uom", "type", True, "sheet_move_post", "groups_id")),
        (
            19,
            ("account_id", "tax_ids", "product_uom_id", "type", False, "expense_post", "group_ids"),
        ),
    ],
)
def test_compat_per_version(
    fake: Any, make_client: MakeClient, version: int, expected: tuple[Any, ...]
) -> None:
    install_fields(fake, version)
    c = make_client(fake, protocol="jsonrpc").compat
    got = (
        c.project_analytic_field,
        c.sale_line_tax_field,
        c.sale_line_uom_field,
        c.product_type_field,
        c.expense_sheets,
        c.expense_flow,
        c.user_groups_field,
    )
    assert got == expected
    assert c.milestones
    assert ("blocked" in c.move_payment_states) == (version >= 18)
    assert ("in_process" in c.payment_states) == (version >= 18)
    assert c.modules_source == "ir.module.module" and c.missing_modules() == []


def test_compat_is_found_once_per_connection(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 19)
    client = make_client(fake)
    counter = client.wrap_transport(CountingTransport)
    assert client.compat is client.compat
    assert counter.calls["ir.module.module.search_read"] == 1


def test_modules_inferred_when_ir_module_module_is_unreadable(
    fake: Any, make_client: MakeClient
) -> None:
    install_fields(fake, 19, milestones=False)
    fake.modules_readable = False
    del fake.fields["hr.expense"]
    c = make_client(fake).compat
    assert c.modules_source == "fields_get"
    assert c.missing_modules() == ["hr_expense"]
    assert c.expense_flow == "none"
    assert not c.milestones


def test_pages_by_id_and_by_offset(fake: Any, make_client: MakeClient) -> None:
    for i in range(1, 12):
        fake.records["res.partner"][i] = {"name": f"p{i}", "active": i % 2 == 0}
    reader = OdooReader(make_client(fake), page_size=4)
    pages = list(reader.pages("res.partner", [], ["name"]))
    assert [len(p) for p in pages] == [4, 4, 3]
    assert [r["id"] for p in pages for r in p] == list(range(1, 12))
    by_offset = list(reader.records("res.partner", [("active", "=", True)], ["name"], by="offset"))
    assert [r["id"] for r in by_offset] == [2, 4, 6, 8, 10]
    domains = [c[3]["kwargs"]["domain"] for c in fake.calls if c[2] == "search_read"][:3]
    assert domains[1] == [["id", ">", 4]]


def test_exact_page_size_ends_with_an_empty_read(fake: Any, make_client: MakeClient) -> None:
    for i in range(1, 9):
        fake.records["res.partner"][i] = {"name": f"p{i}"}
    pages = list(OdooReader(make_client(fake), page_size=4).pages("res.partner", [], ["name"]))
    assert [len(p) for p in pages] == [4, 4]


def test_xmlids_via_ir_model_data_in_one_call(fake: Any, make_client: MakeClient) -> None:
    fake.records["account.journal"][5] = {"name": "Sales"}
    fake.records["account.journal"][6] = {"name": "Bank"}
    fake.xmlids |= {"l10n.sales": ("account.journal", 5), "l10n.bank": ("account.journal", 6)}
    fake.xmlids["l10n.gone"] = ("account.journal", 99)  # dangling row
    client = make_client(fake)
    cache = ReferenceCache(client)
    counter = client.wrap_transport(CountingTransport)
    assert cache.by_xmlids(["l10n.sales", "l10n.bank"], "account.journal") == {
        "l10n.sales": 5,
        "l10n.bank": 6,
    }
    assert cache.by_xmlid("l10n.sales", "account.journal") == 5  # cached
    assert counter.calls["ir.model.data.search_read"] == 1
    with pytest.raises(errors.NotFoundError):
        cache.by_xmlid("l10n.gone")
    with pytest.raises(errors.ConfigError, match=r"not a res\.partner"):
        cache.by_xmlid("l10n.bank", "res.partner")


def test_xmlids_without_ir_model_data_access(fake: Any, make_client: MakeClient) -> None:
    fake.imd_readable = False
    fake.xmlids["base.main_company"] = ("res.company", 1)
    cache = ReferenceCache(make_client(fake))
    assert cache.by_xmlid("base.main_company", "res.company") == 1
    assert cache.imd_readable is False
    with pytest.raises(errors.NotFoundError):
        cache.by_xmlid("base.nope")
    calls = [c[2] for c in fake.calls if c[1] == "ir.model.data"]
    assert calls == ["search_read", "check_object_reference", "check_object_reference"]


def test_names_and_cache_expiry(fake: Any, make_client: MakeClient) -> None:
    now = [0.0]
    fake.records["product.product"][3] = {"name": "Consulting"}
    fake.records["product.product"][4] = {"name": "Travel"}
    fake.records["product.product"][5] = {"name": "Travel"}
    cache = ReferenceCache(make_client(fake), ttl=60, clock=lambda: now[0])
    assert cache.by_name("product.product", "Consulting") == 3
    assert cache.by_name("product.product", "Consulting") == 3
    now[0] = 61
    assert cache.by_name("product.product", "Consulting") == 3
    assert sum(1 for c in fake.calls if c[2] == "search_read") == 2
    with pytest.raises(errors.ConfigError, match="several"):
        cache.by_name("product.product", "Travel")
    with pytest.raises(errors.NotFoundError):
        cache.by_name("product.product", "Nothing")


def test_doctor_all_good_but_admin(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 19)
    fake.groups = {"base.group_system", "hr_timesheet.group_hr_timesheet_approver"}
    report = run_doctor(make_client(fake))
    assert report.ok, report.blocking
    assert [w.name for w in report.warnings] == ["least_privilege"]
    names = {c.name for c in report.checks}
    assert {"server", "authentication", "protocol", "modules", "milestones", "access"} <= names
    checked = [c[1] for c in fake.calls if c[2] == "check_access_rights"]
    assert "hr.expense.sheet" not in checked  # 19 has no sheets
    assert set(checked) == set(FLOW_ACCESS) - {"hr.expense.sheet"}


def test_doctor_blocking_problems(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 18, milestones=False)
    fake.modules.discard("sale_timesheet")
    fake.denied = {("account.analytic.line", "create")}
    report = run_doctor(make_client(fake, protocol="jsonrpc"))
    assert not report.ok
    assert {c.name for c in report.blocking} == {"modules", "access:account.analytic.line:create"}
    assert {w.name for w in report.warnings} == {"milestones", "timesheet_approver"}
    assert report.to_dict()["ok"] is False


def test_doctor_accepts_public_employees_for_lookups(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 19)
    fake.groups = {"hr_timesheet.group_hr_timesheet_approver"}
    fake.denied = {("hr.employee", "read")}
    report = run_doctor(make_client(fake))
    assert report.ok
    assert [w.name for w in report.warnings] == ["access:hr.employee:read"]
    fake.denied.add(("hr.employee.public", "read"))
    assert [c.name for c in run_doctor(make_client(fake)).blocking] == ["access:hr.employee:read"]


def test_doctor_on_19_over_rpc_warns_about_deprecation(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 19)
    fake.groups = {"hr_timesheet.group_hr_timesheet_approver"}
    report = run_doctor(make_client(fake, protocol="xmlrpc"))
    assert report.ok
    assert [w.name for w in report.warnings] == ["protocol"]


def test_doctor_stops_at_a_refused_login(fake: Any, make_client: MakeClient) -> None:
    report = run_doctor(make_client(fake, api_key="nope"))
    assert [(c.name, c.status) for c in report.checks] == [
        ("server", "ok"),
        ("authentication", "blocking"),
    ]


def test_doctor_module_prefix_clash(fake: Any, make_client: MakeClient) -> None:
    install_fields(fake, 19)
    fake.overrides[("ir.module.module", "search_count")] = lambda domain: 1
    report = run_doctor(make_client(fake))
    assert "external_ids" in {c.name for c in report.blocking}


runner = CliRunner()


@pytest.fixture
def cli_fake(fake: Any, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> Any:
    install_fields(fake, 19)
    monkeypatch.setattr(
        odoo_cli,
        "OdooClient",
        lambda settings: make_client(
            fake, **{k: v for k, v in settings.model_dump().items() if k in ("api_key", "protocol")}
        ),
    )
    return fake


def test_cli_doctor_json_and_exit_codes(
    cli_fake: Any, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_ODOO_KEY", key)
    args = ["odoo", "doctor", "--url", "http://odoo.test", "--db", "l2c", "--login", "bot"]
    result = runner.invoke(app, [*args, "--api-key-env", "MY_ODOO_KEY", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True and key not in result.output
    cli_fake.denied = {("sale.order", "create")}
    result = runner.invoke(app, [*args, "--api-key-env", "MY_ODOO_KEY"])
    assert result.exit_code == 1
    assert "sale.order" in result.output


def test_cli_doctor_reads_the_environment(
    cli_fake: Any, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "URL": "http://odoo.test",
        "DB": "l2c",
        "LOGIN": "bot",
        "API_KEY": key,
    }.items():
        monkeypatch.setenv(f"L2C_ODOO__{name}", value)
    result = runner.invoke(app, ["odoo", "doctor", "--json"])
    assert result.exit_code == 0, result.output


def test_cli_doctor_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["odoo", "doctor", "--url", "http://x"])
    assert result.exit_code == 2
    assert "L2C_ODOO__API_KEY" in result.output
    result = runner.invoke(
        app,
        [
            "odoo",
            "doctor",
            "--url",
            "http://x",
            "--db",
            "d",
            "--login",
            "l",
            "--api-key-env",
            "UNSET_VAR_X",
        ],
    )
    assert result.exit_code == 2 and "UNSET_VAR_X" in result.output
    result = runner.invoke(app, ["odoo", "doctor", "--protocol", "soap"])
    assert result.exit_code == 2
