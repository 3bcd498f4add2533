"""``l2c billing``: usage errors are refused before anything is read."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lead2cash.cli.main import app

runner = CliRunner()


def test_a_bad_period_or_format_is_a_usage_error() -> None:
    bad_period = runner.invoke(app, ["billing", "readiness", "--period", "2026-13"])
    assert bad_period.exit_code == 2
    assert "2026-13" in bad_period.output
    bad_format = runner.invoke(
        app, ["billing", "readiness", "--period", "2026-11", "--format", "xml"]
    )
    assert bad_format.exit_code == 2
    assert "table, json, csv" in bad_format.output
    no_period = runner.invoke(app, ["billing", "run"])
    assert no_period.exit_code == 2


def test_a_missing_configuration_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["billing", "run", "--period", "2026-11", "-f", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 2
    assert "cannot read" in result.output and "none.yaml" in result.output
