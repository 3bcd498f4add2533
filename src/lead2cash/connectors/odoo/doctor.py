"""``l2c odoo doctor``: is this Odoo database ready for the hub, and is the integration user
set up with least privilege?

Checks, in order (a failed connection or login stops the rest):

- server: reachable, version supported (17, 18, 19), protocol in use (a warning when 19+ is
  spoken to over the deprecated RPC protocols);
- authentication: the login and API key are accepted;
- modules: project, hr_timesheet, sale_timesheet, sale_project, hr_expense, account installed
  (from ``ir.module.module`` when readable, else inferred from the models);
- external ids: no installed module is named like the external-id prefix (a module upgrade
  would delete the hub's records);
- features: milestone invoicing on or off, expense flow of this version;
- access: the user's model access rights for every model and operation the flows use
  (``check_access_rights(operation, raise_exception=False)``);
- least privilege: a warning when the user is an administrator (``base.group_system`` or
  ``base.group_erp_manager``), and when it is not a timesheet approver (it could then only
  write its own timesheets).

The report separates blocking problems (the hub cannot work) from warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.compat import REQUIRED_MODULES, Compat
from lead2cash.connectors.odoo.writer import DEFAULT_MODULE

Status = Literal["ok", "info", "warning", "blocking"]

SUPPORTED_MAJORS = (17, 18, 19)

#: model → operations the flows perform on it (deal_to_project, timesheets, expenses, billing,
#: status_feedback, master_data).
FLOW_ACCESS: dict[str, tuple[str, ...]] = {
    "res.partner": ("read", "create", "write"),
    "res.company": ("read",),
    "res.currency": ("read",),
    "product.product": ("read",),
    "sale.order": ("read", "create", "write"),
    "sale.order.line": ("read", "create", "write"),
    "sale.advance.payment.inv": ("create",),
    "project.project": ("read", "write"),
    "project.task": ("read", "create", "write"),
    "project.milestone": ("read", "create", "write"),
    "hr.employee": ("read",),
    "account.analytic.line": ("read", "create", "write", "unlink"),
    "hr.expense": ("read", "create", "write"),
    "hr.expense.sheet": ("read", "create", "write"),
    "account.move": ("read", "write"),
    "account.payment": ("read",),
}

#: Where the flows can make do with another model when the first is not readable.
FALLBACKS: dict[tuple[str, str], str] = {("hr.employee", "read"): "hr.employee.public"}

ADMIN_GROUPS = ("base.group_system", "base.group_erp_manager")
APPROVER_GROUP = "hr_timesheet.group_hr_timesheet_approver"


@dataclass(frozen=True)
class Check:
    """One finding."""

    name: str
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DoctorReport:
    """Every finding, blocking problems apart from warnings."""

    url: str
    db: str
    login: str
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: Status, message: str, **details: Any) -> None:
        self.checks.append(Check(name, status, message, details))

    @property
    def blocking(self) -> list[Check]:
        return [c for c in self.checks if c.status == "blocking"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == "warning"]

    @property
    def ok(self) -> bool:
        return not self.blocking

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "db": self.db,
            "login": self.login,
            "ok": self.ok,
            "blocking": [asdict(c) for c in self.blocking],
            "warnings": [asdict(c) for c in self.warnings],
            "checks": [asdict(c) for c in self.checks],
        }


def run_doctor(client: OdooClient, *, xmlid_module: str = DEFAULT_MODULE) -> DoctorReport:
    """Check ``client``'s database and user; never raises for what it finds."""
    s = client.settings
    report = DoctorReport(s.url, s.db, s.login)
    if not _server(client, report) or not _login(client, report):
        return report
    compat = _guarded(report, "modules", lambda: client.compat)
    if compat is None:
        return report
    _modules(compat, report)
    _guarded(report, "external_ids", lambda: _xmlid_prefix(client, compat, xmlid_module, report))
    _features(compat, report)
    _guarded(report, "access", lambda: _access(client, compat, report))
    _guarded(report, "least_privilege", lambda: _privilege(client, report))
    return report


def _guarded(report: DoctorReport, name: str, step: Callable[[], Any]) -> Any:
    try:
        return step()
    except errors.Lead2CashError as exc:
        report.add(name, "blocking", f"check failed: {exc.message}", error=type(exc).__name__)
        return None


def _server(client: OdooClient, report: DoctorReport) -> bool:
    try:
        version = client.version
    except errors.Lead2CashError as exc:
        report.add("server", "blocking", f"cannot reach Odoo: {exc.message}")
        return False
    if version.major < SUPPORTED_MAJORS[0]:
        report.add("server", "blocking", f"Odoo {version.text} is too old (17 or later)")
        return False
    if version.major > SUPPORTED_MAJORS[-1]:
        report.add("server", "warning", f"Odoo {version.text} is newer than tested (17-19)")
    else:
        report.add("server", "ok", f"Odoo {version.text}", major=version.major)
    return True


def _login(client: OdooClient, report: DoctorReport) -> bool:
    try:
        client.connect()
    except errors.Lead2CashError as exc:
        report.add("authentication", "blocking", exc.message, error=type(exc).__name__)
        return False
    report.add("authentication", "ok", f"logged in as uid {client.uid}", uid=client.uid)
    protocol = client.protocol
    if client.version.major >= 19 and protocol != "json2":
        report.add(
            "protocol",
            "warning",
            f"{protocol} is deprecated from Odoo 19 (removal planned for 22); use JSON-2",
            protocol=protocol,
        )
    else:
        report.add("protocol", "ok", f"speaking {protocol}", protocol=protocol)
    return True


def _modules(compat: Compat, report: DoctorReport) -> None:
    missing = compat.missing_modules(REQUIRED_MODULES)
    source = compat.modules_source
    if missing:
        report.add(
            "modules",
            "blocking",
            f"missing Odoo modules: {', '.join(missing)}",
            missing=missing,
            source=source,
        )
    else:
        report.add("modules", "ok", "all required modules installed", source=source)
    if source == "fields_get":
        report.add(
            "modules_visibility",
            "info",
            "ir.module.module is not readable by the user (good); modules inferred from models",
        )


def _xmlid_prefix(client: OdooClient, compat: Compat, module: str, report: DoctorReport) -> None:
    if compat.modules_source != "ir.module.module":
        report.add("external_ids", "info", f"external ids use the prefix {module}.")
        return
    clash = client.search_count(
        "ir.module.module", [("name", "=", module), ("state", "=", "installed")]
    )
    if clash:
        report.add(
            "external_ids",
            "blocking",
            f"an installed Odoo module is named {module!r}: upgrading it would delete the "
            "records the hub created; choose another external-id prefix",
        )
    else:
        report.add("external_ids", "ok", f"external ids use the prefix {module}.")


def _features(compat: Compat, report: DoctorReport) -> None:
    if compat.milestones:
        report.add("milestones", "ok", "milestone invoicing is available", enabled=True)
    else:
        report.add(
            "milestones",
            "warning",
            "milestone invoicing is off (enable Milestones in Project settings"
            + (" and give the user the Milestones group" if compat.major <= 18 else "")
            + "); milestone contracts cannot be billed",
            enabled=False,
        )
    report.add(
        "expenses",
        "info",
        f"expense flow: {compat.expense_flow}",
        sheets=compat.expense_sheets,
    )


def _access(client: OdooClient, compat: Compat, report: DoctorReport) -> None:
    denied: list[str] = []
    checked = 0
    for model, operations in FLOW_ACCESS.items():
        if compat.models and model in _VERSIONED_MODELS and model not in compat.models:
            continue  # e.g. hr.expense.sheet on 19
        for operation in operations:
            try:
                allowed = client.check_access_rights(model, operation)
            except (errors.NotFoundError, errors.RejectedError) as exc:
                report.add(
                    f"access:{model}",
                    "blocking",
                    f"model {model} is not available: {exc.message}",
                )
                break
            checked += 1
            fallback = FALLBACKS.get((model, operation))
            if not allowed and fallback and client.check_access_rights(fallback, operation):
                report.add(
                    f"access:{model}:{operation}",
                    "warning",
                    f"the user may not {operation} {model}; lookups use {fallback}",
                )
            elif not allowed:
                denied.append(f"{model}:{operation}")
                report.add(
                    f"access:{model}:{operation}",
                    "blocking",
                    f"the user may not {operation} {model}",
                )
    if not denied:
        report.add("access", "ok", f"{checked} model access rights checked, none missing")


# Models that exist only in some versions or with some features: skipped when absent.
_VERSIONED_MODELS = frozenset({"hr.expense.sheet", "project.milestone", "account.payment"})


def _privilege(client: OdooClient, report: DoctorReport) -> None:
    admin = [g for g in ADMIN_GROUPS if _in_group(client, g)]
    if admin:
        report.add(
            "least_privilege",
            "warning",
            "the integration user is an administrator "
            f"({', '.join(admin)}); use a dedicated user with only the rights the flows need",
            groups=admin,
        )
    else:
        report.add("least_privilege", "ok", "the integration user is not an administrator")
    if not _in_group(client, APPROVER_GROUP):
        report.add(
            "timesheet_approver",
            "warning",
            "the user is not a timesheet approver: it can only write its own timesheets",
        )


def _in_group(client: OdooClient, group: str) -> bool:
    try:
        return client.has_group(group)
    except (errors.NotFoundError, errors.RejectedError):
        return False  # the group's module is not installed
