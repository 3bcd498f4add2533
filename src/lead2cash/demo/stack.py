"""The demo's running systems: the source emulators (and the Odoo emulator, or a real Odoo),
their clients, the store, and a :class:`~lead2cash.flows.runtime.Hub` over all of it.

Used by ``l2c demo`` and the end-to-end tests. Every emulator is served on 127.0.0.1 on a free
port with credentials made for the run; a real Odoo test database replaces the Odoo emulator
when its URL, database, login and API key are given.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx

from lead2cash.config.schema import FlowSection
from lead2cash.connectors.harvest.client import HarvestClient
from lead2cash.connectors.harvest.settings import HarvestSettings
from lead2cash.connectors.hubspot.client import HubSpotClient
from lead2cash.connectors.hubspot.settings import HubSpotSettings
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.salesforce.client import SalesforceClient
from lead2cash.connectors.salesforce.settings import SalesforceSettings
from lead2cash.demo.firm import (
    GBP,
    OdooFacts,
    grant_companies,
    mapping_document,
    prepare_odoo,
)
from lead2cash.emulators.harvest import create_app as harvest_app
from lead2cash.emulators.hubspot import create_app as hubspot_app
from lead2cash.emulators.odoo import create_app as odoo_app
from lead2cash.emulators.salesforce import create_app as salesforce_app
from lead2cash.emulators.server import RunningServer, start_in_thread
from lead2cash.engine.handlers import HandlerRegistry
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.worker import Worker
from lead2cash.flows import handlers
from lead2cash.flows.runtime import Hub
from lead2cash.mapping.engine import Mapper
from lead2cash.mapping.spec import MappingSpec
from lead2cash.settings import WorkerSettings
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobFilter

HARVEST_ACCOUNT = "424242"


#: What the e2e tests' ``make_stack`` fixture returns: ``stack`` bound to a store.
StackFactory = Callable[..., AbstractContextManager["Stack"]]


@dataclass(frozen=True)
class RealOdoo:
    """A real Odoo test database to run against instead of the emulator.

    ``login``/``api_key``: an administrator (the firm's one-time configuration);
    ``flow_login``/``flow_api_key``: the least-privilege integration user the flows run as
    (the administrator when not given)."""

    url: str
    db: str
    login: str
    api_key: str
    flow_login: str | None = None
    flow_api_key: str | None = None


#: The variables naming a real Odoo test database (the ``BOT`` pair is optional).
REAL_ODOO_VARS = (
    "L2C_TEST_ODOO_URL",
    "L2C_TEST_ODOO_DB",
    "L2C_TEST_ODOO_LOGIN",
    "L2C_TEST_ODOO_API_KEY",
)


def real_odoo_from_env(env: Mapping[str, str]) -> tuple[RealOdoo | None, list[str]]:
    """The real Odoo the ``L2C_TEST_ODOO_*`` variables name, or ``None`` and those missing."""
    missing = [v for v in REAL_ODOO_VARS if not env.get(v)]
    if missing:
        return None, missing
    return (
        RealOdoo(
            env["L2C_TEST_ODOO_URL"],
            env["L2C_TEST_ODOO_DB"],
            env["L2C_TEST_ODOO_LOGIN"],
            env["L2C_TEST_ODOO_API_KEY"],
            flow_login=env.get("L2C_TEST_ODOO_BOT_LOGIN"),
            flow_api_key=env.get("L2C_TEST_ODOO_BOT_API_KEY"),
        ),
        [],
    )


@dataclass
class Stack:
    hub: Hub
    facts: OdooFacts
    admin: OdooClient
    control: dict[str, httpx.Client]  # system → client on the emulator's control API
    servers: list[RunningServer] = field(default_factory=list)
    registry: HandlerRegistry = field(default_factory=HandlerRegistry)

    def worker(self, **overrides: Any) -> Worker:
        settings = WorkerSettings(poll_seconds=0.01, **overrides)
        return Worker(
            self.hub.store,
            self.registry,
            settings=settings,
            policy=RetryPolicy(max_attempts=4, base=0.01, factor=2.0, cap=0.05),
            services={"hub": self.hub, "store": self.hub.store},
        )

    def problems(self) -> list[tuple[str, str, str | None, str | None]]:
        """(kind, state, error class, parked on) of every job not done."""
        return [
            (j.kind, j.state, j.error_class, j.parked_on)
            for j in self.hub.store.jobs.find(
                JobFilter(
                    states=["exception", "dead", "parked", "pending", "retry_wait"], limit=1000
                )
            )
        ]

    def drain(self, *, max_seconds: float = 120.0, **overrides: Any) -> dict[str, int]:
        """Run jobs until none is pending or waiting to retry; the job counts by state."""
        worker = self.worker(**overrides)
        deadline = time.monotonic() + max_seconds
        while True:
            worker.run_until_idle(max_seconds=max(0.1, deadline - time.monotonic()))
            counts = self.hub.store.jobs.counts()
            if not (counts.get("pending") or counts.get("retry_wait") or counts.get("running")):
                return counts
            if time.monotonic() > deadline:
                return counts
            time.sleep(0.02)


def _odoo_settings(url: str, db: str, login: str, key: str) -> OdooSettings:
    return OdooSettings(url=url, db=db, login=login, api_key=key, retry_base_seconds=0.0)


@contextlib.contextmanager
def stack(
    store: Store,
    *,
    odoo: RealOdoo | None = None,
    odoo_version: int = 19,
    harvest_crm: str = "hubspot",
    flows: dict[str, FlowSection] | None = None,
    mapping_overrides: dict[str, Any] | None = None,
) -> Iterator[Stack]:
    """Start the emulators, prepare Odoo, and yield the wired hub."""
    servers: list[RunningServer] = []
    closers: list[Any] = []
    try:
        if odoo is None:
            key = secrets.token_hex(20)
            running = start_in_thread(
                odoo_app(
                    version=odoo_version,
                    db="demo",
                    login="admin",
                    password="admin",  # noqa: S106 - the emulator's own admin
                    api_key=key,
                )
            )
            servers.append(running)
            odoo_settings = _odoo_settings(running.url, "demo", "admin", key)
        else:
            odoo_settings = _odoo_settings(odoo.url, odoo.db, odoo.login, odoo.api_key)
        admin = OdooClient(odoo_settings)
        closers.append(admin)
        flow_client = admin
        if odoo is not None and odoo.flow_login and odoo.flow_api_key:
            flow_client = OdooClient(
                _odoo_settings(odoo.url, odoo.db, odoo.flow_login, odoo.flow_api_key)
            )
            closers.append(flow_client)
        hub_token, hub_secret = secrets.token_hex(16), secrets.token_hex(16)
        sf_token = secrets.token_hex(24)
        hv_token = secrets.token_hex(24)
        hs = start_in_thread(hubspot_app(token=hub_token, client_secret=hub_secret))
        sf = start_in_thread(
            salesforce_app(
                access_token=sf_token, client_id="l2c-demo", client_secret=secrets.token_hex(8)
            )
        )
        hv = start_in_thread(harvest_app(token=hv_token, account_id=HARVEST_ACCOUNT))
        servers += [hs, sf, hv]
        control = {
            name: httpx.Client(base_url=s.url, timeout=30.0)
            for name, s in (("hubspot", hs), ("salesforce", sf), ("harvest", hv))
        }
        if odoo is None:
            control["odoo"] = httpx.Client(base_url=servers[0].url, timeout=30.0)
        closers += list(control.values())
        hs_settings = HubSpotSettings(
            base_url=hs.url,
            token=hub_token,
            client_secret=hub_secret,
            max_attempts=2,  # the job engine retries; keep the client's own loop short
            retry_base_seconds=0.05,
        )
        sf_settings = SalesforceSettings(
            auth_flow="access_token",
            access_token=sf_token,
            instance_url=sf.url,
            login_url=sf.url,
            currency=GBP,  # the UK entity's org: single-currency, in pounds
        )
        hv_settings = HarvestSettings(
            base_url=hv.url,
            account_id=HARVEST_ACCOUNT,
            token=hv_token,
            user_agent="lead2cash-demo (demo@lead2cash.example)",
        )
        http = [httpx.Client(timeout=30.0) for _ in range(3)]
        closers += http
        facts = prepare_odoo(admin)
        if flow_client is not admin:
            grant_companies(admin, flow_client.settings.login, list(facts.company_ids.values()))
        document = mapping_document(facts, harvest_crm=harvest_crm)
        document.update(mapping_overrides or {})
        mapper = Mapper(MappingSpec.model_validate(document))
        hub = Hub(
            store=store,
            mapper=mapper,
            odoo=flow_client,
            hubspot=HubSpotClient(http[0], hs_settings),
            salesforce=SalesforceClient(http[1], sf_settings),
            harvest=HarvestClient(http[2], hv_settings),
            flows=flows or {},
        )
        registry = HandlerRegistry()
        handlers.register(registry)
        yield Stack(hub, facts, admin, control, servers, registry)
    finally:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                closer.close()
        for server in servers:
            server.stop()
