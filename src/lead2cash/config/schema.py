"""The schema of the hub's configuration file (``lead2cash.yaml``).

Example::

    mappings: mappings.yaml            # relative to this file
    odoo:
      url: https://erp.example.com
      database: prod
      login: l2c-bot
      api_key: env:L2C_ODOO_API_KEY    # a reference, never the key
    hubspot:
      token: env:L2C_HUBSPOT_TOKEN
      client_secret: file:/run/secrets/hubspot_app_secret
    harvest:
      account_id: "123456"
      token: keyring:lead2cash/harvest
    flows:
      timesheets: {schedule: "*/15 * * * *"}
      expenses: {schedule: "0 2 * * *"}
    environments:
      dev:
        odoo: {url: http://127.0.0.1:8069, database: odoo}

Secrets are only references (``env:``, ``file:``, ``keyring:``, ``vault:``): a literal value
is refused when the file is loaded, and ``l2c config show`` prints references, never values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from lead2cash.security.secrets import SecretReference


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OdooSection(_Section):
    url: HttpUrl
    database: str = Field(min_length=1)
    login: str = Field(min_length=1)
    api_key: SecretReference
    protocol: Literal["auto", "json2", "jsonrpc", "xmlrpc"] = "auto"
    timeout_seconds: float = Field(default=60.0, gt=0)
    batch_size: int = Field(default=500, ge=1, le=5000)


class HubSpotSection(_Section):
    base_url: HttpUrl = HttpUrl("https://api.hubapi.com")
    token: SecretReference
    client_secret: SecretReference | None = None
    api_family: Literal["v3", "2026-03"] = "v3"
    #: The public origin HubSpot calls (``https://hub.example.com``) when behind a proxy.
    webhook_public_origin: str | None = None


class SalesforceSection(_Section):
    login_url: HttpUrl = HttpUrl("https://login.salesforce.com")
    client_id: str = Field(min_length=1)
    auth: Literal["jwt_bearer", "client_credentials"] = "jwt_bearer"
    username: str | None = None
    private_key: SecretReference | None = None
    client_secret: SecretReference | None = None
    api_version: str = Field(default="62.0", pattern=r"^\d+\.\d$")


class HarvestSection(_Section):
    base_url: HttpUrl = HttpUrl("https://api.harvestapp.com")
    account_id: str = Field(min_length=1)
    token: SecretReference
    user_agent: str = "lead2cash (ops@example.com)"


class FlowSection(_Section):
    enabled: bool = True
    schedule: str | None = None
    overlap_minutes: int = Field(default=30, ge=0)
    approval_gate: bool = False


class HubConfig(_Section):
    """The whole file, after the environment's overlay is applied."""

    mappings: Path = Path("mappings.yaml")
    odoo: OdooSection
    hubspot: HubSpotSection | None = None
    salesforce: SalesforceSection | None = None
    harvest: HarvestSection | None = None
    flows: dict[str, FlowSection] = Field(default_factory=dict)

    @field_validator("flows")
    @classmethod
    def _known_flows(cls, value: dict[str, FlowSection]) -> dict[str, FlowSection]:
        # the scheduled flows (billing is run by a person: l2c billing run)
        known = {"deal_to_project", "timesheets", "expenses", "status_feedback"}
        unknown = set(value) - known
        if unknown:
            raise ValueError(
                f"unknown flow(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
            )
        return value

    def secret_references(self) -> dict[str, str]:
        """Every secret reference in the file, by its dotted location."""
        found: dict[str, str] = {}
        for name in ("odoo", "hubspot", "salesforce", "harvest"):
            section = getattr(self, name)
            if section is None:
                continue
            for field, value in section.model_dump().items():
                if field in ("api_key", "token", "client_secret", "private_key") and value:
                    found[f"{name}.{field}"] = value
        return found
