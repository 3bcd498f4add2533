"""``l2c demo``: the lead-to-cash lifecycle of a seeded firm on the embedded default (SQLite in
./.l2c and the built-in emulators), or against a real Odoo test database."""

from __future__ import annotations

from pathlib import Path

import typer

from lead2cash.cli.common import console, fail


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Exit when done."),
    port: int = typer.Option(8000, "--port", help="Where the API serves the demo's store."),
    home: Path = typer.Option(Path(".l2c"), "--home", help="Where the demo database goes."),
    odoo_url: str | None = typer.Option(
        None, "--odoo-url", help="A real Odoo TEST database instead of the Odoo emulator."
    ),
    odoo_db: str | None = typer.Option(None, "--odoo-db"),
    odoo_login: str | None = typer.Option(None, "--odoo-login"),
    odoo_api_key: str | None = typer.Option(
        None, "--odoo-api-key", envvar="L2C_DEMO_ODOO_API_KEY", help="Or L2C_DEMO_ODOO_API_KEY."
    ),
) -> None:
    """Run the lead2cash demo: a firm's deals, time and expenses through every flow."""
    from lead2cash.demo import lifecycle
    from lead2cash.demo.stack import RealOdoo
    from lead2cash.store.facade import Store

    real = None
    given = [odoo_url, odoo_db, odoo_login, odoo_api_key]
    if any(given):
        if not (odoo_url and odoo_db and odoo_login and odoo_api_key):
            fail("--odoo-url, --odoo-db, --odoo-login and --odoo-api-key go together", code=2)
        real = RealOdoo(odoo_url, odoo_db, odoo_login, odoo_api_key)
        console.print(
            f"running against the real Odoo at {odoo_url} (database {odoo_db}): it gets two "
            "companies' worth of demo customers, orders, projects, time and expenses"
        )
    home.mkdir(parents=True, exist_ok=True)
    path = home / "demo.db"
    for old in home.glob("demo.db*"):
        old.unlink()
    store = Store.open(f"sqlite:///{path}", upgrade=True)
    try:
        summary = lifecycle.run(console, store, odoo=real)
    finally:
        store.close()
    if not summary.audit_ok or summary.jobs.get("dead"):
        fail(f"the demo ended badly: jobs {summary.jobs}, audit ok: {summary.audit_ok}")
    console.print(f"the demo's store: {path} (l2c jobs list --database-url sqlite:///{path})")
    if not no_serve:
        import uvicorn

        from lead2cash.api.app import create_app

        store = Store.open(f"sqlite:///{path}")
        console.print(
            f"serving the demo's store on http://127.0.0.1:{port} (/healthz, /metrics, "
            "/api with a token from `l2c tokens create`); Ctrl-C to stop"
        )
        try:
            uvicorn.run(create_app(store), host="127.0.0.1", port=port, log_level="warning")
        finally:
            store.close()
