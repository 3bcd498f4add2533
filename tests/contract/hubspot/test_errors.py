"""HubSpot's answers become the hub's errors: 401/403 → AuthError, 404 → NotFoundError, other
4xx → RejectedError, 409 → RemoteConflictError, 5xx/timeouts/dropped connections →
UnavailableError (after the retries), 429 → RateLimitedError(retry_after). HubSpot's
``correlationId`` becomes the error's ``request_id``."""

from __future__ import annotations

import time

import pytest

from lead2cash import errors
from lead2cash.connectors.hubspot import HubSpotSettings
from lead2cash.emulators.hubspot.control import fault_rule


def test_a_wrong_token_is_an_auth_error_and_not_retried(target) -> None:
    target.seed_portal(deals=1)
    client = target.client(token="pat-na1-wrong")
    with pytest.raises(errors.AuthError) as refused:
        client.get_object("deals", "401")
    assert refused.value.details["status"] == 401
    assert refused.value.details["remote_type"] == "INVALID_AUTHENTICATION"
    assert "pat-na1-wrong" not in str(refused.value)
    assert len(target.calls()) == 1


def test_a_missing_scope_is_an_auth_error(target) -> None:
    state = target.emulator()
    target.seed_portal(deals=1)
    state.plan.add(fault_rule({"kind": "status", "status": 403}))
    with pytest.raises(errors.AuthError):
        target.client().get_object("deals", "401")


def test_a_missing_record_is_not_found_with_the_correlation_id(target) -> None:
    target.seed_portal(deals=1)
    answers = []
    target.after_response.append(answers.append)
    with pytest.raises(errors.NotFoundError) as missing:
        target.client().get_object("deals", "999999")
    assert missing.value.failure_class == errors.FailureClass.MISSING_REFERENCE
    assert missing.value.details["request_id"] == answers[-1].json()["correlationId"]
    assert missing.value.details["remote_type"] == "OBJECT_NOT_FOUND"
    assert "Object not found" in missing.value.message


def test_an_unknown_property_is_rejected(target) -> None:
    target.writable()
    target.seed_portal(deals=1)
    with pytest.raises(errors.RejectedError) as refused:
        target.client().update_object("deals", "401", {"no_such_property": "1"})
    assert refused.value.details["remote_type"] == "VALIDATION_ERROR"
    assert "PROPERTY_DOESNT_EXIST" in refused.value.message


def test_a_taken_unique_value_is_a_conflict(target) -> None:
    target.writable()
    target.seed_portal(deals=2)
    client = target.client()
    client.update_object("deals", "401", {"odoo_ref": "SO001"})
    with pytest.raises(errors.RemoteConflictError):
        client.update_object("deals", "402", {"odoo_ref": "SO001"})
    found = client.get_object("deals", "SO001", id_property="odoo_ref", properties=["dealname"])
    assert found.id == "401"


def test_server_errors_are_retried_then_unavailable(target) -> None:
    state = target.emulator()
    target.seed_portal(deals=1)
    state.plan.add(fault_rule({"kind": "status", "status": 502, "count": 2}))
    assert target.client().get_object("deals", "401").id == "401"
    assert [c.status for c in target.calls()] == [502, 502, 200]
    target.clear_calls()
    state.plan.add(fault_rule({"kind": "status", "status": 503, "count": 5}))
    with pytest.raises(errors.UnavailableError):
        target.client(max_attempts=3).get_object("deals", "401")
    assert [c.status for c in target.calls()] == [503, 503, 503]


def test_a_dropped_connection_is_unavailable_then_retried(target) -> None:
    state = target.emulator()
    target.seed_portal(deals=1)
    state.plan.add(fault_rule({"kind": "drop", "count": 1}))
    assert target.client().get_object("deals", "401").id == "401"
    state.plan.add(fault_rule({"kind": "drop", "count": 2}))
    with pytest.raises(errors.UnavailableError):
        target.client(max_attempts=2).get_object("deals", "401")


def test_a_timeout_is_unavailable(target) -> None:
    state = target.emulator()
    target.seed_portal(deals=1)
    state.plan.add(fault_rule({"kind": "latency", "latency": 0.3, "count": 1}))
    with pytest.raises(errors.UnavailableError) as slow:
        target.client(timeout=0.1, max_attempts=1).get_object("deals", "401")
    assert "timed out" in slow.value.message
    time.sleep(0.3)  # let the emulator finish the call, so no later test sees it
    assert [c.status for c in target.calls()] == [200]


def test_a_limit_above_200_cannot_be_sent() -> None:
    from pydantic import ValidationError

    from lead2cash.connectors.hubspot import wire

    with pytest.raises(ValidationError):
        wire.SearchRequest(limit=201)
    with pytest.raises(ValidationError):
        HubSpotSettings(token="t", search_page_size=201)
