"""Settings of the HubSpot connector: which portal, which token, which path family, how fast.

:class:`HubSpotSettings` is the sub-model the hub's settings hold for HubSpot. The token is a
bearer token of any kind HubSpot issues (legacy private-app token, Service Key, OAuth access
token; reference §1.1), kept as a :class:`~pydantic.SecretStr` and sent only as
``Authorization: Bearer`` to the configured origin. The app's client secret signs webhooks
(``webhooks.py``); Service Keys have no webhooks, so it is optional.

Path family (reference §0.1): ``v3`` uses ``/crm/v3/objects/...``, ``/crm/v4/...`` associations
and ``/crm/v3/pipelines/...``; ``2026-03`` uses the date-versioned ``/crm/objects/2026-03/...``,
``/crm/associations/2026-03/...`` and ``/crm/pipelines/2026-03/...``. The JSON is the same.

Rate limits (reference §1.7): a rolling burst window per app (100 requests per 10 s on
Free/Starter, 190 on Professional/Enterprise, 250 with the limit-increase pack), a separate
limit for search (4 per second per token; search is exempt from the burst window), and a daily
quota that resets at midnight in the portal's time zone. The client keeps under the first two
itself and stops at once when the daily quota is spent.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

ApiFamily = Literal["v3", "2026-03"]

#: Search answers at most this many records per page.
MAX_SEARCH_PAGE = 200
#: List endpoints answer at most this many records per page (reference: unverified, 100).
MAX_LIST_PAGE = 100
#: v4 association reads answer at most this many associated records per call.
MAX_ASSOCIATION_PAGE = 500
#: Batch endpoints take at most this many inputs.
MAX_BATCH = 100


class HubSpotSettings(BaseModel):
    """One HubSpot portal and the bearer token the hub reads and writes it with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "https://api.hubapi.com"
    token: SecretStr
    api_family: ApiFamily = "v3"
    #: The app's client secret, which signs webhooks (X-HubSpot-Signature-v3).
    client_secret: SecretStr | None = None
    #: Records per page of list endpoints (archived records).
    page_size: int = Field(default=MAX_LIST_PAGE, ge=1, le=MAX_LIST_PAGE)
    #: Records per search page.
    search_page_size: int = Field(default=MAX_SEARCH_PAGE, ge=1, le=MAX_SEARCH_PAGE)
    #: Inputs per batch request (batch read/update, association batch read).
    batch_size: int = Field(default=MAX_BATCH, ge=1, le=MAX_BATCH)
    #: The burst limit of the app: requests per rolling window.
    rate_limit_requests: int = Field(default=100, ge=1)
    rate_limit_window: float = Field(default=10.0, gt=0)
    #: Search requests per second (HubSpot: 4 per token, newer docs 5 per account).
    search_requests_per_second: int = Field(default=4, ge=1)
    #: The portal's time zone: the daily quota resets at its midnight.
    account_timezone: str = "UTC"
    #: Attempts per request on 429/5xx/network errors before the error goes to the job engine.
    max_attempts: int = Field(default=8, ge=1, le=20)
    #: First backoff delay for 5xx/network retries (doubled per attempt, full jitter).
    retry_base_seconds: float = Field(default=0.5, ge=0)
    #: Longest rate-limit wait done in place; longer ones raise RateLimitedError at once.
    max_retry_after: float = Field(default=120.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    verify_tls: bool = True

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ValueError("base_url must be an http(s) origin such as https://api.hubapi.com")
        return value

    @field_validator("account_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.account_timezone)

    def redacted(self) -> dict[str, object]:
        """The settings for display, with the secrets hidden."""
        return self.model_dump(mode="json")  # SecretStr dumps as "**********"
