"""HubSpot webhooks: the v3 signature check and the event array (reference §1.8).

HubSpot POSTs a JSON array of events and signs each delivery (v3, the current scheme)::

    X-HubSpot-Signature-v3:      base64(HMAC-SHA256(app client secret,
                                        utf8(method + uri + body + timestamp)))
    X-HubSpot-Request-Timestamp: epoch milliseconds when HubSpot sent the request

where ``uri`` is the full URL it called (``https://host/path?query``) with these percent-escapes
decoded first (the "?" that starts the query is never encoded): ``%3A : %2F / %3F ? %40 @ %21 !
%24 $ %27 ' %28 ( %29 ) %2A * %2C , %3B ;`` (developers.hubspot.com, "Validating requests",
v3). :func:`verify_v3` refuses (``errors.AuthError``) a delivery without a signature or
timestamp, one whose timestamp is more than 5 minutes away from ``now`` (either way), and one
whose signature does not match, compared in constant time over the **raw** body bytes.

Behind a proxy that terminates TLS the URL the server sees differs from the one HubSpot signed;
:class:`HubSpotWebhookVerifier` takes the public origin to put back (``public_origin``).

Events are at-least-once and unordered (``attemptNumber`` counts retries), so each becomes an
inbox row keyed by ``eventId`` and a job that re-fetches the record. Job kinds:
``hubspot.<type>.import`` for creations, property and association changes, merges and
restores (``<type>`` is ``deal``, ``company``, ``contact`` or ``line_item``), and
``hubspot.<type>.archived`` for deletions. Events of other object types are not the hub's
business and are left out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.connectors.base import WebhookEvent, WebhookVerifier
from lead2cash.connectors.hubspot.objects import object_type
from lead2cash.connectors.hubspot.settings import HubSpotSettings
from lead2cash.connectors.hubspot.wire import parse_time

log = logging.getLogger(__name__)

SYSTEM = "hubspot"
SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
#: How far (ms) the request timestamp may be from now.
MAX_SKEW_MS = 300_000

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


def decode_uri(uri: str) -> str:
    """The URI as HubSpot signs it: the listed percent-escapes decoded (hex in any case)."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0).upper()], uri)


def signature_v3(
    client_secret: str | SecretStr, method: str, uri: str, body: bytes, timestamp: str
) -> str:
    """``X-HubSpot-Signature-v3`` for a request (what HubSpot computes when it sends one)."""
    secret = _secret(client_secret)
    source = (
        method.upper().encode("utf-8")
        + decode_uri(uri).encode("utf-8")
        + body
        + timestamp.encode("utf-8")
    )
    digest = hmac.new(secret.encode("utf-8"), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _secret(client_secret: str | SecretStr) -> str:
    secret = (
        client_secret.get_secret_value() if isinstance(client_secret, SecretStr) else client_secret
    )
    if not secret:
        raise errors.ConfigError("the HubSpot app client secret is not configured")
    return secret


def _refuse(reason: str) -> errors.AuthError:
    return errors.AuthError(
        f"hubspot webhook refused: {reason}", system=SYSTEM, operation="verify webhook"
    )


def verify_v3(
    method: str,
    uri: str,
    body: bytes,
    headers: Mapping[str, str],
    client_secret: str | SecretStr,
    now: datetime,
) -> None:
    """Raise ``errors.AuthError`` unless the delivery is signed (v3) by HubSpot and fresh."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lowered = {k.lower(): v for k, v in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower(), "").strip()
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
    if not signature:
        raise _refuse(f"no {SIGNATURE_HEADER} header")
    if not stamp.isdigit():
        raise _refuse(f"missing or malformed {TIMESTAMP_HEADER} header")
    skew = int(now.timestamp() * 1000) - int(stamp)
    if abs(skew) > MAX_SKEW_MS:
        raise _refuse(f"timestamp is {skew / 1000:.0f}s away from now (more than 5 minutes)")
    expected = signature_v3(client_secret, method, uri, body, stamp)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        raise _refuse("signature does not match")


class HubSpotEvent(BaseModel):
    """One event of a webhook delivery (fields beyond these are kept as extras)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    event_id: int = Field(alias="eventId")
    subscription_id: int | None = Field(default=None, alias="subscriptionId")
    portal_id: int | None = Field(default=None, alias="portalId")
    app_id: int | None = Field(default=None, alias="appId")
    occurred_at: datetime = Field(alias="occurredAt")
    subscription_type: str = Field(alias="subscriptionType")
    attempt_number: int = Field(default=0, alias="attemptNumber")
    object_id: int | None = Field(default=None, alias="objectId")
    object_type_id: str | None = Field(default=None, alias="objectTypeId")
    property_name: str | None = Field(default=None, alias="propertyName")
    property_value: str | None = Field(default=None, alias="propertyValue")
    change_source: str | None = Field(default=None, alias="changeSource")
    source_id: str | None = Field(default=None, alias="sourceId")
    change_flag: str | None = Field(default=None, alias="changeFlag")
    primary_object_id: int | None = Field(default=None, alias="primaryObjectId")
    merged_object_ids: list[int] | None = Field(default=None, alias="mergedObjectIds")
    from_object_id: int | None = Field(default=None, alias="fromObjectId")
    to_object_id: int | None = Field(default=None, alias="toObjectId")
    association_type: str | None = Field(default=None, alias="associationType")
    association_removed: bool | None = Field(default=None, alias="associationRemoved")

    _time = field_validator("occurred_at", mode="before")(parse_time)

    @field_validator("property_value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value).lower() if isinstance(value, bool) else str(value)

    @property
    def object_kind(self) -> str | None:
        """The object type's singular (``deal``...), or ``None`` for types the hub ignores."""
        prefix, _, _ = self.subscription_type.partition(".")
        key = self.object_type_id if prefix == "object" else prefix
        if key is None:
            return None
        try:
            return object_type(key).singular
        except ValueError:
            return None

    @property
    def action(self) -> str:
        """``creation``, ``propertyChange``, ``deletion``, ``merge``, ``associationChange``..."""
        return self.subscription_type.partition(".")[2]

    @property
    def record_id(self) -> int | None:
        """The record the job should re-fetch."""
        if self.action == "merge" and self.primary_object_id is not None:
            return self.primary_object_id
        if self.object_id is not None:
            return self.object_id
        return self.from_object_id


def parse_events(body: bytes) -> list[HubSpotEvent]:
    """The events of a (verified) delivery; ``errors.ValidationError`` if malformed."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.ValidationError(
            "hubspot webhook body is not JSON", rule="json", system=SYSTEM
        ) from exc
    if not isinstance(data, list):
        raise errors.ValidationError(
            "hubspot webhook body is not an array of events", rule="array", system=SYSTEM
        )
    events: list[HubSpotEvent] = []
    for index, item in enumerate(data):
        try:
            events.append(HubSpotEvent.model_validate(item))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise errors.ValidationError(
                f"hubspot webhook event {index} is malformed: {where}: {first.get('msg')}",
                field=where or None,
                rule="event",
                system=SYSTEM,
            ) from exc
    return events


def job_kind(event: HubSpotEvent) -> str | None:
    """The job that handles ``event`` (see the module docstring), or ``None`` to leave it out."""
    kind = event.object_kind
    if kind is None or event.record_id is None:
        return None
    return f"hubspot.{kind}.{'archived' if event.action == 'deletion' else 'import'}"


@dataclass
class HubSpotWebhookVerifier:
    """The :class:`~lead2cash.connectors.base.WebhookVerifier` of HubSpot deliveries."""

    client_secret: SecretStr
    #: ``https://hub.example.com`` when a proxy changes the scheme or host the server sees.
    public_origin: str | None = None
    system: str = SYSTEM

    def __repr__(self) -> str:
        return f"HubSpotWebhookVerifier(public_origin={self.public_origin!r}, client_secret=***)"

    @classmethod
    def from_settings(
        cls, settings: HubSpotSettings, *, public_origin: str | None = None
    ) -> HubSpotWebhookVerifier:
        """The verifier of the app in ``settings`` (its client secret is required)."""
        if settings.client_secret is None or not settings.client_secret.get_secret_value():
            raise errors.ConfigError(
                "HubSpot webhooks need the app's client_secret (Service Keys have no webhooks)"
            )
        return cls(client_secret=settings.client_secret, public_origin=public_origin)

    def public_url(self, url: str) -> str:
        if not self.public_origin:
            return url
        seen, public = urlsplit(url), urlsplit(self.public_origin)
        return urlunsplit((public.scheme, public.netloc, seen.path, seen.query, ""))

    def verify(
        self, *, method: str, url: str, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> None:
        verify_v3(method, self.public_url(url), body, headers, self.client_secret, now)

    def events(self, body: bytes) -> Sequence[WebhookEvent]:
        found: list[WebhookEvent] = []
        for event in parse_events(body):
            kind = job_kind(event)
            if kind is None:
                log.debug(
                    "hubspot webhook event %s (%s) is not for the hub",
                    event.event_id,
                    event.subscription_type,
                    extra={"action": "webhook_event_skipped", "system": SYSTEM},
                )
                continue
            found.append(
                WebhookEvent(
                    event_key=str(event.event_id),
                    job_kind=kind,
                    payload=event.model_dump(mode="json", by_alias=True, exclude_none=True),
                    extra={"object_id": str(event.record_id), "object_type": event.object_kind},
                )
            )
        return found


if TYPE_CHECKING:  # HubSpotWebhookVerifier is a WebhookVerifier (checked by mypy)
    _verifier: WebhookVerifier = HubSpotWebhookVerifier(client_secret=SecretStr("x"))
