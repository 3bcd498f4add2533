"""``l2c serve``: the HTTP API (webhooks, /api, /metrics, /healthz) with uvicorn.

Webhook intakes come from the configuration: ``hubspot.client_secret`` (a secret reference)
enables ``POST /webhooks/hubspot``. Without a configuration file the API serves no webhooks.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from lead2cash import errors
from lead2cash.api.app import create_app
from lead2cash.cli.common import DB_OPTION, LOG_JSON, console, fail, open_store
from lead2cash.config.loader import load
from lead2cash.config.schema import HubConfig
from lead2cash.connectors.base import WebhookVerifier
from lead2cash.connectors.hubspot.webhooks import HubSpotWebhookVerifier
from lead2cash.observability import logs
from lead2cash.security.secrets import resolve


def verifiers_from(config: HubConfig) -> dict[str, WebhookVerifier]:
    """The webhook verifiers the configuration enables (secrets resolved now)."""
    found: dict[str, WebhookVerifier] = {}
    if config.hubspot and config.hubspot.client_secret:
        found["hubspot"] = HubSpotWebhookVerifier(
            client_secret=resolve(config.hubspot.client_secret, environ=dict(os.environ)),
            public_origin=config.hubspot.webhook_public_origin,
        )
    return found


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    config_file: Path | None = typer.Option(None, "--config", "-f", envvar="L2C_CONFIG"),
    env: str = typer.Option("dev", "--env", envvar="L2C_ENV"),
    log_json: bool = LOG_JSON,
    database_url: str | None = DB_OPTION,
) -> None:
    """Serve the API until interrupted."""
    logs.configure(json_lines=log_json)
    verifiers: dict[str, WebhookVerifier] = {}
    if config_file is not None:
        try:
            verifiers = verifiers_from(load(HubConfig, config_file, env))
        except errors.ConfigError as exc:
            fail(str(exc), code=2)
    console.print(f"webhooks: {', '.join(sorted(verifiers)) or 'none configured'}")
    store = open_store(database_url)
    try:
        uvicorn.run(create_app(store, verifiers=verifiers), host=host, port=port, log_level="info")
    finally:
        store.close()
