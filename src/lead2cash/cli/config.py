"""``l2c config check|show``: validate the configuration and mappings; print them safely."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import yaml

from lead2cash import errors
from lead2cash.cli.common import console, err_console, fail
from lead2cash.config.loader import load
from lead2cash.config.schema import HubConfig
from lead2cash.mapping.engine import Mapper
from lead2cash.security.secrets import resolve

app = typer.Typer(help="The hub's configuration file.", no_args_is_help=True)

FILE = typer.Option(
    Path("lead2cash.yaml"), "--file", "-f", envvar="L2C_CONFIG", help="The configuration file."
)
ENV = typer.Option("dev", "--env", envvar="L2C_ENV", help="dev, test, staging or prod.")


def load_all(path: Path, env: str) -> tuple[HubConfig, Mapper]:
    config = load(HubConfig, path, env)
    mappings = config.mappings if config.mappings.is_absolute() else path.parent / config.mappings
    return config, Mapper.load(mappings)


@app.command("check")
def check(
    path: Path = FILE,
    env: str = ENV,
    live: bool = typer.Option(False, "--live", help="Also resolve every secret reference."),
) -> None:
    """Validate the file, its environment overlay and the mapping file; exit 2 on a problem."""
    try:
        config, mapper = load_all(path, env)
    except errors.ConfigError as exc:
        fail(str(exc), code=2)
    console.print(f"{path} ({env}): valid; mappings version {mapper.version}")
    if live:
        problems = 0
        for where, reference in config.secret_references().items():
            try:
                resolve(reference, environ=dict(os.environ))
            except errors.ConfigError as exc:
                problems += 1
                err_console.print(f"[red]{where}[/red]: {exc.message}", highlight=False)
            else:
                console.print(f"{where}: {reference} resolves")
        if problems:
            raise typer.Exit(2)


@app.command("show")
def show(path: Path = FILE, env: str = ENV) -> None:
    """Print the effective configuration (overlay applied); secrets appear as references."""
    try:
        config, mapper = load_all(path, env)
    except errors.ConfigError as exc:
        fail(str(exc), code=2)
    data = config.model_dump(mode="json", exclude_none=True)
    data["mappings_version"] = mapper.version
    console.print(yaml.safe_dump(data, sort_keys=False), highlight=False, markup=False)
