"""The exceptions the emulated Odoo raises, each knowing how every protocol reports it.

Odoo's own classes (``odoo/exceptions.py``, 17-19) and the foreign ones that reach its RPC
layer (Python built-ins, ``psycopg2.errors.*``, ``werkzeug.exceptions.*``) are mirrored by
:class:`OdooError` subclasses carrying:

- ``odoo_name``: the dotted class name that JSON-RPC ``error.data.name`` and the JSON-2 body's
  ``name`` show (``serialize_exception``);
- ``xmlrpc_code``: the ``/xmlrpc/2`` fault code (``xmlrpc_handle_exception_int``): 2 for
  UserError/ValidationError/MissingError/RedirectWarning (message only), 3 AccessDenied,
  4 AccessError, 1 anything else with the formatted traceback as the fault string;
- ``http_status``: the JSON-2 status (``Json2Dispatcher.handle_error``).
"""

from __future__ import annotations

from typing import Any, ClassVar

_FRAMES = (
    '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, in retrying\n'
    "    result = func()\n"
    '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 92, in call_kw\n'
    "    result = method(recs, *args, **kwargs)\n"
)


class OdooError(Exception):
    """An exception raised inside the emulated server."""

    odoo_name: str = "builtins.Exception"
    xmlrpc_code: ClassVar[int] = 1
    http_status: int = 500

    def __init__(self, message: str, *extra: Any) -> None:
        super().__init__(message, *extra)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def arguments(self) -> list[Any]:
        return list(self.args)

    @property
    def printed_name(self) -> str:
        """The class name as a traceback prints it (built-ins without their module)."""
        name = self.odoo_name
        return name.removeprefix("builtins.")

    def traceback(self) -> str:
        """A formatted traceback ending like Python's, as Odoo sends it in ``debug``."""
        return f"Traceback (most recent call last):\n{_FRAMES}{self.printed_name}: {self.message}\n"


# -- odoo.exceptions -------------------------------------------------------------------------


class UserError(OdooError):
    odoo_name = "odoo.exceptions.UserError"
    xmlrpc_code = 2
    http_status = 422


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    xmlrpc_code = 4
    http_status = 403


class AccessDenied(UserError):
    """Bad credentials; its traceback is suppressed (``suppress_traceback``)."""

    odoo_name = "odoo.exceptions.AccessDenied"
    xmlrpc_code = 3
    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)

    def traceback(self) -> str:
        return f"{self.printed_name}: {self.message}\n"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class LockError(UserError):
    odoo_name = "odoo.exceptions.LockError"
    http_status = 409


class RedirectWarning(OdooError):
    """Not a UserError: JSON-2 answers 500; ``/xmlrpc/2`` still uses code 2."""

    odoo_name = "odoo.exceptions.RedirectWarning"
    xmlrpc_code = 2
    http_status = 500


class SessionExpired(OdooError):
    odoo_name = "odoo.http.SessionExpiredException"
    http_status = 403


# -- Python, PostgreSQL and HTTP errors --------------------------------------------------------


class PythonError(OdooError):
    """A built-in Python exception (ValueError, TypeError, KeyError ...) raised by Odoo code."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.odoo_name = f"builtins.{kind}"


class DatabaseError(OdooError):
    """A ``psycopg2`` error that escaped Odoo's retries (serialization failure, deadlock ...)."""

    def __init__(self, kind: str, message: str, module: str = "psycopg2.errors") -> None:
        super().__init__(message)
        self.kind = kind
        self.odoo_name = f"{module}.{kind}"


SERIALIZATION_FAILURE = (
    "SerializationFailure",
    "could not serialize access due to concurrent update",
)
DATABASE_FAULTS: dict[str, tuple[str, str]] = {
    "serialization_failure": SERIALIZATION_FAILURE,
    "deadlock": ("DeadlockDetected", "deadlock detected"),
    "lock_not_available": (
        "LockNotAvailable",
        'could not obtain lock on row in relation "res_partner"',
    ),
}


class HttpError(OdooError):
    """A ``werkzeug.exceptions`` HTTP error (JSON-2 and route-level failures)."""

    def __init__(self, status: int, kind: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.kind = kind
        self.odoo_name = f"werkzeug.exceptions.{kind}"
        self.http_status = status

    @property
    def arguments(self) -> list[Any]:
        return [self.message, self.status]


def not_found(description: str) -> HttpError:
    return HttpError(404, "NotFound", description)


def unprocessable(description: str) -> HttpError:
    return HttpError(422, "UnprocessableEntity", description)


def bad_request(description: str) -> HttpError:
    return HttpError(400, "BadRequest", description)


def unauthorized(description: str) -> HttpError:
    return HttpError(401, "Unauthorized", description)


def value_error(message: str) -> PythonError:
    return PythonError("ValueError", message)


def type_error(message: str) -> PythonError:
    return PythonError("TypeError", message)


class IntegrityViolation(Exception):
    """A SQL constraint violation inside the ORM (NOT NULL, UNIQUE).

    Over RPC, Odoo's ``retrying`` turns it into a ValidationError "The operation cannot be
    completed: ..."; ``load`` reports it per row with the field name.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_validation_error(self) -> ValidationError:
        return ValidationError(f"The operation cannot be completed: {self.message}")


def serialize(exc: OdooError, major: int) -> dict[str, Any]:
    """``odoo.http.serialize_exception``: the ``data`` of JSON-RPC errors and the JSON-2 body."""
    if major <= 17:
        return {
            "name": exc.odoo_name,
            "debug": exc.traceback(),
            "message": exc.message,
            "arguments": exc.arguments,
            "context": {},
        }
    return {
        "name": exc.odoo_name,
        "message": exc.message,
        "arguments": exc.arguments,
        "context": {},
        "debug": exc.traceback(),
    }
