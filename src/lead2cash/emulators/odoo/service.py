"""The RPC services every protocol shares: ``common`` (version, login, authenticate) and
``object`` (execute, execute_kw), and the JSON-2 entry point.

One call is one transaction (``odoo/service/model.py``): the method runs, the recompute queue
is flushed, and the call commits, or everything is rolled back on an error. Methods are
resolved like ``get_public_method``: a name starting with ``_`` is an AccessError "Private
methods ... cannot be called remotely.", an unknown one "does not exist". ``create`` with a
dict returns an id, with a list a list of ids (``call_kw``).

Injected database faults (``FaultPlan`` custom rules named ``serialization_failure``,
``deadlock``, ``lock_not_available``) fail the call after Odoo's retries, with nothing
committed. Their ``path_prefix`` is matched against the HTTP path for JSON-2
(``/json/2/res.partner/create``) and against ``<path>/<model>/<method>`` for XML-RPC and
JSON-RPC (``/xmlrpc/2/object/res.partner/create``, ``/jsonrpc/res.partner/create``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.state import OdooState

log = logging.getLogger(__name__)

#: Methods a version does not have (model, method); model None = every model.
_ABSENT: dict[int, set[tuple[str | None, str]]] = {
    17: {
        (None, "has_access"),
        ("hr.expense", "action_submit"),
        ("hr.expense", "action_approve"),
        ("hr.expense", "action_post"),
        ("account.payment", "action_validate"),
        ("hr.expense.sheet", "action_sheet_move_post"),
    },
    18: {
        (None, "name_get"),
        ("hr.expense", "action_submit"),
        ("hr.expense", "action_approve"),
        ("hr.expense", "action_post"),
        ("hr.expense.sheet", "action_sheet_move_create"),
    },
    19: {(None, "name_get"), ("hr.expense", "action_submit_expenses")},
}


def wire(value: Any) -> Any:
    """Python values as Odoo serializes them: Decimal → float, tuples → lists."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return value


class Services:
    """``common`` and ``object`` over one :class:`OdooState`."""

    def __init__(self, state: OdooState) -> None:
        self.state = state

    # -- common ------------------------------------------------------------------------------

    def common(self, method: str, params: Sequence[Any]) -> Any:
        state = self.state
        if method == "version":
            return state.spec.rpc_version()
        if method == "about":
            info = "See http://openerp.com"
            return [info, state.spec.version] if params and params[0] else info
        if method in ("login", "authenticate"):
            if method == "login":
                db, login, password = _unpack(params, 3, "exp_login")
            else:
                db, login, password, _env = _unpack(params, 4, "exp_authenticate")
            self.check_db(db)
            return self.authenticate(str(login), password)
        raise errors.PythonError("Exception", f"Method not found: {method}")

    def check_db(self, db: Any) -> None:
        if db != self.state.db_name:
            raise errors.DatabaseError(
                "OperationalError",
                'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                f'FATAL:  database "{db}" does not exist',
                module="psycopg2",
            )

    def authenticate(self, login: str, password: Any) -> int | bool:
        """The uid for login + password or API key, else False (never raises)."""
        with self.state.lock:
            server = self.state.server
            for uid, row in server.db.table("res.users").items():
                if row.get("login") == login and row.get("active"):
                    if isinstance(password, str) and server.credentials.check(uid, password):
                        return int(uid)
                    return False
        return False

    def check_uid(self, uid: Any, secret: Any) -> int:
        """``_check_uid_passwd``: AccessDenied unless ``secret`` is the user's password or key."""
        try:
            user = int(uid)
        except (TypeError, ValueError):
            raise errors.PythonError(
                "ValueError", f"invalid literal for int() with base 10: {uid!r}"
            ) from None
        if not secret:
            raise errors.AccessDenied()
        server = self.state.server
        row = server.db.table("res.users").get(user)
        if row is None or not row.get("active") or not isinstance(secret, str):
            raise errors.AccessDenied()
        if not server.credentials.check(user, secret):
            raise errors.AccessDenied()
        return user

    # -- object ------------------------------------------------------------------------------

    def object(self, method: str, params: Sequence[Any], *, protocol: str, path: str) -> Any:
        db, uid, secret, model, method_name, *rest = _unpack_object(params)
        if not secret:
            raise errors.AccessDenied()
        self.check_db(db)
        if method == "execute":
            args: list[Any] = list(rest)
            kwargs: dict[str, Any] = {}
        elif method == "execute_kw":
            if len(rest) == 1:
                rest = [rest[0], {}]
            if len(rest) != 2:
                raise errors.PythonError(
                    "ValueError", f"too many values to unpack (expected 2, got {len(rest)})"
                )
            raw_args, raw_kwargs = rest[0], rest[1] if rest[1] is not None else {}
            if not isinstance(raw_args, list) or not isinstance(raw_kwargs, dict):
                raise errors.type_error("execute_kw expects a list of arguments and a dict")
            args, kwargs = raw_args, raw_kwargs
        else:
            raise errors.PythonError("NameError", f"Method not available {method}")
        user = self.check_uid(uid, secret)
        return self.call_kw(
            user,
            str(model),
            str(method_name),
            list(args),
            dict(kwargs),
            protocol=protocol,
            fault_path=f"{path}/{model}/{method_name}",
        )

    def call_kw(
        self,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        protocol: str,
        fault_path: str,
    ) -> Any:
        """``odoo.service.model.call_kw`` in one transaction."""
        context = kwargs.pop("context", None) or {}
        if not isinstance(context, dict):
            raise errors.type_error("context must be a dict")

        def run(env: Env) -> Any:
            if model not in env:
                raise errors.UserError(f"Object {model} doesn't exist")
            func, kind = self.resolve(env, model, method)
            call_args = list(args)
            if kind == "record":
                if not call_args:
                    raise errors.PythonError("IndexError", "list index out of range")
                call_args[0] = _ids_arg(call_args[0])
            named = self._rename(method, kwargs)
            self._bind(func, env[model], call_args, named, method)
            result = func(env[model], *call_args, **named)
            if method == "create" and call_args and isinstance(call_args[0], Mapping):
                return result[0]
            return result

        return self.run(
            uid, context, run, protocol=protocol, model=model, method=method, fault_path=fault_path
        )

    def call_json2(
        self,
        uid: int,
        model: str,
        method: str,
        ids: Sequence[int],
        context: dict[str, Any],
        kwargs: dict[str, Any],
        *,
        fault_path: str,
    ) -> Any:
        """``WebJson2Controller.web_json_2_rpc``: named arguments only, ids apart."""

        def run(env: Env) -> Any:
            if model not in env:
                raise errors.not_found(f"the model {model!r} does not exist")
            try:
                func, kind = self.resolve(env, model, method)
            except errors.PythonError as exc:
                if exc.kind == "AttributeError":
                    raise errors.not_found(exc.message) from None
                raise
            if kind == "model" and ids:
                raise errors.unprocessable(f"cannot call {model}.{method} with ids")
            record_ids = list(ids) if kind == "record" else None
            try:
                bound_args: list[Any] = [record_ids] if record_ids is not None else []
                inspect.signature(func).bind(env[model], *bound_args, **kwargs)
            except TypeError as exc:
                raise errors.unprocessable(str(exc.args[0])) from None
            return func(env[model], *bound_args, **kwargs)

        return self.run(
            uid, context, run, protocol="json2", model=model, method=method, fault_path=fault_path
        )

    def run(
        self,
        uid: int,
        context: dict[str, Any],
        body: Callable[[Env], Any],
        *,
        protocol: str,
        model: str,
        method: str,
        fault_path: str,
    ) -> Any:
        state = self.state
        outcome = "ok"
        try:
            fault = self._database_fault(fault_path)
            with state.lock, state.server.db.transaction():
                env = Env(state.server, uid, context)
                try:
                    if fault is not None:
                        raise fault
                    result = body(env)
                    state.server.flush()
                except BaseException:
                    state.server.discard_todo()
                    raise
            return wire(result)
        except errors.IntegrityViolation as exc:
            outcome = "odoo.exceptions.ValidationError"
            raise exc.as_validation_error() from exc
        except errors.OdooError as exc:
            outcome = exc.odoo_name
            raise
        except Exception as exc:
            # A bug-like failure inside Odoo's code (KeyError, TypeError ...): Fault 1 / 500.
            log.warning("emulated %s.%s failed unexpectedly", model, method, exc_info=True)
            outcome = f"builtins.{type(exc).__name__}"
            raise errors.PythonError(type(exc).__name__, str(exc)) from exc
        finally:
            state.log_rpc(protocol, "object", method, model, uid, outcome)

    # -- method resolution -------------------------------------------------------------------

    def resolve(self, env: Env, model: str, method: str) -> tuple[Callable[..., Any], str]:
        major = env.spec.major
        if method.startswith("_"):
            if major <= 17:
                raise errors.AccessError(
                    f"Private methods (such as {method}) cannot be called remotely."
                )
            raise errors.AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        absent = _ABSENT.get(major, set())
        cls = type(env[model])
        func = getattr(cls, method, None)
        kind = getattr(func, "_rpc", None)
        if kind is None or (None, method) in absent or (model, method) in absent:
            if major <= 17:
                raise errors.PythonError(
                    "AttributeError", f"'{model}' object has no attribute '{method}'"
                )
            raise errors.PythonError(
                "AttributeError", f"The method '{model}.{method}' does not exist"
            )
        if kind == "private" and env.spec.has_api_private:
            raise errors.AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        assert func is not None
        return func, str(kind)

    def _rename(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        renames = self.state.spec.kwarg_renames(method)
        if not renames:
            return dict(kwargs)
        new_names = set(renames.values())
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in new_names:
                raise errors.type_error(f"{method}() got an unexpected keyword argument {key!r}")
            out[renames.get(key, key)] = value
        return out

    def _bind(
        self,
        func: Callable[..., Any],
        recs: Any,
        args: list[Any],
        kwargs: dict[str, Any],
        name: str,
    ) -> None:
        try:
            inspect.signature(func).bind(recs, *args, **kwargs)
        except TypeError as exc:
            raise errors.type_error(f"{name}() {exc}") from None

    def _database_fault(self, path: str) -> errors.DatabaseError | None:
        for name, (kind, message) in errors.DATABASE_FAULTS.items():
            rule = self.state.faults.take_custom(name, "POST", path)
            if rule is not None:
                return errors.DatabaseError(kind, rule.body or message)
        return None


def _unpack(params: Sequence[Any], count: int, name: str) -> list[Any]:
    values = list(params)
    if len(values) < count and name == "exp_authenticate" and len(values) == 3:
        values.append(None)
    if len(values) != count:
        raise errors.type_error(
            f"{name}() takes {count} positional arguments but {len(values)} were given"
        )
    return values


def _unpack_object(params: Sequence[Any]) -> list[Any]:
    values = list(params)
    if len(values) < 5:
        raise errors.PythonError(
            "ValueError", f"not enough values to unpack (expected at least 5, got {len(values)})"
        )
    return values


def _ids_arg(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return value
