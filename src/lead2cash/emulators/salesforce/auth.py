"""The emulated ``/services/oauth2/token`` endpoint and session checks.

Grants (form-encoded ``POST``):

* ``urn:ietf:params:oauth:grant-type:jwt-bearer`` with ``assertion``: an RS256 JWT signed by a
  key whose public half was registered (control API ``jwt_keys`` or the seed document), with
  ``iss`` = the client id (consumer key), ``aud`` one of the accepted audiences
  (``https://login.salesforce.com``, ``https://test.salesforce.com`` or the emulator's own
  origin), ``exp`` in the future (real time; an integer or a numeric string, which is what
  simple-salesforce sends) and ``sub`` the username of an active User.
* ``client_credentials`` with ``client_id``/``client_secret`` in the body or as Basic auth; the
  session runs as the integration user.

Errors are OAuth bodies ``{"error", "error_description"}`` with HTTP 400 (the descriptions are
the ones Salesforce is reported to send; unverified). Answers carry ``access_token``,
``instance_url``, ``id``, ``token_type`` and ``scope``; client credentials add ``issued_at``,
``signature`` and ``token_format``. No refresh token is issued.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from lead2cash.emulators.salesforce.ids import ORG_ID

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_CREDENTIALS = "client_credentials"
DEFAULT_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


class OAuthError(Exception):
    """A refused token request: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def load_public_key(pem: str) -> RSAPublicKey:
    """An RSA public key from PEM (a ``PUBLIC KEY`` block, or a certificate)."""
    data = pem.encode()
    if b"BEGIN CERTIFICATE" in data:
        from cryptography import x509

        key: Any = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = load_pem_public_key(data)
    if not isinstance(key, RSAPublicKey):
        raise ValueError("the JWT bearer flow needs an RSA key")
    return key


def new_access_token() -> str:
    """An opaque token shaped like Salesforce's (``<org id>!<random>``)."""
    return f"{ORG_ID[:15]}!{secrets.token_urlsafe(48)}"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def verify_assertion(
    assertion: str,
    *,
    keys: list[RSAPublicKey],
    client_id: str,
    audiences: tuple[str, ...],
    now: float | None = None,
) -> str:
    """Check a JWT bearer assertion; returns its ``sub`` (the username)."""
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False, "verify_iss": False},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
    if claims is None:
        raise OAuthError("invalid_grant", "invalid assertion")
    if claims.get("iss") != client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    aud = claims.get("aud")
    given = aud if isinstance(aud, list) else [aud]
    if not any(isinstance(a, str) and a.rstrip("/") in audiences for a in given):
        raise OAuthError("invalid_grant", "audience is invalid")
    try:
        expires = float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if expires <= (time.time() if now is None else now):
        raise OAuthError("invalid_grant", "expired authorization code")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise OAuthError("invalid_grant", "invalid assertion")
    return subject


def check_client_secret(
    form: Mapping[str, str], basic: tuple[str, str] | None, client_id: str, client_secret: str
) -> None:
    given_id, given_secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
    if not (
        secrets.compare_digest(given_id.encode(), client_id.encode())
        and secrets.compare_digest(given_secret.encode(), client_secret.encode())
    ):
        raise OAuthError("invalid_client", "invalid client credentials")


def signature(identity_url: str, issued_at: str, client_secret: str) -> str:
    """Salesforce's ``signature``: base64 HMAC-SHA256 of ``id + issued_at`` with the secret."""
    digest = hmac.new(
        client_secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()
