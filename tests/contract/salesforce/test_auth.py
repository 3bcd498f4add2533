"""Sessions: JWT bearer and client credentials through the connector, the token answer's
instance_url used from then on, and one refresh on 401 INVALID_SESSION_ID."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from lead2cash import errors
from lead2cash.connectors.salesforce import jwt_assertion
from lead2cash.emulators.faults import FaultRule

TOKEN_PATH = "/services/oauth2/token"


def _token_forms(target) -> list[dict[str, str]]:
    return [
        {k: v[0] for k, v in parse_qs(r.content.decode()).items()}
        for r in target.requests
        if r.url.path == TOKEN_PATH
    ]


def test_jwt_bearer_flow_gets_a_session_and_reads(target) -> None:
    client = target.client()
    versions = client.versions()
    assert any(v.version == client.settings.api_version for v in versions)
    assert client.limits()["DailyApiRequests"]["Max"] > 0
    assert client.sessions_fetched == 1
    forms = _token_forms(target)
    assert len(forms) == 1
    assert forms[0]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert forms[0]["assertion"].count(".") == 2
    assert client.api_usage is not None
    assert client.api_usage.used >= 1


def test_the_assertion_carries_the_documented_claims(target) -> None:
    settings = target.client().settings
    if settings.auth_flow != "jwt_bearer":
        pytest.skip("the live target signs in with client credentials")
    assertion = jwt_assertion(settings, now=1_800_000_000)
    assert jwt.get_unverified_header(assertion)["alg"] == "RS256"
    claims = jwt.decode(assertion, options={"verify_signature": False})
    assert claims == {
        "iss": settings.client_id,
        "sub": settings.username,
        "aud": "https://login.salesforce.com",
        "exp": 1_800_000_000 + 180,
    }


def test_client_credentials_flow(target) -> None:
    target.emulator()
    client = target.client(
        auth_flow="client_credentials",
        client_secret=target.client_secret,
        private_key=None,
    )
    assert client.versions()
    assert list(client.query("SELECT Id, Name FROM Account")) == []
    forms = _token_forms(target)
    assert forms[-1]["grant_type"] == "client_credentials"
    assert forms[-1]["client_id"] == client.settings.client_id


def test_a_wrong_client_secret_is_an_auth_error(target) -> None:
    target.emulator()
    client = target.client(
        auth_flow="client_credentials", client_secret="not-the-secret", private_key=None
    )
    with pytest.raises(errors.AuthError) as caught:
        client.versions()
    assert caught.value.details["remote_type"] == "invalid_client"
    assert "not-the-secret" not in str(caught.value)


def test_an_unregistered_key_is_an_auth_error(target) -> None:
    state = target.emulator()
    state.jwt_keys.clear()
    with pytest.raises(errors.AuthError) as caught:
        target.client().authenticate()
    assert caught.value.details["remote_type"] == "invalid_grant"


def test_an_unknown_user_is_refused(target) -> None:
    target.emulator()
    with pytest.raises(errors.AuthError, match="approved"):
        target.client(username="nobody@example.com").authenticate()


def test_the_instance_url_of_the_token_answer_is_used_from_then_on(target) -> None:
    state = target.emulator()
    # Same server, another host name: calls must leave login_url (127.0.0.1) for it.
    instance = target.url.replace("127.0.0.1", "localhost")
    state.configure({"instance_url": instance})
    client = target.client()
    list(client.query("SELECT Id FROM Account"))
    client.limits()
    assert client.instance_url == instance
    hosts = [(r.url.host, r.url.path) for r in target.requests]
    assert hosts[0] == ("127.0.0.1", TOKEN_PATH)
    assert {h for h, _ in hosts[1:]} == {"localhost"}


def test_an_expired_session_is_refreshed_once(target) -> None:
    state = target.emulator()
    client = target.client()
    client.limits()
    first = client.session()
    state.expire_sessions()
    assert client.limits()["DailyApiRequests"]["Max"] > 0
    assert client.sessions_fetched == 2
    assert client.session() is not first
    statuses = [(c.path, c.status) for c in target.calls()]
    assert statuses[-3:] == [
        ("/services/data/v62.0/limits", 401),
        (TOKEN_PATH, 200),
        ("/services/data/v62.0/limits", 200),
    ]


def test_a_second_invalid_session_is_an_auth_error(target) -> None:
    state = target.emulator()
    client = target.client()
    client.limits()
    state.plan.add(
        FaultRule(
            "status",
            count=2,
            path_prefix="/services/data/",
            status=401,
            body='[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]',
        )
    )
    with pytest.raises(errors.AuthError) as caught:
        client.limits()
    assert caught.value.details["remote_type"] == "INVALID_SESSION_ID"
    assert client.sessions_fetched == 2  # refreshed exactly once
    paths = [c.path for c in target.calls()]
    assert paths.count(TOKEN_PATH) == 2


def test_the_access_token_flow_cannot_refresh(target) -> None:
    state = target.emulator()
    client = target.client(
        auth_flow="access_token",
        access_token=target.access_token,
        instance_url=target.url,
        private_key=None,
    )
    assert client.limits()
    state.expire_sessions()
    with pytest.raises(errors.AuthError):
        client.limits()
    assert [r.url.path for r in target.requests].count(TOKEN_PATH) == 0


def test_the_client_repr_and_errors_hold_no_secret(target) -> None:
    client = target.client()
    client.authenticate()
    token = client.session().access_token.get_secret_value()
    assert token not in repr(client)
    assert token not in repr(client.session())
    assert "PRIVATE KEY" not in repr(client.settings)


def test_refused_paths_keep_the_session_home(target) -> None:
    client = target.client()
    with pytest.raises(errors.ConnectorError, match="outside"):
        client.request("GET", "https://evil.example/x", operation="probe")
    assert urlsplit(client.settings.token_url).path == TOKEN_PATH
