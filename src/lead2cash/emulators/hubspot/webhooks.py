"""Webhook deliveries as HubSpot makes them (reference §1.8).

A delivery is a POST of a JSON array of events (compact JSON) to the app's target URL with::

    Content-Type: application/json
    X-HubSpot-Signature-v3: base64(HMAC-SHA256(client secret, method + uri + body + timestamp))
    X-HubSpot-Request-Timestamp: <epoch ms at sending, real time>
    X-HubSpot-Signature: sha256_hex(client secret + body)      (v1, for old receivers)
    X-HubSpot-Signature-Version: v1
    X-HubSpot-Timeout-Millis: 10000

``uri`` is the target URL with HubSpot's listed percent-escapes decoded. This module signs
independently of the connector's verifier, so tests that pair them check one against the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any

import httpx

_ESCAPES = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_ESCAPE_RE = re.compile("|".join(_ESCAPES), re.IGNORECASE)
USER_AGENT = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon"


def sign_v3(secret: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    uri = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0).upper()], url)
    source = f"{method}{uri}".encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def sign_v1(secret: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + body).hexdigest()


def encode(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(events, separators=(",", ":")).encode("utf-8")


def signed_headers(
    secret: str, url: str, body: bytes, timestamp_ms: int | None = None
) -> dict[str, str]:
    stamp = str(time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, stamp),
        "X-HubSpot-Request-Timestamp": stamp,
        "X-HubSpot-Signature": sign_v1(secret, body),
        "X-HubSpot-Signature-Version": "v1",
        "X-HubSpot-Timeout-Millis": "10000",
    }


async def deliver(
    url: str, secret: str, events: list[dict[str, Any]], *, timeout: float = 10.0
) -> dict[str, Any]:
    """POST one signed delivery; returns what happened (never raises for the receiver's
    failures: HubSpot would retry later, the control API reports it)."""
    body = encode(events)
    headers = signed_headers(secret, url, body)
    result: dict[str, Any] = {
        "url": url,
        "events": [e.get("eventId") for e in events],
        "timestamp": headers["X-HubSpot-Request-Timestamp"],
        "status": None,
    }
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(url, content=body, headers=headers)
        result["status"] = response.status_code
    except httpx.HTTPError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result
