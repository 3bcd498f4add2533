"""A small fake Odoo behind ``httpx.MockTransport`` that speaks the real wire formats of the
three protocols (reference §1.2-§1.4, §1.7) and ``Model.load``'s all-or-nothing semantics with
the 17 and 18/19 message shapes (``odoo/orm/models.py`` ``load``).

It is deliberately smaller than the emulator: enough to pin the client's request bodies, its
error mapping and the writer's triage without a socket.
"""

from __future__ import annotations

import itertools
import json
import xmlrpc.client
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.settings import OdooSettings

KEY = "0123456789abcdef0123456789abcdef01234567"
XMLRPC_CODES = {
    "AccessError": 4,
    "AccessDenied": 3,
    "UserError": 2,
    "ValidationError": 2,
    "MissingError": 2,
    "RedirectWarning": 2,
}
JSON2_STATUS = {
    "AccessError": 403,
    "AccessDenied": 403,
    "UserError": 422,
    "ValidationError": 422,
    "MissingError": 404,
    "LockError": 409,
}


class OdooFault(Exception):
    """An exception the fake server 'raises' (``name`` is the dotted class name)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


Handler = Callable[..., Any]


class FakeOdoo:
    """In-memory Odoo: records per model, external ids, and overridable methods."""

    def __init__(
        self, version: int = 19, *, login: str = "bot", uid: int = 7, db: str = "l2c"
    ) -> None:
        self.version = version
        self.login = login
        self.uid = uid
        self.db = db
        self.records: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.xmlids: dict[str, tuple[str, int]] = {}
        self.ids = itertools.count(1)
        self.calls: list[tuple[str, str, str, dict[str, Any]]] = []
        self.overrides: dict[tuple[str, str], Handler] = {}
        self.before: list[Callable[[httpx.Request], httpx.Response | None]] = []
        self.validators: dict[str, Callable[[dict[str, Any]], str | None]] = {}
        self.fields: dict[str, dict[str, dict[str, Any]]] = {}
        self.groups: set[str] = set()
        self.denied: set[tuple[str, str]] = set()
        self.modules_readable = True
        self.modules = {"project", "hr_timesheet", "sale_timesheet", "sale_project"}
        self.modules |= {"hr_expense", "account", "sale", "hr"}
        self.imd_readable = True

    # -- HTTP --------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        for hook in list(self.before):
            try:
                response = hook(request)
            except Exception:
                self.before.remove(hook)
                raise
            if response is not None:
                self.before.remove(hook)
                return response
        path = request.url.path
        if path == "/web/version":
            if self.version < 19:
                return httpx.Response(404, text="<html>Not Found</html>")
            info = [self.version, 0, 0, "final", 0, ""]
            return httpx.Response(200, json={"version_info": info, "version": f"{self.version}.0"})
        if path == "/jsonrpc":
            return self._jsonrpc(request)
        if path.startswith("/xmlrpc/2/"):
            return self._xmlrpc(request, path.rsplit("/", 1)[1])
        if path.startswith("/json/2/") and self.version >= 19:
            return self._json2(request, path)
        return httpx.Response(404, text="<html>Not Found</html>")

    def _common(self, method: str, args: list[Any]) -> Any:
        if method == "version":
            return {
                "server_version": f"{self.version}.0",
                "server_version_info": [self.version, 0, 0, "final", 0, ""],
                "server_serie": f"{self.version}.0",
                "protocol_version": 1,
            }
        if method in ("authenticate", "login"):
            db, login, key = args[0], args[1], args[2]
            return self.uid if (db, login, key) == (self.db, self.login, KEY) else False
        raise OdooFault("builtins.NameError", f"method {method} not found")

    def _object(self, args: list[Any], protocol: str) -> Any:
        db, uid, key, model, method, margs, mkwargs = args
        if (db, uid, key) != (self.db, self.uid, KEY):
            raise OdooFault("odoo.exceptions.AccessDenied", "Access Denied")
        mkwargs = dict(mkwargs)
        context = mkwargs.pop("context", {})
        return self.dispatch(protocol, model, method, list(margs), mkwargs, context)

    def _jsonrpc(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        params = body["params"]
        try:
            if params["service"] == "common":
                result = self._common(params["method"], params["args"])
            else:
                result = self._object(params["args"], "jsonrpc")
        except OdooFault as fault:
            error = {
                "code": 0 if self.version >= 19 else 200,
                "message": "Odoo Server Error",
                "data": {
                    "name": fault.name,
                    "message": fault.message,
                    "arguments": [fault.message],
                    "context": {},
                    "debug": "Traceback ...",
                },
            }
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "error": error})
        answer: dict[str, Any] = {"jsonrpc": "2.0", "id": body["id"]}
        if result is not None:
            answer["result"] = result
        return httpx.Response(200, json=answer)

    def _xmlrpc(self, request: httpx.Request, service: str) -> httpx.Response:
        params, method = xmlrpc.client.loads(request.content)
        try:
            if service == "common":
                result = self._common(str(method), list(params))
            else:
                result = self._object(list(params), "xmlrpc")
            text = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except OdooFault as fault:
            short = fault.name.rsplit(".", 1)[-1]
            code = XMLRPC_CODES.get(short, 1)
            string = fault.message if code != 1 else _traceback(fault.name, fault.message)
            text = xmlrpc.client.dumps(xmlrpc.client.Fault(code, string), methodresponse=True)
        except TypeError as exc:  # None result: Odoo's "cannot marshal None" after commit
            text = xmlrpc.client.dumps(
                xmlrpc.client.Fault(1, _traceback("builtins.TypeError", str(exc))),
                methodresponse=True,
            )
        return httpx.Response(200, content=text.encode(), headers={"content-type": "text/xml"})

    def _json2(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.headers.get("content-type") != "application/json":
            return httpx.Response(415, text="<html>Unsupported Media Type</html>")
        auth = request.headers.get("authorization", "")
        if auth.lower() != f"bearer {KEY}":
            return _json2_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
        _, _, _, model, method = path.split("/")
        body = json.loads(request.content or b"{}")
        ids = body.pop("ids", None)
        context = body.pop("context", {})
        margs: list[Any] = [ids] if ids is not None else []
        try:
            result = self.dispatch("json2", model, method, margs, body, context)
        except OdooFault as fault:
            short = fault.name.rsplit(".", 1)[-1]
            return _json2_error(JSON2_STATUS.get(short, 500), fault.name, fault.message)
        return httpx.Response(200, json=result)

    # -- ORM ---------------------------------------------------------------------------------

    def dispatch(
        self,
        protocol: str,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        context: dict[str, Any],
    ) -> Any:
        self.calls.append((protocol, model, method, {"args": args, "kwargs": kwargs, **context}))
        override = self.overrides.get((model, method))
        if override is not None:
            return override(*args, **kwargs)
        if (model, "read") in self.denied and method in ("search_read", "read", "search"):
            raise OdooFault("odoo.exceptions.AccessError", f"You are not allowed to access {model}")
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            raise OdooFault("werkzeug.exceptions.NotFound", f"no method {method}")
        return handler(model, *args, **kwargs)

    def _match(self, record: dict[str, Any], domain: list[Any]) -> bool:
        return all(_compare(op, record.get(name), value) for name, op, value in domain)

    def _validate(self, model: str, vals: dict[str, Any]) -> str | None:
        check = self.validators.get(model)
        return None if check is None else check(vals)

    def m_search_read(
        self,
        model: str,
        domain: list[Any] | None = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        if model == "ir.module.module":
            if not self.modules_readable:
                raise OdooFault("odoo.exceptions.AccessError", "not allowed ir.module.module")
            names: Any = next((t[2] for t in domain or [] if t[0] == "name"), [])
            names = [names] if isinstance(names, str) else names
            return [{"id": i, "name": n} for i, n in enumerate(sorted(self.modules)) if n in names]
        if model == "ir.model.data":
            if not self.imd_readable:
                raise OdooFault("odoo.exceptions.AccessError", "not allowed ir.model.data")
            return self._imd_rows(domain or [])
        rows = [
            {"id": i, **r}
            for i, r in sorted(self.records[model].items())
            if self._match({"id": i, **r}, domain or [])
        ]
        rows = rows[offset : offset + limit if limit else None]
        return [
            {k: v for k, v in r.items() if not fields or k in fields or k == "id"} for r in rows
        ]

    def _imd_rows(self, domain: list[Any]) -> list[dict[str, Any]]:
        wanted: set[str] = set()
        module = None
        for term in domain:
            if isinstance(term, list | tuple) and term[0] == "module":
                module = term[2]
            if isinstance(term, list | tuple) and term[0] == "name":
                wanted |= {f"{module}.{n}" for n in term[2]}
        rows = []
        for x, (model, res_id) in self.xmlids.items():
            if x in wanted:
                m, n = x.split(".", 1)
                rows.append({"id": 1, "module": m, "name": n, "model": model, "res_id": res_id})
        return rows

    def m_search(self, model: str, domain: list[Any], *rest: Any, **kw: Any) -> list[int]:
        return [r["id"] for r in self.m_search_read(model, domain, ["id"], *rest, **kw)]

    def m_search_count(self, model: str, domain: list[Any], limit: int | None = None) -> int:
        return len(self.m_search(model, domain))

    def _exist(self, model: str, ids: list[int]) -> None:
        missing = [i for i in ids if i not in self.records[model]]
        if missing:
            raise OdooFault(
                "odoo.exceptions.MissingError",
                f"Record does not exist or has been deleted.\n(Record: {model}({missing[0]},))",
            )

    def m_read(self, model: str, ids: list[int], fields: list[str] | None = None) -> list[Any]:
        # Like Odoo 17-19, read() returns one dict per record that exists (no MissingError).
        ids = [i for i in ids if i in self.records[model]]
        return [
            {
                "id": i,
                **{k: v for k, v in self.records[model][i].items() if not fields or k in fields},
            }
            for i in ids
        ]

    def m_create(self, model: str, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        created = []
        for vals in [vals_list] if single else vals_list:
            error = self._validate(model, vals)
            if error:
                raise OdooFault("odoo.exceptions.ValidationError", error)
            new = next(self.ids)
            self.records[model][new] = dict(vals)
            created.append(new)
        return created[0] if single else created

    def m_write(self, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
        self._exist(model, ids)
        for i in ids:
            self.records[model][i].update(vals)
        return True

    def m_unlink(self, model: str, ids: list[int]) -> bool:
        self._exist(model, ids)
        for i in ids:
            self.records[model].pop(i, None)
        return True

    def m_fields_get(
        self, model: str, allfields: list[str] | None = None, attributes: Any = None
    ) -> dict[str, Any]:
        if model not in self.fields:
            raise OdooFault("builtins.KeyError", repr(model))
        return {k: v for k, v in self.fields[model].items() if not allfields or k in allfields}

    def m_name_search(
        self,
        model: str,
        name: str = "",
        domain: Any = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[list[Any]]:
        op = "=" if operator == "=" else "ilike"
        rows = self.m_search_read(model, [("name", op, name), *(domain or [])], ["name"])
        return [[r["id"], r["name"]] for r in rows[:limit]]

    def m_check_access_rights(
        self, model: str, operation: str, raise_exception: bool = True
    ) -> bool:
        return (model, operation) not in self.denied

    def m_has_group(self, model: str, *args: Any, group_ext_id: str | None = None) -> bool:
        group = group_ext_id or args[-1]
        if self.version >= 18 and group_ext_id is None and len(args) != 2:
            raise OdooFault("builtins.TypeError", "has_group() needs ids from 18")
        return group in self.groups

    def m_context_get(self, model: str) -> dict[str, Any]:
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self.uid}

    def m_check_object_reference(
        self, model: str, module: str, xml_id: str, raise_on_access_error: bool = False
    ) -> list[Any]:
        found = self.xmlids.get(f"{module}.{xml_id}")
        if found is None:
            raise OdooFault(
                "builtins.ValueError", f"External ID not found in the system: {module}.{xml_id}"
            )
        return [found[0], found[1]]

    def m_action_none(self, model: str, ids: list[int]) -> None:
        for i in ids:
            self.records[model][i]["done"] = True

    def m_load(self, model: str, fields: list[str], data: list[list[str]]) -> dict[str, Any]:
        """Model.load: convert, validate, upsert by xmlid; any error rolls everything back."""
        messages: list[dict[str, Any]] = []
        converted: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for n, row in enumerate(data):
            info = {"rows": {"from": n, "to": n}, "record": n}
            vals: dict[str, Any] = {}
            xid = ""
            for column, cell in zip(fields, row, strict=True):
                if column == "id":
                    xid = cell if "." in cell else f"__import__.{cell}"
                elif column.endswith("/id"):
                    if cell and cell not in self.xmlids:
                        messages.append(
                            dict(
                                info,
                                type="error",
                                field=column.split("/")[0],
                                message=f"No matching record found for external id '{cell}' in "
                                f"field '{column.split('/')[0]}'",
                            )
                        )
                    vals[column.split("/")[0]] = self.xmlids.get(cell, (None, False))[1]
                elif column.endswith("/.id"):
                    vals[column.split("/")[0]] = int(cell) if cell else False
                else:
                    vals[column] = cell
            converted.append((xid, vals, info))
        per_record = [
            (info, error) for _, vals, info in converted if (error := self._validate(model, vals))
        ]
        if per_record:
            first_error = per_record[0][1]
            batch_error = dict(converted[0][2], type="error", message=first_error)
            for info, error in per_record:
                messages.append(dict(info, type="error", message=error))
            if self.version >= 18 and batch_error not in messages:
                messages.insert(0, batch_error)
        if any(m["type"] == "error" for m in messages):
            return {"ids": False, "messages": messages, "nextrow": 0}
        ids = []
        for xid, vals, _ in converted:
            if xid in self.xmlids:
                res_id = self.xmlids[xid][1]
                self.records[model][res_id].update(vals)
            else:
                res_id = next(self.ids)
                self.records[model][res_id] = vals
                self.xmlids[xid] = (model, res_id)
            ids.append(res_id)
        return {"ids": ids, "messages": messages, "nextrow": 0}


def _compare(op: str, got: Any, value: Any) -> bool:
    if op == "=":
        return bool(got == value)
    if op == "!=":
        return bool(got != value)
    if op == "in":
        return got in value
    if op == "not in":
        return got not in value
    if op == "ilike":
        return str(value).lower() in str(got or "").lower()
    if got is None:
        return False
    return bool({">": got > value, ">=": got >= value, "<": got < value}[op])


def _traceback(name: str, message: str) -> str:
    short = name.removeprefix("builtins.")
    return (
        "Traceback (most recent call last):\n"
        '  File "/odoo/odoo/http.py", line 2577, in _serve_db\n'
        "    return service_model.retrying(self._serve_ir_http, self.env)\n"
        f"{short}: {message}\n"
    )


def _json2_error(status: int, name: str, message: str) -> httpx.Response:
    body = {"name": name, "message": message, "arguments": [message], "context": {}, "debug": ""}
    return httpx.Response(status, json=body)


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo()


@pytest.fixture
def make_client() -> Iterator[Callable[..., OdooClient]]:
    """``make_client(fake, protocol="auto", **settings)``: a client wired to the fake."""
    made: list[OdooClient] = []
    sleeps: list[float] = []

    def factory(fake: FakeOdoo, **overrides: Any) -> OdooClient:
        values: dict[str, Any] = {
            "url": "http://odoo.test",
            "db": fake.db,
            "login": fake.login,
            "api_key": KEY,
            "retry_base_seconds": 0.01,
        }
        values.update(overrides)
        http = httpx.Client(base_url="http://odoo.test", transport=httpx.MockTransport(fake))
        client = OdooClient(OdooSettings(**values), http=http, sleep=sleeps.append)
        client.sleeps = sleeps  # type: ignore[attr-defined]
        made.append(client)
        return client

    yield factory
    for c in made:
        c.http.close()


@pytest.fixture
def odoo_fault() -> type[OdooFault]:
    """The exception class a fake method raises to make the server answer an Odoo error."""
    return OdooFault


@pytest.fixture
def key() -> str:
    return KEY
