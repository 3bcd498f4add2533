"""``l2c config check|show`` on the shipped example; secrets stay references."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lead2cash.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    for name in ("lead2cash.yaml", "mappings.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path / "lead2cash.yaml"


@pytest.mark.parametrize("env", ["dev", "test", "staging", "prod"])
def test_example_is_valid_in_every_environment(config: Path, env: str) -> None:
    result = runner.invoke(app, ["config", "check", "-f", str(config), "--env", env])
    assert result.exit_code == 0, result.output
    assert "valid; mappings version 1." in result.output


def test_show_applies_overlay_and_prints_references_only(config: Path) -> None:
    result = runner.invoke(
        app,
        ["config", "show", "-f", str(config), "--env", "dev"],
        env={"L2C_ODOO_API_KEY": "super-secret-key"},
    )
    assert result.exit_code == 0, result.output
    assert "url: http://127.0.0.1:8069/" in result.output
    assert "api_key: env:L2C_ODOO_API_KEY" in result.output
    assert "super-secret-key" not in result.output


def test_live_check_resolves_references(config: Path) -> None:
    env = {
        "L2C_ODOO_API_KEY": "k1",
        "L2C_HUBSPOT_TOKEN": "k2",
        "L2C_HUBSPOT_CLIENT_SECRET": "k3",
        "L2C_HARVEST_TOKEN": "k4",
    }
    result = runner.invoke(app, ["config", "check", "-f", str(config), "--live"], env=env)
    # the Salesforce key file does not exist here: reported, exit 2, no value printed
    assert result.exit_code == 2
    assert "salesforce.private_key" in result.output
    assert "odoo.api_key: env:L2C_ODOO_API_KEY resolves" in result.output
    assert "k4" not in result.output


def test_literal_secret_is_refused_without_echo(config: Path) -> None:
    text = config.read_text().replace("env:L2C_HARVEST_TOKEN", "pat-live-123456789")
    config.write_text(text)
    result = runner.invoke(app, ["config", "check", "-f", str(config)])
    assert result.exit_code == 2
    assert "harvest.token" in result.output
    assert "pat-live-123456789" not in result.output
