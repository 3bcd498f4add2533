"""Every Odoo failure shape maps to one hub error class, keeping Odoo's name and message."""

from __future__ import annotations

import httpx
import pytest

from lead2cash import errors
from lead2cash.connectors.odoo import faults

SITE = faults.CallSite("json2", "sale.order", "create", secret="s3cr3t-key")
READ = faults.CallSite("json2", "sale.order", "search_read")


@pytest.mark.parametrize(
    ("remote", "cls"),
    [
        ("odoo.exceptions.AccessError", errors.AuthError),
        ("odoo.exceptions.AccessDenied", errors.AuthError),
        ("werkzeug.exceptions.Unauthorized", errors.AuthError),
        ("odoo.exceptions.ValidationError", errors.RejectedError),
        ("odoo.exceptions.UserError", errors.RejectedError),
        ("odoo.exceptions.RedirectWarning", errors.RejectedError),
        ("werkzeug.exceptions.UnprocessableEntity", errors.RejectedError),
        ("odoo.exceptions.MissingError", errors.NotFoundError),
        ("werkzeug.exceptions.NotFound", errors.NotFoundError),
        ("odoo.exceptions.LockError", errors.UnavailableError),
        ("odoo.exceptions.ConcurrencyError", errors.UnavailableError),
        ("psycopg2.errors.SerializationFailure", errors.UnavailableError),
        ("psycopg2.errors.LockNotAvailable", errors.UnavailableError),
        ("psycopg2.errors.DeadlockDetected", errors.UnavailableError),
        ("builtins.ValueError", errors.RejectedError),
        ("builtins.KeyError", errors.RejectedError),
    ],
)
def test_remote_types(remote: str, cls: type[errors.ConnectorError]) -> None:
    exc = faults.remote_error(SITE, remote, "the message")
    assert type(exc) is cls
    assert exc.details["remote_type"] == remote
    assert exc.message == "the message"
    assert exc.details["operation"] == "sale.order.create"
    assert exc.system == "odoo"


def _json2(status: int, name: str | None, message: str = "m", **headers: str) -> httpx.Response:
    if name is None:
        return httpx.Response(status, text="<html><body>Bad gateway</body></html>", headers=headers)
    body = {"name": name, "message": message, "arguments": [message], "context": {}, "debug": "tb"}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (_json2(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey"), errors.AuthError),
        (_json2(403, "odoo.exceptions.AccessError"), errors.AuthError),
        (_json2(422, "odoo.exceptions.ValidationError"), errors.RejectedError),
        (_json2(422, "odoo.exceptions.UserError"), errors.RejectedError),
        (_json2(404, "odoo.exceptions.MissingError"), errors.NotFoundError),
        (_json2(409, "odoo.exceptions.LockError"), errors.UnavailableError),
        (_json2(500, "psycopg2.errors.SerializationFailure"), errors.UnavailableError),
        (_json2(500, "odoo.addons.x.SomethingElse"), errors.UnavailableError),
        (_json2(429, None, **{"retry-after": "3"}), errors.RateLimitedError),
        (_json2(503, None), errors.UnavailableError),
        (_json2(500, None), errors.UnavailableError),
        (_json2(502, None), errors.AmbiguousWriteError),
        (_json2(504, None), errors.AmbiguousWriteError),
        (_json2(409, None), errors.UnavailableError),
        (_json2(401, None), errors.AuthError),
        (_json2(403, None), errors.AuthError),
        (_json2(404, None), errors.NotFoundError),
        (_json2(415, None), errors.RejectedError),
    ],
)
def test_http_statuses(response: httpx.Response, cls: type[errors.ConnectorError]) -> None:
    exc = faults.http_status_error(SITE, response)
    assert type(exc) is cls
    assert exc.details["status"] == response.status_code


def test_gateway_errors_on_reads_are_not_ambiguous() -> None:
    assert type(faults.http_status_error(READ, _json2(504, None))) is errors.UnavailableError


def test_rate_limit_keeps_retry_after() -> None:
    exc = faults.http_status_error(SITE, _json2(429, None, **{"retry-after": "7"}))
    assert isinstance(exc, errors.RateLimitedError)
    assert exc.retry_after == 7.0


def test_html_bodies_are_reduced_to_text() -> None:
    exc = faults.http_status_error(SITE, _json2(502, None))
    assert "<html>" not in exc.message
    assert "Bad gateway" in exc.message


@pytest.mark.parametrize(
    ("code", "text", "cls", "remote"),
    [
        (4, "You are not allowed to create 'Sales Order'", errors.AuthError, "AccessError"),
        (3, "Access Denied", errors.AuthError, "AccessDenied"),
        (2, "The partner is required", errors.RejectedError, "UserError"),
        (
            2,
            "Record does not exist or has been deleted.\n(Record: sale.order(99,), User: 7)",
            errors.NotFoundError,
            "MissingError",
        ),
    ],
)
def test_xmlrpc_fault_codes(
    code: int, text: str, cls: type[errors.ConnectorError], remote: str
) -> None:
    exc = faults.xmlrpc_fault(SITE, code, text)
    assert type(exc) is cls
    assert exc.details["remote_type"] == f"odoo.exceptions.{remote}"
    assert exc.details["fault_code"] == code
    assert exc.message == text.strip()


TRACEBACK = """Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, in retrying
    result = func()
  File "/usr/lib/python3/dist-packages/odoo/http.py", line 2029, in _serve_db
    return service_model.retrying(self._serve_ir_http, self.env)
psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update
"""


def test_xmlrpc_fault_1_is_read_from_the_traceback() -> None:
    exc = faults.xmlrpc_fault(SITE, 1, TRACEBACK)
    assert type(exc) is errors.UnavailableError
    assert exc.details["remote_type"] == "psycopg2.errors.SerializationFailure"
    assert exc.message == "could not serialize access due to concurrent update"


def test_parse_traceback_multiline_and_builtins() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "    g()\n"
        "ValueError: External ID not found in the system: a.b\n"
        "second line\n"
    )
    assert faults.parse_traceback(text) == (
        "builtins.ValueError",
        "External ID not found in the system: a.b\nsecond line",
    )
    assert faults.parse_traceback("plain text") == ("builtins.Exception", "plain text")


def test_none_marshal_fault_is_recognised() -> None:
    text = TRACEBACK.replace(
        "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update",
        "TypeError: cannot marshal None unless allow_none is enabled",
    )
    assert faults.is_none_marshal_fault(1, text)
    assert not faults.is_none_marshal_fault(2, text)
    assert not faults.is_none_marshal_fault(1, TRACEBACK)


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        (
            {
                "code": 200,
                "message": "Odoo Server Error",
                "data": {"name": "odoo.exceptions.ValidationError", "message": "bad"},
            },
            errors.RejectedError,
        ),
        (
            {
                "code": 0,
                "message": "Odoo Server Error",
                "data": {"name": "odoo.exceptions.MissingError", "message": "gone"},
            },
            errors.NotFoundError,
        ),
        ({"code": 404, "message": "404: Not Found"}, errors.NotFoundError),
        ({"code": 100, "message": "Odoo Session Expired"}, errors.AuthError),
    ],
)
def test_jsonrpc_errors(error: dict[str, object], cls: type[errors.ConnectorError]) -> None:
    assert type(faults.jsonrpc_error(SITE, error)) is cls


@pytest.mark.parametrize(
    ("exc", "site", "cls"),
    [
        (httpx.ConnectError("refused"), SITE, errors.UnavailableError),
        (httpx.ConnectTimeout("slow"), SITE, errors.UnavailableError),
        (httpx.ReadTimeout("slow"), SITE, errors.AmbiguousWriteError),
        (httpx.RemoteProtocolError("dropped"), SITE, errors.AmbiguousWriteError),
        (httpx.ReadError("reset"), SITE, errors.AmbiguousWriteError),
        (httpx.ReadTimeout("slow"), READ, errors.UnavailableError),
        (httpx.RemoteProtocolError("dropped"), READ, errors.UnavailableError),
    ],
)
def test_transport_errors(
    exc: httpx.TransportError, site: faults.CallSite, cls: type[errors.ConnectorError]
) -> None:
    mapped = faults.transport_error(site, exc)
    assert type(mapped) is cls
    assert mapped.failure_class == errors.FailureClass.TRANSIENT


def test_secret_is_scrubbed_from_messages() -> None:
    exc = faults.remote_error(SITE, "builtins.TypeError", "bad args ['l2c', 7, 's3cr3t-key']")
    assert "s3cr3t-key" not in str(exc)
    assert "**********" in exc.message


def test_call_site_never_shows_the_secret() -> None:
    from lead2cash.connectors.odoo.faults import CallSite

    site = CallSite("json2", "res.partner", "read", secret="0123456789abcdef-api-key")
    assert "0123456789abcdef" not in repr(site)
