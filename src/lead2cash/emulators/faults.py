"""Deterministic fault injection and a call log, shared by every emulator, and the pieces their
control APIs share.

A :class:`FaultPlan` holds rules such as "the next 3 calls whose path starts with ``/json/2``
answer 429 with ``Retry-After: 2``". :class:`FaultMiddleware` applies the plan in front of an
emulator's ASGI app and records every call in a :class:`CallLog`, which the control API exposes.
Emulator-specific faults (an Odoo serialization failure, say) are rules with ``kind="custom"``
that the emulator itself consumes with :meth:`FaultPlan.take_custom`.

Every control API (under ``/_emulator/``) reads its bodies with :func:`json_body`, answers its
errors through :func:`control_decorator` and serves ``/_emulator/calls`` with
:func:`calls_control`; each emulator passes its own JSON writer and error answers.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

FaultKind = Literal["status", "latency", "drop", "custom"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


RULE_FIELDS = frozenset(
    {
        "kind",
        "count",
        "path_prefix",
        "method",
        "status",
        "retry_after",
        "latency",
        "name",
        "body",
        "headers",
    }
)


@dataclass
class FaultRule:
    """One fault, applied to the next ``count`` matching calls."""

    kind: FaultKind
    count: int = 1
    path_prefix: str = ""
    method: str | None = None
    status: int = 503
    retry_after: float | None = None
    latency: float = 0.0
    name: str = ""
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultRule:
        """A rule from a control-API body; ValueError names unknown fields."""
        unknown = set(body) - RULE_FIELDS
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        values = dict(body)
        for number in ("retry_after", "latency"):
            if values.get(number) is not None:
                values[number] = float(values[number])
        return cls(**values)

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and (
            self.method is None or self.method.upper() == method.upper()
        )


@dataclass
class RecordedCall:
    at: float
    method: str
    path: str
    query: str
    status: int
    fault: str | None
    headers: dict[str, str]


class FaultPlan:
    """A thread-safe list of pending faults."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        retry_after: float | None = None,
        path_prefix: str = "",
        method: str | None = None,
    ) -> None:
        """The next ``count`` matching calls answer ``status`` (with ``Retry-After`` if given)."""
        self.add(FaultRule("status", count, path_prefix, method, status, retry_after))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r.__dict__) for r in self._rules]

    def take(self, method: str, path: str, kinds: tuple[FaultKind, ...]) -> FaultRule | None:
        """Consume one use of the first rule of one of ``kinds`` matching the call."""
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.matches(method, path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def take_custom(self, name: str, method: str = "POST", path: str = "") -> FaultRule | None:
        """Consume an emulator-specific fault called ``name`` (e.g. ``serialization_failure``)."""
        with self._lock:
            for rule in self._rules:
                if rule.kind == "custom" and rule.name == name and rule.matches(method, path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
                    return rule
        return None


class CallLog:
    """The calls an emulator received, newest last, bounded."""

    def __init__(self, limit: int = 10_000) -> None:
        self._calls: list[RecordedCall] = []
        self._limit = limit
        self._lock = threading.Lock()

    def add(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)
            if len(self._calls) > self._limit:
                del self._calls[: len(self._calls) - self._limit]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def calls(self, path_prefix: str = "") -> list[RecordedCall]:
        with self._lock:
            return [c for c in self._calls if c.path.startswith(path_prefix)]

    def settled(self, path_prefix: str = "", *, pause: float = 0.02) -> list[RecordedCall]:
        """The calls once the log has stopped growing: an emulator records a call just after
        answering it, so its client can be a step ahead of the log."""
        previous = -1
        calls = self.calls(path_prefix)
        while len(calls) != previous:
            previous = len(calls)
            time.sleep(pause)
            calls = self.calls(path_prefix)
        return calls

    def as_json(self, path_prefix: str = "") -> list[dict[str, Any]]:
        return [dict(c.__dict__) for c in self.calls(path_prefix)]


_SAFE_HEADERS = {
    "content-type",
    "user-agent",
    "retry-after",
    "x-odoo-database",
    "harvest-account-id",
    "x-hubspot-signature-v3",
    "x-request-id",
}


class FaultMiddleware:
    """ASGI middleware: applies status, latency and drop faults, and logs every call.

    Paths under ``/_emulator/`` (the control API) are never faulted or logged.
    """

    def __init__(self, app: ASGIApp, plan: FaultPlan, log: CallLog) -> None:
        self.app = app
        self.plan = plan
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        logged = {k: v for k, v in headers.items() if k in _SAFE_HEADERS}
        status_box = {"status": 0}
        query = scope.get("query_string", b"").decode("latin-1")

        def record(status: int, fault: str | None) -> None:
            self.log.add(RecordedCall(time.time(), method, path, query, status, fault, logged))

        latency = self.plan.take(method, path, ("latency",))
        if latency is not None:
            await asyncio.sleep(latency.latency)
        rule = self.plan.take(method, path, ("status", "drop"))
        if rule is not None and rule.kind == "status":
            record(rule.status, "status")
            await _send_status(send, rule)
            return
        if rule is not None and rule.kind == "drop":
            record(0, "drop")
            # Headers promise a body that never comes; the server then closes the connection,
            # which a client sees as a connection dropped mid-response.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"1000"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            raise ConnectionAbortedError("emulator fault: connection dropped")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box["status"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            record(status_box["status"], None)


async def _send_status(send: Send, rule: FaultRule) -> None:
    body = (rule.body or f'{{"error": "emulator fault", "status": {rule.status}}}').encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if rule.retry_after is not None:
        headers.append((b"retry-after", _retry_after_text(rule.retry_after).encode()))
    headers += [(k.lower().encode(), v.encode()) for k, v in rule.headers.items()]
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _retry_after_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


# -- the control APIs' shared pieces -------------------------------------------------------------

Handler = Callable[[Request], Awaitable[Response]]


async def json_body(
    request: Request,
    not_json: Callable[[ValueError], Exception],
    *,
    loads: Callable[[bytes], Any] = json.loads,
) -> Any:
    """The request's JSON body, ``{}`` when it is blank; ``not_json(error)`` is raised when it
    is not JSON (each emulator answers that in its own way)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return loads(raw)
    except ValueError as exc:
        raise not_json(exc) from exc


def _type_and_message(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def control_decorator(
    respond: Callable[[int, Any], Response],
    answers: Mapping[type[Exception], Callable[[Any], tuple[int, Any]]],
    *,
    describe: Callable[[Exception], str] = _type_and_message,
) -> Callable[[Handler], Handler]:
    """A decorator for control-API handlers.

    An exception of a type in ``answers`` (tried in order) is answered ``respond(*answer(exc))``;
    any other ValueError, TypeError or KeyError is answered 422 ``{"message": describe(exc)}``.
    """

    def control(handler: Handler) -> Handler:
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                for kind, answer in answers.items():
                    if isinstance(exc, kind):
                        return respond(*answer(exc))
                if isinstance(exc, ValueError | TypeError | KeyError):
                    return respond(422, {"message": describe(exc)})
                raise

        return wrapped

    return control


def calls_control(log: CallLog, request: Request) -> list[dict[str, Any]]:
    """``/_emulator/calls``: DELETE empties ``log`` (and lists nothing); GET lists the calls
    whose path starts with the ``path_prefix`` query parameter."""
    if request.method == "DELETE":
        log.clear()
        return []
    return log.as_json(request.query_params.get("path_prefix", ""))
