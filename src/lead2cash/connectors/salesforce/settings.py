"""Settings of the Salesforce connector: how to get a session, which API version, how to read.

Three ways to a session (``auth_flow``):

* ``jwt_bearer`` (server-to-server; reference §2.2): ``client_id`` (the External Client App's
  consumer key), ``username`` (a pre-authorized user) and the PEM private key whose
  certificate is uploaded to the app (``private_key`` or ``private_key_file``). The assertion's
  ``aud`` is ``audience`` (default ``https://login.salesforce.com``, or
  ``https://test.salesforce.com`` when ``login_url`` is the sandbox login host).
* ``client_credentials``: ``client_id`` and ``client_secret``; ``login_url`` must then be the
  org's My Domain URL (``https://acme.my.salesforce.com``), as Salesforce requires.
* ``access_token``: a session id and the ``instance_url`` it belongs to (tests, scripts); it
  cannot be refreshed.

The token answer's ``instance_url`` is used for every later call. ``api_version`` is pinned
(simple-salesforce's default 59.0 is old; the latest GA is 67.0).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

AuthFlow = Literal["jwt_bearer", "client_credentials", "access_token"]

LOGIN = "https://login.salesforce.com"
SANDBOX_LOGIN = "https://test.salesforce.com"


def _origin(value: str, name: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"{name} must be an http(s) origin such as https://acme.my.salesforce.com")
    return value


class FeedbackFields(BaseModel):
    """Custom Opportunity fields the hub writes invoice and payment status to (reference §2.3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    invoice_status: str = "Odoo_Invoice_Status__c"
    invoice_number: str = "Odoo_Invoice_Number__c"
    amount_invoiced: str | None = None
    amount_paid: str = "Odoo_Amount_Paid__c"
    payment_date: str | None = None


class SalesforceSettings(BaseModel):
    """One Salesforce org and the identity the hub reads and writes it with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    auth_flow: AuthFlow = "jwt_bearer"
    #: Where tokens are asked for: login/test.salesforce.com or the org's My Domain URL.
    login_url: str = LOGIN
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    private_key: SecretStr | None = None
    private_key_file: Path | None = None
    #: The JWT ``aud`` claim (default: the login host, or login.salesforce.com for My Domain).
    audience: str | None = None
    #: Lifetime of a JWT assertion; Salesforce wants ``exp`` within about 3 minutes.
    assertion_lifetime: int = Field(default=180, ge=10, le=300)
    #: ``access_token`` flow only.
    access_token: SecretStr | None = None
    instance_url: str | None = None

    api_version: str = "62.0"
    #: ``Sforce-Query-Options: batchSize`` (200..2000); None leaves Salesforce's default 2000.
    query_batch_size: int | None = Field(default=None, ge=200, le=2000)
    #: Overlap of incremental reads (catches late commits and clock skew); see cursor.py.
    overlap_seconds: float = Field(default=300.0, ge=0)
    #: First deletion window when no deletion cursor is stored yet.
    deleted_initial_lookback_hours: float = Field(default=24.0, gt=0, le=24 * 29)
    #: The org is multi-currency (then ``CurrencyIsoCode`` is read); else ``currency`` applies.
    multi_currency: bool = False
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    #: Extra (custom) fields to read on opportunities and their accounts.
    opportunity_fields: tuple[str, ...] = ()
    account_fields: tuple[str, ...] = ()
    feedback: FeedbackFields = FeedbackFields()

    timeout: float = Field(default=60.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    #: Attempts per request on 429/5xx/lock errors/network errors.
    max_attempts: int = Field(default=6, ge=1, le=20)
    retry_base_seconds: float = Field(default=0.5, ge=0)
    #: Longest Retry-After waited in place; longer ones raise RateLimitedError at once.
    max_retry_after: float = Field(default=120.0, ge=0)
    #: Stop before spending the org's whole daily allocation: raise RateLimitedError when
    #: ``Sforce-Limit-Info`` shows this share used (None: only Salesforce's own limit).
    max_api_usage_ratio: float | None = Field(default=None, gt=0, le=1)
    verify_tls: bool = True

    @field_validator("login_url")
    @classmethod
    def _check_login(cls, value: str) -> str:
        return _origin(value, "login_url")

    @field_validator("instance_url")
    @classmethod
    def _check_instance(cls, value: str | None) -> str | None:
        return None if value is None else _origin(value, "instance_url")

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        value = value.strip().removeprefix("v")
        if not re.fullmatch(r"\d{2,3}\.0", value):
            raise ValueError("api_version looks like '62.0'")
        return value

    @field_validator("opportunity_fields", "account_fields")
    @classmethod
    def _check_fields(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*", name):
                raise ValueError(f"not a field name: {name!r}")
        return value

    @model_validator(mode="after")
    def _check_flow(self) -> SalesforceSettings:
        if self.auth_flow == "jwt_bearer":
            if not self.client_id or not self.username:
                raise ValueError("the JWT bearer flow needs client_id and username")
            if (self.private_key is None) == (self.private_key_file is None):
                raise ValueError("the JWT bearer flow needs one of private_key, private_key_file")
        elif self.auth_flow == "client_credentials":
            if not self.client_id or self.client_secret is None:
                raise ValueError("the client credentials flow needs client_id and client_secret")
        elif self.access_token is None or self.instance_url is None:
            raise ValueError("the access_token flow needs access_token and instance_url")
        return self

    @property
    def jwt_audience(self) -> str:
        if self.audience:
            return self.audience.rstrip("/")
        return SANDBOX_LOGIN if self.login_url == SANDBOX_LOGIN else LOGIN

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/services/oauth2/token"

    @property
    def data_path(self) -> str:
        """The versioned REST root path, e.g. ``/services/data/v62.0``."""
        return f"/services/data/v{self.api_version}"

    def redacted(self) -> dict[str, object]:
        """The settings for display, secrets hidden."""
        return self.model_dump(mode="json")
