"""The boundary where every Odoo failure becomes a :mod:`lead2cash.errors` class.

Each protocol reports failures its own way (reference §1.4, §1.7):

- JSON-2: a real HTTP status plus ``{"name", "message", "arguments", "context", "debug"}``;
- JSON-RPC: HTTP 200 with ``{"error": {"code", "message", "data": {"name", "message", ...}}}``;
- XML-RPC ``/xmlrpc/2``: HTTP 200 with a Fault whose code is 1 (anything, traceback as text),
  2 (UserError, ValidationError, MissingError, RedirectWarning: the class is lost), 3
  (AccessDenied) or 4 (AccessError);
- any protocol: proxies answering 429/502/503/504 (often with HTML), timeouts, dropped
  connections.

The resulting error keeps Odoo's exception name as ``remote_type`` (e.g.
``odoo.exceptions.ValidationError``; for ``/xmlrpc/2`` code 2 the best inference) and Odoo's own
message. Classification:

=====================================================  =========================================
Odoo                                                   lead2cash
=====================================================  =========================================
AccessError, AccessDenied, 401, 403                    AuthError
ValidationError, UserError, RedirectWarning, 400, 422  RejectedError
MissingError, 404                                      NotFoundError
LockError, ConcurrencyError, serialization failure,    UnavailableError (AmbiguousWriteError when
lock not available, deadlock, 409, 5xx, timeouts,      a write may have committed: timeouts and
dropped connections                                    drops after sending, 502/504)
429                                                    RateLimitedError (Retry-After kept)
=====================================================  =========================================

A method returning ``None`` over XML-RPC answers Fault 1 "cannot marshal None" *after* the
transaction committed; :func:`is_none_marshal_fault` recognises it so the client can treat it
as success confirmed by a read-back, never as a failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from lead2cash import errors
from lead2cash.connectors.http import parse_retry_after

SYSTEM = "odoo"

#: Methods that never write: a timeout on them is plainly transient, never ambiguous.
READ_METHODS = frozenset(
    {
        "read",
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "web_search_read",
        "read_group",
        "formatted_read_group",
        "fields_get",
        "name_search",
        "name_get",
        "default_get",
        "check_access_rights",
        "has_access",
        "has_group",
        "context_get",
        "check_object_reference",
        "exists",
        "version",
        "authenticate",
        "login",
    }
)

_AUTH = {"AccessError", "AccessDenied", "Unauthorized", "Forbidden", "SessionExpiredException"}
_REJECTED = {
    "ValidationError",
    "UserError",
    "RedirectWarning",
    "UnprocessableEntity",
    "BadRequest",
    "UnsupportedMediaType",
    "IntegrityError",
    "CheckViolation",
    "NotNullViolation",
    "UniqueViolation",
    "ForeignKeyViolation",
}
_NOT_FOUND = {"MissingError", "NotFound"}
_TRANSIENT = {
    "LockError",
    "ConcurrencyError",
    "SerializationFailure",
    "LockNotAvailable",
    "DeadlockDetected",
    "TransactionRollbackError",
    "OperationalError",
    "InterfaceError",
    "QueryCanceled",
    "AdminShutdown",
    "ServiceUnavailable",
    "TooManyRequests",
}
_MISSING_TEXT = re.compile(
    r"Record does not exist or has been deleted"
    r"|documents you are trying to access has been deleted",
    re.IGNORECASE,
)
_NONE_MARSHAL = "cannot marshal None"
_EXC_LINE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?::\s?(?P<msg>.*))?$")


@dataclass(frozen=True)
class CallSite:
    """What was being called when a failure happened (for messages and classification)."""

    protocol: str
    model: str
    method: str
    secret: str | None = field(default=None, repr=False)  # never in reprs or tracebacks

    @property
    def operation(self) -> str:
        return f"{self.model}.{self.method}" if self.model else self.method

    @property
    def writes(self) -> bool:
        return self.method not in READ_METHODS

    def scrub(self, text: str) -> str:
        """Remove the secret from a text before it goes into an error or a log."""
        if self.secret and self.secret in text:
            return text.replace(self.secret, "**********")
        return text


def short_name(remote_type: str) -> str:
    """``odoo.exceptions.ValidationError`` → ``ValidationError``."""
    return remote_type.rsplit(".", 1)[-1]


def remote_error(
    site: CallSite,
    remote_type: str,
    message: str,
    *,
    status: int | None = None,
    retry_after: float | None = None,
    **details: Any,
) -> errors.ConnectorError:
    """The hub error for an exception Odoo raised (named by its dotted class name)."""
    name = short_name(remote_type)
    text = site.scrub(message.strip() or remote_type)
    common: dict[str, Any] = {
        "system": SYSTEM,
        "operation": site.operation,
        "status": status,
        "remote_type": remote_type,
        "protocol": site.protocol,
        **details,
    }
    if name == "TooManyRequests" or status == 429:
        return errors.RateLimitedError(text, retry_after=retry_after, **common)
    if name in _AUTH:
        return errors.AuthError(text, **common)
    if name in _NOT_FOUND:
        return errors.NotFoundError(text, **common)
    if name in _REJECTED:
        return errors.RejectedError(text, **common)
    if name in _TRANSIENT or remote_type.startswith("psycopg2.errors."):
        return errors.UnavailableError(text, **common)
    if remote_type.startswith(("builtins.", "werkzeug.")) or "." not in remote_type:
        # A Python error (ValueError, KeyError, TypeError ...) raised by Odoo's code: the
        # transaction was rolled back and the same call would fail the same way.
        return errors.RejectedError(text, **common)
    if status is not None and status >= 500:
        return errors.UnavailableError(text, **common)
    return errors.RejectedError(text, **common)


def http_status_error(site: CallSite, response: httpx.Response) -> errors.ConnectorError:
    """The hub error for a non-2xx answer: an Odoo JSON error body when there is one (JSON-2),
    else classified by status (proxies, HTML pages)."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    body = _json_object(response)
    if body is not None and isinstance(body.get("name"), str):
        return remote_error(
            site,
            body["name"],
            str(body.get("message") or ""),
            status=status,
            retry_after=retry_after,
        )
    excerpt = site.scrub(_excerpt(response))
    text = f"Odoo {site.operation} answered HTTP {status}: {excerpt}"
    common: dict[str, Any] = {
        "system": SYSTEM,
        "operation": site.operation,
        "status": status,
        "protocol": site.protocol,
    }
    if status == 429:
        return errors.RateLimitedError(text, retry_after=retry_after, **common)
    if status in (401, 403):
        return errors.AuthError(text, **common)
    if status in (404, 410):
        return errors.NotFoundError(text, **common)
    if status in (502, 504, 408) and site.writes:
        return errors.AmbiguousWriteError(text, **common)
    if status in (408, 409, 423, 425) or status >= 500:
        return errors.UnavailableError(text, **common)
    return errors.RejectedError(text, **common)


def jsonrpc_error(site: CallSite, error: Mapping[str, Any]) -> errors.ConnectorError:
    """The hub error for a JSON-RPC ``error`` object (HTTP 200); branch on ``data.name``."""
    data = error.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        return remote_error(
            site, data["name"], str(data.get("message") or ""), rpc_code=error.get("code")
        )
    code = error.get("code")
    message = str(error.get("message") or "JSON-RPC error")
    if code == 404:
        return remote_error(site, "werkzeug.exceptions.NotFound", message, rpc_code=code)
    if code == 100:
        return remote_error(site, "odoo.http.SessionExpiredException", message, rpc_code=code)
    return remote_error(site, "jsonrpc.Error", message, rpc_code=code)


def is_none_marshal_fault(fault_code: object, fault_string: str) -> bool:
    """Whether an XML-RPC fault is the "cannot marshal None" answer of a committed call."""
    return fault_code == 1 and _NONE_MARSHAL in fault_string


def xmlrpc_fault(site: CallSite, fault_code: object, fault_string: str) -> errors.ConnectorError:
    """The hub error for an ``/xmlrpc/2`` Fault."""
    if fault_code == 3:
        return remote_error(site, "odoo.exceptions.AccessDenied", fault_string, fault_code=3)
    if fault_code == 4:
        return remote_error(site, "odoo.exceptions.AccessError", fault_string, fault_code=4)
    if fault_code == 2:
        # ValidationError, UserError, MissingError and RedirectWarning all become code 2; only
        # the message can tell a missing record apart.
        remote = (
            "odoo.exceptions.MissingError"
            if _MISSING_TEXT.search(fault_string)
            else "odoo.exceptions.UserError"
        )
        return remote_error(site, remote, fault_string, fault_code=2)
    remote_type, message = parse_traceback(fault_string)
    return remote_error(site, remote_type, message, fault_code=fault_code)


def parse_traceback(text: str) -> tuple[str, str]:
    """The exception class and message at the end of a formatted Python traceback.

    The exception line is the first unindented line after the last indented (frame) line;
    the lines after it continue a multi-line message. Text that is not a traceback is
    returned whole as the message of an unknown type.
    """
    lines = text.rstrip("\n").splitlines()
    last_frame = max((i for i, line in enumerate(lines) if line.startswith(" ")), default=-1)
    if last_frame < 0 or last_frame + 1 >= len(lines):
        return "builtins.Exception", text.strip()
    match = _EXC_LINE.match(lines[last_frame + 1])
    if not match:
        return "builtins.Exception", lines[-1].strip()
    name = match.group("name")
    message = "\n".join([match.group("msg") or "", *lines[last_frame + 2 :]]).strip()
    return (name if "." in name else f"builtins.{name}"), message


def transport_error(site: CallSite, exc: httpx.TransportError) -> errors.ConnectorError:
    """The hub error for a network failure: a write whose request may have reached Odoo is
    ambiguous (read back before retrying); anything that surely did not is unavailable."""
    kind = type(exc).__name__
    common: dict[str, Any] = {
        "system": SYSTEM,
        "operation": site.operation,
        "protocol": site.protocol,
        "remote_type": f"httpx.{kind}",
    }
    not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    what = "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed ({kind})"
    if site.writes and not not_sent:
        return errors.AmbiguousWriteError(
            f"Odoo {site.operation} {what}; the write may have committed: read back before "
            "retrying",
            **common,
        )
    return errors.UnavailableError(f"Odoo {site.operation} {what}", **common)


def malformed_answer(site: CallSite, status: int) -> errors.ConnectorError:
    """The hub error for a 2xx answer that is not what the protocol promises (a proxy page,
    a truncated body): the call may have run, so a write is ambiguous."""
    common: dict[str, Any] = {
        "system": SYSTEM,
        "operation": site.operation,
        "status": status,
        "protocol": site.protocol,
    }
    text = f"Odoo {site.operation} answered a body that {site.protocol} cannot decode"
    if site.writes:
        return errors.AmbiguousWriteError(text, **common)
    return errors.UnavailableError(text, **common)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        value = json.loads(response.content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return "<unreadable body>"
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:limit]
