"""Getting a Salesforce session: OAuth 2.0 JWT bearer and client credentials (reference §2.2).

Both grants are a form ``POST`` to ``<login_url>/services/oauth2/token``; the answer's
``access_token`` goes into ``Authorization: Bearer`` and its ``instance_url`` is where every
later call goes (it may differ from ``login_url``). Neither grant issues a refresh token: a new
session is simply asked for again (the client does so once when a call answers 401
INVALID_SESSION_ID).

The JWT assertion is RS256-signed with the app's private key: ``iss`` = consumer key, ``sub`` =
username, ``aud`` = login host, ``exp`` = now + ``assertion_lifetime`` (an integer; Salesforce
wants it within about three minutes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import jwt
from pydantic import SecretStr, ValidationError

from lead2cash import errors
from lead2cash.connectors.http import timeout_of
from lead2cash.connectors.salesforce import wire
from lead2cash.connectors.salesforce.errorcodes import SYSTEM, SalesforceSender
from lead2cash.connectors.salesforce.settings import SalesforceSettings

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class Session:
    """An access token and the instance it is good for."""

    access_token: SecretStr
    instance_url: str
    identity_url: str | None = None

    def __repr__(self) -> str:
        return f"Session(instance_url={self.instance_url!r}, access_token=***)"


def _private_key(settings: SalesforceSettings) -> str:
    if settings.private_key is not None:
        return settings.private_key.get_secret_value()
    assert settings.private_key_file is not None
    try:
        return settings.private_key_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise errors.ConfigError(
            f"cannot read the Salesforce private key file: {type(exc).__name__}",
            path=str(settings.private_key_file),
        ) from exc


def jwt_assertion(settings: SalesforceSettings, *, now: float) -> str:
    """The signed assertion for the JWT bearer grant."""
    claims = {
        "iss": settings.client_id,
        "sub": settings.username,
        "aud": settings.jwt_audience,
        "exp": int(now) + settings.assertion_lifetime,
    }
    try:
        return jwt.encode(claims, _private_key(settings), algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise errors.ConfigError(
            f"the Salesforce private key cannot sign an RS256 JWT: {type(exc).__name__}"
        ) from exc


def token_form(settings: SalesforceSettings, *, now: float) -> dict[str, str]:
    """The form of the token request for the configured grant."""
    if settings.auth_flow == "jwt_bearer":
        return {"grant_type": JWT_BEARER, "assertion": jwt_assertion(settings, now=now)}
    assert settings.client_id is not None
    assert settings.client_secret is not None
    return {
        "grant_type": "client_credentials",
        "client_id": settings.client_id,
        "client_secret": settings.client_secret.get_secret_value(),
    }


def fetch_session(
    http: httpx.Client,
    sender: SalesforceSender,
    settings: SalesforceSettings,
    *,
    now: Callable[[], float] = time.time,
) -> Session:
    """A new session for the configured flow (``access_token`` hands back the configured one)."""
    if settings.auth_flow == "access_token":
        assert settings.access_token is not None
        assert settings.instance_url is not None
        return Session(settings.access_token, settings.instance_url)
    operation = f"oauth2 token ({settings.auth_flow})"
    request = http.build_request(
        "POST",
        settings.token_url,
        data=token_form(settings, now=now()),
        headers={"Accept": "application/json"},
        timeout=timeout_of(settings),
    )
    response = sender.send(http, request, operation=operation)
    try:
        answer = wire.TokenResponse.model_validate(wire.loads(response.content))
    except (ValueError, ValidationError) as exc:
        raise errors.UnavailableError(
            "salesforce token endpoint answered without access_token and instance_url",
            system=SYSTEM,
            operation=operation,
            status=response.status_code,
        ) from exc
    instance = answer.instance_url.rstrip("/")
    parts = urlsplit(instance)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.UnavailableError(
            "salesforce token endpoint answered with an unusable instance_url",
            system=SYSTEM,
            operation=operation,
        )
    return Session(SecretStr(answer.access_token), instance, answer.id)
