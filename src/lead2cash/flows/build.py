"""The hub from the configuration file: every secret reference resolved, a client per system.

Used by ``l2c worker -f``, ``l2c sync`` and ``l2c billing``. A system missing from the file is
simply not connected (its flows raise a ``config`` error that pauses them); a secret that
cannot be resolved stops the command before any work starts.
"""

from __future__ import annotations

from pydantic import SecretStr

from lead2cash.config.schema import HubConfig
from lead2cash.connectors.harvest.client import HarvestClient
from lead2cash.connectors.harvest.client import build_http_client as harvest_http
from lead2cash.connectors.harvest.settings import HarvestSettings
from lead2cash.connectors.hubspot.client import HubSpotClient
from lead2cash.connectors.hubspot.client import build_http_client as hubspot_http
from lead2cash.connectors.hubspot.settings import HubSpotSettings
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.salesforce.client import SalesforceClient
from lead2cash.connectors.salesforce.client import build_http_client as salesforce_http
from lead2cash.connectors.salesforce.settings import SalesforceSettings
from lead2cash.flows.runtime import Hub
from lead2cash.mapping.engine import Mapper
from lead2cash.security.secrets import resolve as resolve_reference
from lead2cash.store.facade import Store


def _url(value: object) -> str:
    return str(value).rstrip("/")


def hub_from_config(config: HubConfig, mapper: Mapper, store: Store) -> Hub:
    """The hub of ``config``; every secret it resolved is in ``hub.secrets`` (for the log
    redaction of the command that runs it)."""
    secrets: list[SecretStr] = []

    def resolve(reference: str) -> SecretStr:
        secret = resolve_reference(reference)
        secrets.append(secret)
        return secret

    o = config.odoo
    odoo = OdooClient(
        OdooSettings(
            url=_url(o.url),
            db=o.database,
            login=o.login,
            api_key=resolve(o.api_key),
            protocol=o.protocol,
            timeout=o.timeout_seconds,
            batch_size=o.batch_size,
        )
    )
    hubspot = salesforce = harvest = None
    if config.hubspot is not None:
        h = config.hubspot
        hs = HubSpotSettings(
            base_url=_url(h.base_url),
            token=resolve(h.token),
            client_secret=resolve(h.client_secret) if h.client_secret else None,
            api_family=h.api_family,
        )
        hubspot = HubSpotClient(hubspot_http(hs), hs)
    if config.salesforce is not None:
        s = config.salesforce
        sf = SalesforceSettings(
            auth_flow=s.auth,
            login_url=_url(s.login_url),
            client_id=s.client_id,
            username=s.username,
            private_key=resolve(s.private_key) if s.private_key else None,
            client_secret=resolve(s.client_secret) if s.client_secret else None,
            api_version=s.api_version,
        )
        salesforce = SalesforceClient(salesforce_http(sf), sf)
    if config.harvest is not None:
        v = config.harvest
        hv = HarvestSettings(
            base_url=_url(v.base_url),
            account_id=v.account_id,
            token=resolve(v.token),
            user_agent=v.user_agent,
        )
        harvest = HarvestClient(harvest_http(hv), hv)
    return Hub(
        store=store,
        mapper=mapper,
        odoo=odoo,
        hubspot=hubspot,
        salesforce=salesforce,
        harvest=harvest,
        flows=config.flows,
        secrets=secrets,
    )
