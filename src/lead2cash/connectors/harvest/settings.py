"""Settings of the Harvest connector: which account, which token, how fast.

:class:`HarvestSettings` is the sub-model the hub's settings hold for Harvest. The token is a
Personal Access Token (or an OAuth2 access token) kept as a :class:`~pydantic.SecretStr`; it is
sent only as ``Authorization: Bearer`` to the configured API origin and never printed.

Harvest rejects requests without a ``User-Agent`` naming the application and a way to contact
its owner (``MyApp (you@example.com)``), so the setting is required and checked.

Rate limit: Harvest allows 100 requests per 15 seconds on the general API and answers 429 with
``Retry-After`` beyond that. The client spaces its requests with a token bucket of
``rate_limit_burst`` tokens refilled at ``(budget - rate_limit_burst) / rate_limit_period``
tokens per second, where the budget is the limit less ``rate_limit_margin`` (10 %: network
jitter can bunch requests up on arrival). No window of ``rate_limit_period`` seconds then
carries more than the budget (burst + rate x period = budget): 90 of Harvest's 100.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from lead2cash.connectors.harvest.ratelimit import TokenBucket

#: Harvest's documented maximum (and default) page size for v2 list endpoints.
MAX_PAGE_SIZE = 2000

_CONTACT = re.compile(r"\(([^()]*@[^()]*|https?://[^()]+)\)")


class HarvestSettings(BaseModel):
    """One Harvest account and the token the hub reads it with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: API origin without the version path (``https://api.harvestapp.com``).
    base_url: str = "https://api.harvestapp.com"
    #: The account id sent as ``Harvest-Account-Id`` (a token may reach several accounts).
    account_id: str = Field(min_length=1)
    #: Personal Access Token or OAuth2 access token.
    token: SecretStr
    #: Application name and contact, e.g. ``lead2cash (ops@example.com)``.
    user_agent: str = "lead2cash (ops@example.com)"
    #: ``per_page`` of list requests (1..2000; Harvest answers 422 above 2000).
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    timeout: float = Field(default=30.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    #: The server's limit: requests per period (Harvest: 100 per 15 s).
    rate_limit_requests: int = Field(default=100, ge=1)
    rate_limit_period: float = Field(default=15.0, gt=0)
    #: Requests the client may send back to back before spacing them out.
    rate_limit_burst: int = Field(default=10, ge=1)
    #: Share of the server's limit the client leaves unused, for jitter and other clients.
    rate_limit_margin: float = Field(default=0.1, ge=0, lt=1)
    #: Attempts per request on 429/5xx/network errors before the error goes to the job engine.
    max_attempts: int = Field(default=8, ge=1, le=20)
    #: First backoff delay for 5xx/network retries (doubled per attempt, full jitter).
    retry_base_seconds: float = Field(default=0.5, ge=0)
    #: Longest Retry-After waited in place; longer ones raise RateLimitedError at once.
    max_retry_after: float = Field(default=120.0, ge=0)
    #: Listing passes per sync run when offset paging shifted under a changing result set.
    max_passes: int = Field(default=3, ge=1, le=10)
    verify_tls: bool = True

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value.endswith("/v2"):
            value = value[: -len("/v2")]
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                "base_url must be an http(s) origin such as https://api.harvestapp.com"
            )
        return value

    @field_validator("account_id")
    @classmethod
    def _check_account(cls, value: str) -> str:
        value = value.strip()
        if not value.isdigit():
            raise ValueError("account_id must be the numeric Harvest account id")
        return value

    @field_validator("user_agent")
    @classmethod
    def _check_user_agent(cls, value: str) -> str:
        value = value.strip()
        if not _CONTACT.search(value) or value.startswith("("):
            raise ValueError(
                "user_agent must name the application and a contact, "
                "e.g. 'lead2cash (ops@example.com)'"
            )
        return value

    @model_validator(mode="after")
    def _check_bucket(self) -> HarvestSettings:
        if self.rate_limit_burst >= self.rate_limit_budget:
            raise ValueError(
                "rate_limit_burst must be smaller than the budget "
                "(rate_limit_requests less rate_limit_margin)"
            )
        return self

    @property
    def rate_limit_budget(self) -> int:
        """Requests per period the client allows itself (the limit less the margin)."""
        return math.floor(self.rate_limit_requests * (1 - self.rate_limit_margin))

    @property
    def api_url(self) -> str:
        """The v2 API root, e.g. ``https://api.harvestapp.com/v2``."""
        return f"{self.base_url}/v2"

    @property
    def refill_per_second(self) -> float:
        """Token-bucket refill rate that keeps every window within the budget."""
        return (self.rate_limit_budget - self.rate_limit_burst) / self.rate_limit_period

    def token_bucket(self) -> TokenBucket:
        """A new bucket for this budget (clients share one per account: ``TokenBucket.shared``)."""
        return TokenBucket.for_limit(
            self.rate_limit_budget, self.rate_limit_period, self.rate_limit_burst
        )

    def redacted(self) -> dict[str, object]:
        """The settings for display, with the token hidden."""
        return self.model_dump(mode="json")  # SecretStr dumps as "**********"
