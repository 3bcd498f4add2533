"""The emulated /services/oauth2/token: JWT bearer (signed as simple-salesforce and the
connector sign it) and client credentials, and the OAuth error bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lead2cash.emulators.salesforce.store import INTEGRATION_USERNAME

TOKEN = "/services/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _assertion(private_pem: str, creds, **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "iss": creds.client_id,
        "sub": INTEGRATION_USERNAME,
        "aud": "https://login.salesforce.com",
        # simple-salesforce sends exp as a string of seconds; the emulator takes both.
        "exp": f"{time.time() + 180:.0f}",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private_pem, algorithm="RS256")


def _grant(base_url: str, assertion: str) -> httpx.Response:
    return httpx.post(f"{base_url}{TOKEN}", data={"grant_type": JWT_GRANT, "assertion": assertion})


def test_jwt_bearer_issues_a_working_session(
    base_url, state, creds, public_pem, private_pem
) -> None:
    state.register_key(public_pem)
    answer = _grant(base_url, _assertion(private_pem, creds))
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "instance_url", "id", "token_type", "scope"}
    assert body["instance_url"] == base_url
    assert body["token_type"] == "Bearer"
    assert body["access_token"].startswith("00D")
    assert "!" in body["access_token"]
    assert body["id"].startswith(f"{base_url}/id/00D")
    limits = httpx.get(
        f"{base_url}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert limits.status_code == 200
    # Every grant is a new session; the old ones stay valid.
    again = _grant(base_url, _assertion(private_pem, creds, exp=int(time.time()) + 60)).json()
    assert again["access_token"] != body["access_token"]


def test_a_certificate_can_be_registered(base_url, control, creds, rsa_key, private_pem) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lead2cash")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(rsa_key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert control.post("/jwt_keys", json={"public_key": pem}).json() == {"keys": 1}
    assert _grant(base_url, _assertion(private_pem, creds)).status_code == 200
    assert control.post("/jwt_keys", json={"public_key": "nope"}).status_code == 422


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"aud": "https://example.com"}, "invalid_grant", "audience is invalid"),
        ({"exp": int(time.time()) - 10}, "invalid_grant", "expired authorization code"),
        ({"exp": None}, "invalid_grant", "invalid assertion"),
        ({"sub": "nobody@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
    ],
)
def test_jwt_refusals(
    base_url, state, creds, public_pem, private_pem, overrides, error, description
) -> None:
    state.register_key(public_pem)
    answer = _grant(base_url, _assertion(private_pem, creds, **overrides))
    assert answer.status_code == 400
    assert answer.json() == {"error": error, "error_description": description}


def test_an_unregistered_key_or_garbage_is_an_invalid_assertion(
    base_url, state, creds, public_pem
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    state.register_key(public_pem)
    for assertion in (_assertion(other_pem, creds), "not.a.jwt"):
        answer = _grant(base_url, assertion)
        assert answer.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}
    missing = httpx.post(f"{base_url}{TOKEN}", data={"grant_type": JWT_GRANT})
    assert missing.json()["error"] == "invalid_request"


def test_client_credentials(base_url, state, creds) -> None:
    body = {"grant_type": "client_credentials", "client_id": creds.client_id}
    ok = httpx.post(f"{base_url}{TOKEN}", data=body | {"client_secret": creds.client_secret})
    assert ok.status_code == 200
    answer = ok.json()
    assert answer["token_format"] == "opaque"
    expected = base64.b64encode(
        hmac.new(
            creds.client_secret.encode(),
            (answer["id"] + answer["issued_at"]).encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    assert answer["signature"] == expected
    basic = httpx.post(
        f"{base_url}{TOKEN}",
        data={"grant_type": "client_credentials"},
        auth=(creds.client_id, creds.client_secret),
    )
    assert basic.status_code == 200
    wrong = httpx.post(f"{base_url}{TOKEN}", data=body | {"client_secret": "x"})
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_unsupported_grants(base_url, state) -> None:
    answer = httpx.post(f"{base_url}{TOKEN}", data={"grant_type": "password"})
    assert answer.json() == {
        "error": "unsupported_grant_type",
        "error_description": "grant type not supported",
    }


def test_the_instance_url_can_be_configured(base_url, state, creds) -> None:
    state.configure({"instance_url": "https://acme.my.salesforce.com/"})
    body = {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
    }
    answer = httpx.post(f"{base_url}{TOKEN}", data=body).json()
    assert answer["instance_url"] == "https://acme.my.salesforce.com"
