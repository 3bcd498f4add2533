"""Settings of the Odoo connector: where Odoo is, who the integration user is, how to talk to it.

:class:`OdooSettings` is the sub-model the root :class:`lead2cash.settings.Settings` holds as
``odoo`` (environment ``L2C_ODOO__URL``, ``L2C_ODOO__DB``, ``L2C_ODOO__LOGIN``,
``L2C_ODOO__API_KEY`` ...). The secret is an API key (any protocol) or a password (JSON-RPC and
XML-RPC only: JSON-2 takes API keys only); it is a :class:`~pydantic.SecretStr` and never printed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Protocol = Literal["auto", "json2", "jsonrpc", "xmlrpc"]
PROTOCOLS: tuple[Protocol, ...] = ("auto", "json2", "jsonrpc", "xmlrpc")


class OdooSettings(BaseModel):
    """One Odoo database and the integration user that the hub acts as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Base URL of the Odoo server, e.g. ``https://erp.example.com`` (no path).
    url: str
    #: Database name; sent as ``X-Odoo-Database`` to JSON-2 and in every RPC call.
    db: str
    #: Login of the integration user (a dedicated bot user with least privilege).
    login: str
    #: API key (preferred; required by JSON-2) or password of the integration user.
    api_key: SecretStr
    #: ``auto`` picks JSON-2 from Odoo 19 (and saas-18.4) and JSON-RPC before.
    protocol: Protocol = "auto"
    #: Seconds to wait for one call (read timeout); connecting has its own shorter limit.
    timeout: float = Field(default=120.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    #: Records per ``load`` call in the writer.
    batch_size: int = Field(default=500, ge=1, le=10_000)
    #: Companies the hub works in (``allowed_company_ids``); empty = the user's default company.
    company_ids: tuple[int, ...] = ()
    #: Attempts for idempotent calls (reads, ``load`` by external id) on transient failures.
    retry_attempts: int = Field(default=3, ge=1, le=10)
    #: First backoff delay in seconds (doubled each attempt, with full jitter).
    retry_base_seconds: float = Field(default=0.5, ge=0)
    #: Longest Retry-After the client waits in place before raising RateLimitedError.
    max_retry_after: float = Field(default=60.0, ge=0)
    verify_tls: bool = True
    user_agent: str = "lead2cash-odoo/1"

    @field_validator("url")
    @classmethod
    def _strip_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value

    @field_validator("db", "login")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    def redacted(self) -> dict[str, object]:
        """The settings for display, with the secret hidden."""
        values = self.model_dump()
        values["api_key"] = "**********"
        return values


class OdooEnvironment(BaseSettings):
    """``L2C_ODOO__*`` from the environment, every field optional: what a command line starts
    from before its flags fill the gaps (:meth:`settings` then validates the whole)."""

    model_config = SettingsConfigDict(env_prefix="L2C_ODOO__", extra="ignore")

    url: str | None = None
    db: str | None = None
    login: str | None = None
    api_key: SecretStr | None = None
    protocol: Protocol | None = None

    def settings(self, **overrides: object) -> OdooSettings:
        """Valid settings from the environment with ``overrides`` (``None`` = not given) on
        top; ``pydantic.ValidationError`` names what is missing (never the secret's value)."""
        values = {k: v for k, v in self.model_dump().items() if v is not None}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return OdooSettings.model_validate(values)
