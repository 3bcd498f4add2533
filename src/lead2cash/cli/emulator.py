"""``l2c emulator <system>``: serve one emulator in the foreground on 127.0.0.1.

Credentials not given as flags are generated and printed at start, so a developer can point a
client at the emulator straight away.
"""

from __future__ import annotations

import secrets

import typer

from lead2cash.emulators.server import serve_forever

app = typer.Typer(
    help="Run an emulator of an external system (for demos and tests).", no_args_is_help=True
)

HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on.")
TLS = typer.Option(False, "--tls", help="Serve HTTPS with a self-signed certificate.")


def _token(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(16)}"


@app.command("odoo")
def odoo(
    port: int = typer.Option(8069, "--port"),
    host: str = HOST,
    version: int = typer.Option(19, "--version", help="Odoo major version: 17, 18 or 19."),
    db: str = typer.Option("odoo", "--db"),
    login: str = typer.Option("admin", "--login"),
    password: str = typer.Option("admin", "--password"),
    api_key: str | None = typer.Option(None, "--api-key"),
    tls: bool = TLS,
) -> None:
    """An Odoo 17/18/19 server: XML-RPC, JSON-RPC and JSON-2."""
    from lead2cash.emulators.odoo import create_app

    if version not in (17, 18, 19):
        raise typer.BadParameter("--version must be 17, 18 or 19")
    key = api_key or secrets.token_hex(20)
    typer.echo(
        f"Odoo {version}.0 emulator on {'https' if tls else 'http'}://{host}:{port} "
        f"db={db} login={login} api_key={key}"
    )
    serve_forever(
        create_app(version=version, db=db, login=login, password=password, api_key=key),
        host,
        port,
        tls=tls,
    )


@app.command("hubspot")
def hubspot(
    port: int = typer.Option(8090, "--port"),
    host: str = HOST,
    token: str | None = typer.Option(None, "--token", help="Private-app bearer token."),
    client_secret: str | None = typer.Option(
        None, "--client-secret", help="App secret that signs webhooks (v3)."
    ),
    webhook_url: str | None = typer.Option(
        None, "--webhook-url", help="Where signed webhooks are sent."
    ),
    tls: bool = TLS,
) -> None:
    """HubSpot CRM: objects, search, associations, pipelines, webhooks v3."""
    from lead2cash.emulators.hubspot import create_app

    token = token or _token("pat-na1")
    client_secret = client_secret or secrets.token_hex(16)
    typer.echo(
        f"HubSpot emulator on {'https' if tls else 'http'}://{host}:{port} "
        f"token={token} client_secret={client_secret}"
    )
    serve_forever(
        create_app(token=token, client_secret=client_secret, webhook_url=webhook_url),
        host,
        port,
        tls=tls,
    )


@app.command("salesforce")
def salesforce(
    port: int = typer.Option(8091, "--port"),
    host: str = HOST,
    access_token: str | None = typer.Option(
        None, "--access-token", help="OAuth access token; also a session id."
    ),
    client_id: str | None = typer.Option(None, "--client-id"),
    client_secret: str | None = typer.Option(None, "--client-secret"),
    tls: bool = TLS,
) -> None:
    """Salesforce REST: OAuth, SOQL, sObjects, upsert by external id, deleted."""
    from lead2cash.emulators.salesforce import create_app

    access_token = access_token or _token("00D000000000001")
    client_id = client_id or _token("3MVG9")
    client_secret = client_secret or secrets.token_hex(16)
    typer.echo(
        f"Salesforce emulator on {'https' if tls else 'http'}://{host}:{port} "
        f"access_token={access_token} client_id={client_id} client_secret={client_secret}"
    )
    serve_forever(
        create_app(access_token=access_token, client_id=client_id, client_secret=client_secret),
        host,
        port,
        tls=tls,
    )


@app.command("harvest")
def harvest(
    port: int = typer.Option(8092, "--port"),
    host: str = HOST,
    token: str | None = typer.Option(None, "--token", help="Personal access token."),
    account_id: str | None = typer.Option(None, "--account-id"),
    tls: bool = TLS,
) -> None:
    """Harvest API v2: time entries, expenses, users, clients, projects, tasks."""
    from lead2cash.emulators.harvest import create_app

    token = token or _token("harvest")
    account_id = account_id or str(secrets.randbelow(9_000_000) + 1_000_000)
    typer.echo(
        f"Harvest emulator on {'https' if tls else 'http'}://{host}:{port} "
        f"token={token} account_id={account_id}"
    )
    serve_forever(create_app(token=token, account_id=account_id), host, port, tls=tls)
