"""SalesforceSettings validation, the wire helpers (JSON without floats, SOQL literals), and
Sforce-Limit-Info parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lead2cash.connectors.salesforce import SalesforceSettings, parse_limit_info, wire
from lead2cash.connectors.salesforce.writeback import InvoiceFeedback, feedback_values

JWT = {"client_id": "ck", "username": "u@example.com", "private_key": "-----BEGIN..."}


def test_each_flow_needs_its_credentials() -> None:
    SalesforceSettings(**JWT)
    with pytest.raises(ValidationError, match="JWT bearer flow needs client_id and username"):
        SalesforceSettings(client_id="ck", private_key="k")
    with pytest.raises(ValidationError, match="one of private_key, private_key_file"):
        SalesforceSettings(client_id="ck", username="u")
    with pytest.raises(ValidationError, match="one of private_key, private_key_file"):
        SalesforceSettings(**JWT, private_key_file="k.pem")
    SalesforceSettings(auth_flow="client_credentials", client_id="ck", client_secret="s")
    with pytest.raises(ValidationError, match="client_id and client_secret"):
        SalesforceSettings(auth_flow="client_credentials", client_id="ck")
    SalesforceSettings(
        auth_flow="access_token", access_token="t", instance_url="https://x.my.salesforce.com"
    )
    with pytest.raises(ValidationError, match="access_token and instance_url"):
        SalesforceSettings(auth_flow="access_token", access_token="t")


def test_values_are_normalised() -> None:
    settings = SalesforceSettings(
        **JWT, api_version="v64.0", login_url="https://test.salesforce.com/"
    )
    assert settings.api_version == "64.0"
    assert settings.data_path == "/services/data/v64.0"
    assert settings.login_url == "https://test.salesforce.com"
    assert settings.token_url == "https://test.salesforce.com/services/oauth2/token"
    assert settings.jwt_audience == "https://test.salesforce.com"
    my_domain = SalesforceSettings(**JWT, login_url="https://acme.my.salesforce.com")
    assert my_domain.jwt_audience == "https://login.salesforce.com"
    for bad in (
        {"api_version": "62"},
        {"login_url": "acme.my.salesforce.com"},
        {"login_url": "https://x.com/path"},
        {"query_batch_size": 100},
        {"opportunity_fields": ("Bad Field",)},
        {"currency": "eur"},
    ):
        with pytest.raises(ValidationError):
            SalesforceSettings(**JWT | bad)


def test_secrets_stay_hidden() -> None:
    settings = SalesforceSettings(
        auth_flow="client_credentials", client_id="ck", client_secret="super-secret"
    )
    assert "super-secret" not in repr(settings)
    assert "super-secret" not in str(settings.redacted())


def test_json_bodies_carry_exact_numbers() -> None:
    body = {
        "Amount": Decimal("12345678901234567.89"),
        "Paid__c": Decimal("0.10"),
        "Close": date(2026, 3, 1),
        "At": datetime(2026, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=1))),
        "Flag": True,
        "Nothing": None,
        "List": ["a", 1],
    }
    assert wire.dumps(body) == (
        b'{"Amount":12345678901234567.89,"Paid__c":0.10,"Close":"2026-03-01",'
        b'"At":"2026-03-01T10:00:00.000Z","Flag":true,"Nothing":null,"List":["a",1]}'
    )
    with pytest.raises(TypeError):
        wire.dumps({"x": 1.5})
    with pytest.raises(ValueError, match="timezone-aware"):
        wire.dumps({"x": datetime(2026, 1, 1)})
    assert wire.loads(b'{"a": 1.10}') == {"a": Decimal("1.10")}


def test_soql_literals() -> None:
    assert wire.soql_string("O'Brien \\ co\n") == "'O\\'Brien \\\\ co\\n'"
    at = datetime(2026, 3, 1, 11, 0, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert wire.soql_datetime(at) == "2026-03-01T10:00:05Z"
    assert wire.iso_param(at) == "2026-03-01T10:00:05+00:00"
    assert wire.parse_datetime("2026-03-01T10:00:00.000+0000") == datetime(
        2026, 3, 1, 10, tzinfo=UTC
    )
    assert wire.parse_datetime("2026-03-01T12:00:00+02:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="without a zone"):
        wire.parse_datetime("2026-03-01T10:00:00")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("api-usage=18/5000", (18, 5000)),
        ("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-app)", (25, 5000)),
        ("per-app-api-usage=17/250(appName=x); api-usage=3/15000", (3, 15000)),
        ("api-usage=10018/100000; api-bursts=1/750", (10018, 100000)),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_limit_info(header, expected) -> None:
    usage = parse_limit_info(header)
    assert (None if usage is None else (usage.used, usage.limit)) == expected


def test_feedback_values_use_the_configured_fields() -> None:
    settings = SalesforceSettings(**JWT, feedback={"payment_date": "Paid_On__c"})
    values = feedback_values(
        settings.feedback,
        InvoiceFeedback("paid", "INV/1", Decimal("10.00"), Decimal("10.00"), date(2026, 3, 2)),
    )
    assert values == {
        "Odoo_Invoice_Status__c": "paid",
        "Odoo_Invoice_Number__c": "INV/1",
        "Odoo_Amount_Paid__c": Decimal("10.00"),
        "Paid_On__c": date(2026, 3, 2),
    }
