"""``l2c demo``: run the demo on the embedded default (SQLite in ./.l2c)."""

from __future__ import annotations

from pathlib import Path

import typer

from lead2cash.cli.common import console, fail


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Exit when done."),
    port: int = typer.Option(8000, "--port", help="Where the API serves the demo's store."),
    home: Path = typer.Option(Path(".l2c"), "--home", help="Where the demo database goes."),
) -> None:
    """Run the lead2cash demo and print what happened."""
    from lead2cash.demo import engine

    home.mkdir(parents=True, exist_ok=True)
    counts = engine.run(console, home)
    if counts != {"done": sum(counts.values())}:
        fail(f"demo ended with jobs not done: {counts}")
    if not no_serve:
        import uvicorn

        from lead2cash.api.app import create_app
        from lead2cash.store.facade import Store

        store = Store.open(f"sqlite:///{home / 'demo-engine.db'}")
        console.print(
            f"serving the demo's jobs on http://127.0.0.1:{port} (/healthz, /metrics, "
            "/api with a token from `l2c tokens create`); Ctrl-C to stop"
        )
        try:
            uvicorn.run(create_app(store), host="127.0.0.1", port=port, log_level="warning")
        finally:
            store.close()
