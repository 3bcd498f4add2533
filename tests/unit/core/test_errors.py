"""The error hierarchy: classes, structured fields, pickling."""

from __future__ import annotations

import pickle

import pytest

from lead2cash import errors


def test_docstring_is_the_default_message() -> None:
    assert (
        str(errors.LockedError())
        == "The target is locked (already invoiced, or in a closed period)."
    )


def test_connector_errors_keep_their_context() -> None:
    exc = errors.RateLimitedError(
        "slow down", system="hubspot", operation="search", status=429, retry_after=10
    )
    assert exc.retry_after == 10.0
    assert exc.system == "hubspot"
    assert exc.attrs() == {
        "error": "RateLimitedError",
        "failure_class": "rate_limited",
        "system": "hubspot",
        "operation": "search",
        "status": 429,
        "retry_after": 10,
    }


@pytest.mark.parametrize(
    "exc",
    [
        errors.ValidationError("bad", field="currency", rule="iso4217"),
        errors.NotFoundError("gone", system="odoo", status=404, reference="odoo:res.partner:1"),
        errors.RejectedError("no", system="odoo", field="name"),
        errors.RateLimitedError(retry_after=3, system="harvest"),
    ],
)
def test_errors_pickle_with_their_details(exc: errors.Lead2CashError) -> None:
    clone = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own object
    assert type(clone) is type(exc)
    assert clone.details == exc.details
    assert str(clone) == str(exc)


def test_mixed_classes_are_caught_by_both_parents() -> None:
    exc = errors.NotFoundError(reference="a:b:c")
    assert isinstance(exc, errors.MissingReferenceError)
    assert isinstance(exc, errors.ConnectorError)
    assert exc.reference == "a:b:c"
    assert isinstance(errors.RejectedError(), errors.ValidationError)
    assert errors.classify(errors.RemoteConflictError()) is errors.FailureClass.CONFLICT
    assert errors.classify(ValueError()) is errors.FailureClass.INTERNAL
