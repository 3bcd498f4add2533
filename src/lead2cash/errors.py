"""Every error lead2cash raises, in one hierarchy.

Each class carries the *failure class* of DESIGN.md ("Every failure is classified"), and the
failure class decides the route a job takes when its handler raises it (``engine/outcomes.py``)::

    Lead2CashError                          [internal]  a bug: exception queue, fixed and replayed
    ├── ConfigError                         [config]    bad settings, mapping file, missing module
    ├── ValidationError(field, rule)        [validation] a person fixes the payload or mapping
    │   └── MappingError                    [validation] a record that cannot be mapped
    ├── MissingReferenceError(reference)    [missing_reference] parked until the reference is bound
    ├── ConflictError                       [conflict]  changed in both places
    │   └── LockedError                     [locked]    already invoiced, closed period
    ├── ConnectorError(system, operation, status, request_id, remote_type)
    │   ├── TransientError                  [transient] retried with backoff, then dead
    │   │   ├── RateLimitedError(retry_after) [rate_limited] waits, not a failed attempt
    │   │   └── UnavailableError            [transient] 5xx, timeout, network, serialization
    │   │       └── AmbiguousWriteError     [transient] outcome unknown: read back first
    │   └── PermanentError
    │       ├── AuthError                   [auth]      401/403/access rights: circuit opens
    │       ├── NotFoundError               [missing_reference] (also a MissingReferenceError)
    │       ├── RejectedError               [validation] other 4xx, Odoo ValidationError/UserError
    │       └── RemoteConflictError         [conflict]  (also a ConflictError)
    └── StoreError                          [transient] the hub's own database
        └── ConcurrencyError                [transient] lost a race; try again

Signals that are not errors live in ``engine`` (``JobRetry``). Third-party exceptions (httpx,
SQLAlchemy, Odoo faults) are translated only in boundary modules, with ``raise ... from exc``.
Every class is pickleable (workers may run in other processes) and its docstring is its default
message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class FailureClass(StrEnum):
    """The failure classes of DESIGN.md, plus ``internal`` for unexpected exceptions."""

    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    MISSING_REFERENCE = "missing_reference"
    VALIDATION = "validation"
    CONFLICT = "conflict"
    LOCKED = "locked"
    AUTH = "auth"
    CONFIG = "config"
    INTERNAL = "internal"


class Lead2CashError(Exception):
    """lead2cash failed."""

    failure_class: ClassVar[FailureClass] = FailureClass.INTERNAL

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or (self.__doc__ or "").strip().splitlines()[0]
        self.details: dict[str, Any] = {k: v for k, v in details.items() if v is not None}
        super().__init__(self.message)

    def attrs(self) -> dict[str, Any]:
        """Structured fields for logs, job rows and API answers."""
        return {"error": type(self).__name__, "failure_class": str(self.failure_class)} | {
            k: v if isinstance(v, str | int | float | bool) else str(v)
            for k, v in self.details.items()
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.details))

    def __str__(self) -> str:
        if not self.details:
            return self.message
        extra = ", ".join(f"{k}={v}" for k, v in sorted(self.details.items()))
        return f"{self.message} ({extra})"


def _rebuild(cls: type[Lead2CashError], message: str, details: dict[str, Any]) -> Lead2CashError:
    return cls(message, **details)


class ConfigError(Lead2CashError):
    """The configuration is invalid; fix it and restart."""

    failure_class = FailureClass.CONFIG


class ValidationError(Lead2CashError):
    """The record breaks a rule; fix the payload or the mapping, then replay."""

    failure_class = FailureClass.VALIDATION

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        rule: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, field=field, rule=rule, **details)


class MappingError(ValidationError):
    """The record cannot be mapped to the canonical model."""


class MissingReferenceError(Lead2CashError):
    """A record this one refers to is not synced yet; the job waits for it."""

    failure_class = FailureClass.MISSING_REFERENCE

    def __init__(
        self, message: str | None = None, *, reference: str | None = None, **details: Any
    ) -> None:
        super().__init__(message, reference=reference, **details)

    @property
    def reference(self) -> str | None:
        """The binding key (``system:type:external_id``) whose arrival wakes the job."""
        value = self.details.get("reference")
        return None if value is None else str(value)


class ConflictError(Lead2CashError):
    """The record changed in two places; a person decides which wins."""

    failure_class = FailureClass.CONFLICT


class LockedError(ConflictError):
    """The target is locked (already invoiced, or in a closed period)."""

    failure_class = FailureClass.LOCKED


class ConnectorError(Lead2CashError):
    """An external system failed."""

    def __init__(
        self,
        message: str | None = None,
        *,
        system: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        remote_type: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(
            message,
            system=system,
            operation=operation,
            status=status,
            request_id=request_id,
            remote_type=remote_type,
            **details,
        )

    @property
    def system(self) -> str | None:
        """The external system (``odoo``, ``hubspot`` ...) that failed."""
        value = self.details.get("system")
        return None if value is None else str(value)


class TransientError(ConnectorError):
    """The external system failed for now; retry later."""

    failure_class = FailureClass.TRANSIENT


class RateLimitedError(TransientError):
    """The external system asked us to slow down."""

    failure_class = FailureClass.RATE_LIMITED

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, **details: Any
    ) -> None:
        super().__init__(message, retry_after=retry_after, **details)

    @property
    def retry_after(self) -> float | None:
        """Seconds the system told us to wait, when it said."""
        value = self.details.get("retry_after")
        return None if value is None else float(value)


class UnavailableError(TransientError):
    """The external system is unavailable (5xx, timeout, network, lock)."""


class AmbiguousWriteError(UnavailableError):
    """A write may or may not have happened; read back before retrying."""


class PermanentError(ConnectorError):
    """The external system refused the request; retrying the same request will not help."""

    failure_class = FailureClass.VALIDATION


class AuthError(PermanentError):
    """The credentials were refused or lack an access right; fix them."""

    failure_class = FailureClass.AUTH


class NotFoundError(PermanentError, MissingReferenceError):
    """The external record does not exist."""

    failure_class = FailureClass.MISSING_REFERENCE


class RejectedError(PermanentError, ValidationError):
    """The external system rejected the data."""

    failure_class = FailureClass.VALIDATION


class RemoteConflictError(PermanentError, ConflictError):
    """The external system reports a conflicting change."""

    failure_class = FailureClass.CONFLICT


class StoreError(Lead2CashError):
    """The hub's own database failed."""

    failure_class = FailureClass.TRANSIENT


class ConcurrencyError(StoreError):
    """Another process changed the same row first; try again."""


def classify(exc: BaseException) -> FailureClass:
    """The failure class of any exception: ours carry it, anything else is ``internal``."""
    if isinstance(exc, Lead2CashError):
        return exc.failure_class
    return FailureClass.INTERNAL
