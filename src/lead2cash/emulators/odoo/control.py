"""The control API under ``/_emulator/`` (JSON in, JSON out; never faulted or logged).

Shapes are documented in the package docstring (``lead2cash.emulators.odoo``). Seeding runs in
one transaction as the superuser: all of it is created, or none (422 ``{"message": ...}``).
References between seeded records are their ``key`` (any string, unique in the call), an
external id (``base.main_company``), ``"main"`` for the main company, or a database id.
Every seeded record with a ``key`` also gets the external id ``__emulator__.<kind>_<key>``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.faults import FaultRule, calls_control, control_decorator, json_body
from lead2cash.emulators.jsonout import floats_as_decimals
from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.http import json_response
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.service import wire
from lead2cash.emulators.odoo.state import OdooState

_DB_FAULTS = ("serialization_failure", "deadlock", "lock_not_available")
_UOMS = {
    "unit": "uom.product_uom_unit",
    "hour": "uom.product_uom_hour",
    "day": "uom.product_uom_day",
}
KINDS = (
    "currencies",
    "companies",
    "pricelists",
    "users",
    "partners",
    "employees",
    "products",
    "records",
)


class ControlError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _state(request: Request) -> OdooState:
    state: OdooState = request.app.state.odoo
    return state


async def _body(request: Request) -> dict[str, Any]:
    body = await json_body(request, lambda exc: ControlError("body is not JSON", 400))
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object", 400)
    return body


control = control_decorator(
    lambda status, body: json_response(body, status),
    {
        ControlError: lambda exc: (exc.status, {"message": exc.message}),
        errors.IntegrityViolation: lambda exc: (422, {"message": exc.message}),
        errors.OdooError: lambda exc: (422, {"message": exc.message, "name": exc.odoo_name}),
    },
)


@control
async def reset(request: Request) -> Response:
    _state(request).reset()
    return json_response({"ok": True})


@control
async def state_summary(request: Request) -> Response:
    return json_response(_state(request).summary())


@control
async def seed(request: Request) -> Response:
    body = await _body(request)
    unknown = set(body) - set(KINDS) - {"access", "settings"}
    if unknown:
        raise ControlError(f"unknown keys: {', '.join(sorted(unknown))}")
    state = _state(request)
    with state.transaction() as env:
        seeder = Seeder(env)
        created = seeder.run(body)
    for rule in body.get("access") or []:
        state.server.access.add_rule(str(rule["model"]), str(rule["group"]), str(rule["perms"]))
    state.server.settings.update(body.get("settings") or {})
    return json_response({"created": created, "keys": seeder.keys})


@control
async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.faults.clear()
    elif request.method == "POST":
        state.faults.add(fault_rule(await _body(request)))
    return json_response({"faults": wire(floats_as_decimals(state.faults.pending()))})


@control
async def calls(request: Request) -> Response:
    state = _state(request)
    logged = calls_control(state.calls, request)
    if request.method == "DELETE":
        state.rpc_log.clear()
        return json_response({"calls": logged, "rpc": []})
    return json_response({"calls": logged, "rpc": [c.as_json() for c in list(state.rpc_log)]})


@control
async def clock(request: Request) -> Response:
    state = _state(request)
    server_clock = state.server.clock
    if request.method == "POST":
        body = await _body(request)
        if body.get("reset"):
            server_clock.reset()
        if "set" in body:
            when = dt.datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            server_clock.set(when, frozen=bool(body.get("frozen", False)))
        if "advance_seconds" in body:
            server_clock.advance(float(body["advance_seconds"]))
    now = server_clock.now().strftime("%Y-%m-%d %H:%M:%S")
    return json_response({"now": now, "frozen": server_clock.frozen is not None})


@control
async def match_payments(request: Request) -> Response:
    body = await _body(request)
    ids = [int(i) for i in body.get("ids") or []]
    state = _state(request)
    with state.transaction() as env:
        env["account.payment"]._match(ids)
    return json_response({"matched": ids})


@control
async def records(request: Request) -> Response:
    state = _state(request)
    model = request.path_params["model"]
    if model not in state.server.models:
        raise ControlError(f"unknown model {model}", 404)
    domain = json.loads(request.query_params.get("domain", "[]"))
    fields = [f for f in request.query_params.get("fields", "").split(",") if f]
    with state.lock:
        env = state.env().with_context(active_test=False)
        rows = env[model].search_read(domain, fields or None, load=None)
    return json_response({"records": wire(rows)})


def fault_rule(body: dict[str, Any]) -> FaultRule:
    """A :class:`FaultRule` from the control API's JSON (see the package docstring)."""
    kind = str(body.get("kind", "status"))
    count = int(body.get("count", 1))
    prefix = str(body.get("path_prefix", ""))
    method = str(body["method"]) if body.get("method") else None
    if kind == "custom":
        kind = str(body.get("name", ""))
        if kind not in _DB_FAULTS:
            raise ControlError(f"unknown custom fault {kind!r}: one of {', '.join(_DB_FAULTS)}")
    if kind in _DB_FAULTS:
        message = str(body.get("message") or body.get("body") or "")
        return FaultRule("custom", count, prefix, method, name=kind, body=message)
    if kind == "rate_limit":
        retry = float(body.get("retry_after", 1))
        return FaultRule("status", count, prefix, method, status=429, retry_after=retry)
    if kind == "latency":
        return FaultRule("latency", count, prefix, method, latency=float(body.get("latency", 0.5)))
    if kind == "drop":
        return FaultRule("drop", count, prefix, method)
    if kind == "status":
        wait = body.get("retry_after")
        return FaultRule(
            "status",
            count,
            prefix,
            method,
            status=int(body.get("status", 503)),
            retry_after=float(wait) if wait is not None else None,
            body=str(body.get("body", "")),
            headers={str(k): str(v) for k, v in (body.get("headers") or {}).items()},
        )
    raise ControlError(f"unknown fault kind {kind!r}")


class Seeder:
    """Creates the records of one ``/_emulator/seed`` call (superuser, one transaction)."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.keys: dict[str, int] = {}

    def run(self, body: dict[str, Any]) -> dict[str, list[int]]:
        created: dict[str, list[int]] = {}
        for kind in KINDS:
            items = body.get(kind) or []
            if not isinstance(items, list):
                raise ControlError(f"{kind} must be a list")
            created[kind] = [getattr(self, f"_{kind}")(dict(item)) for item in items]
        return {k: v for k, v in created.items() if v}

    # -- references --------------------------------------------------------------------------

    def ref(self, value: Any, model: str) -> int | bool:
        if value is None or value is False:
            return False
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        if text == "main" and model == "res.company":
            text = "base.main_company"
        if text in self.keys:
            return self.keys[text]
        found = self.env.server.xmlid_lookup(text) if "." in text else None
        if found is None or found[0] != model:
            raise ControlError(f"unknown {model} reference {value!r}")
        return found[1]

    def _keep(self, kind: str, item: dict[str, Any], model: str, rid: int) -> int:
        key = item.get("key")
        if key:
            if str(key) in self.keys:
                raise ControlError(f"duplicate key {key!r}")
            self.keys[str(key)] = rid
            self.env.server.set_xmlid("__emulator__", f"{kind}_{key}", model, rid)
        return rid

    def _create(self, model: str, values: dict[str, Any]) -> int:
        [rid] = self.env[model]._create([values])
        return int(rid)

    def _currency(self, code: Any) -> int:
        for cid, row in self.env.db.table("res.currency").items():
            if row.get("name") == str(code).upper():
                return int(cid)
        raise ControlError(f"unknown currency {code!r}")

    def _country(self, code: Any) -> int | bool:
        if not code:
            return False
        for cid, row in self.env.db.table("res.country").items():
            if row.get("code") == str(code).upper():
                return int(cid)
        raise ControlError(f"unknown country {code!r}")

    # -- kinds -------------------------------------------------------------------------------

    def _currencies(self, item: dict[str, Any]) -> int:
        cid = self._currency(item["code"])
        if "active" in item:
            self.env["res.currency"]._write([cid], {"active": bool(item["active"])})
        for rate in item.get("rates") or []:
            self._create(
                "res.currency.rate",
                {
                    "currency_id": cid,
                    "name": rate["date"],
                    "rate": rate["rate"],
                    "company_id": self.ref(rate.get("company"), "res.company"),
                },
            )
        return cid

    def _companies(self, item: dict[str, Any]) -> int:
        values = {
            "name": item["name"],
            "currency_id": self._currency(item.get("currency", "USD")),
            "country_id": self._country(item.get("country")),
            "parent_id": self.ref(item.get("parent"), "res.company"),
            "vat": item.get("vat") or False,
            **(item.get("values") or {}),
        }
        rid = self._create("res.company", values)
        self.env["res.currency"]._write([values["currency_id"]], {"active": True})
        users = self.env.db.table("res.users")
        admin = self.env.server.xmlid_lookup("base.user_admin")
        if admin is not None and admin[1] in users:
            current = tuple(users[admin[1]].get("company_ids") or ())
            if rid not in current:
                self.env.db.set("res.users", admin[1], {"company_ids": (*current, rid)})
        return self._keep("company", item, "res.company", rid)

    def _pricelists(self, item: dict[str, Any]) -> int:
        values = {
            "name": item["name"],
            "currency_id": self._currency(item.get("currency", "USD")),
            "company_id": self.ref(item.get("company"), "res.company"),
            **(item.get("values") or {}),
        }
        return self._keep(
            "pricelist", item, "product.pricelist", self._create("product.pricelist", values)
        )

    def _users(self, item: dict[str, Any]) -> int:
        server = self.env.server
        company = self.ref(item.get("company", "main"), "res.company")
        companies = [self.ref(c, "res.company") for c in item.get("companies") or [company]]
        groups = []
        for xmlid in item.get("groups") or ["base.group_user"]:
            found = server.xmlid_lookup(str(xmlid))
            if found is None or found[0] != "res.groups":
                raise ControlError(f"unknown group {xmlid!r}")
            groups.append(found[1])
        values = {
            "name": item.get("name") or item["login"],
            "login": item["login"],
            "email": item.get("email") or False,
            "company_id": company,
            "company_ids": [(6, 0, companies)],
            "tz": item.get("tz") or False,
            server.spec.user_groups_field: [(6, 0, groups)],
            **(item.get("values") or {}),
        }
        uid = self._create("res.users", values)
        server.credentials.set_password(uid, item.get("password"))
        for key in [item["api_key"]] if item.get("api_key") else []:
            server.credentials.add_key(uid, str(key), "seed")
        employee = item.get("employee")
        if employee:
            extra = employee if isinstance(employee, dict) else {}
            for company_id in companies:
                self._employees(
                    {**extra, "user": uid, "company": company_id, "name": values["name"]}
                )
        return self._keep("user", item, "res.users", uid)

    def _partners(self, item: dict[str, Any]) -> int:
        values = {
            "name": item["name"],
            "is_company": bool(item.get("is_company", False)),
            "email": item.get("email") or False,
            "ref": item.get("ref") or False,
            "vat": item.get("vat") or False,
            "company_id": self.ref(item.get("company"), "res.company"),
            "parent_id": self.ref(item.get("parent"), "res.partner"),
            "country_id": self._country(item.get("country")),
            **(item.get("values") or {}),
        }
        return self._keep("partner", item, "res.partner", self._create("res.partner", values))

    def _employees(self, item: dict[str, Any]) -> int:
        values = {
            "name": item["name"],
            "user_id": self.ref(item.get("user"), "res.users"),
            "company_id": self.ref(item.get("company", "main"), "res.company"),
            "work_email": item.get("work_email") or item.get("email") or False,
            "hourly_cost": item.get("hourly_cost", 0),
            **(item.get("values") or {}),
        }
        return self._keep("employee", item, "hr.employee", self._create("hr.employee", values))

    def _products(self, item: dict[str, Any]) -> int:
        spec = self.env.spec
        uom = self.env.server.xmlid_lookup(_UOMS[str(item.get("uom", "unit"))])
        values: dict[str, Any] = {
            "name": item["name"],
            "default_code": item.get("default_code") or False,
            spec.product_type_field: item.get("type", "service"),
            "list_price": item.get("list_price", 0),
            "standard_price": item.get("standard_price", 0),
            "uom_id": uom[1] if uom else False,
            "company_id": self.ref(item.get("company"), "res.company"),
            "service_tracking": item.get("service_tracking", "no"),
            "project_id": self.ref(item.get("project"), "project.project"),
            "expense_policy": item.get("expense_policy", "no"),
            "can_be_expensed": bool(item.get("can_be_expensed", False)),
        }
        if item.get("service_policy"):
            values["service_policy"] = item["service_policy"]
        values.update(item.get("values") or {})
        return self._keep(
            "product", item, "product.product", self._create("product.product", values)
        )

    def _records(self, item: dict[str, Any]) -> int:
        model = str(item["model"])
        if model not in self.env:
            raise ControlError(f"unknown model {model}")
        rid = self._create(model, dict(item.get("values") or {}))
        if item.get("xmlid"):
            module, _, name = str(item["xmlid"]).partition(".")
            self.env.server.set_xmlid(module, name, model, rid)
        return self._keep("record", item, model, rid)
