"""``l2c demo``: run the demo on the embedded default (SQLite in ./.l2c)."""

from __future__ import annotations

from pathlib import Path

import typer

from lead2cash.cli.common import console, fail


def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Exit when done."),
    home: Path = typer.Option(Path(".l2c"), "--home", help="Where the demo database goes."),
) -> None:
    """Run the lead2cash demo and print what happened."""
    from lead2cash.demo import engine

    home.mkdir(parents=True, exist_ok=True)
    counts = engine.run(console, home)
    if counts != {"done": sum(counts.values())}:
        fail(f"demo ended with jobs not done: {counts}")
    if not no_serve:
        console.print("(nothing to serve yet: the console arrives with the API)")
