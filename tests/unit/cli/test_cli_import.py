"""``l2c import``: good rows into the inbox, bad rows held as exceptions, nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lead2cash.cli.main import app
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobFilter

runner = CliRunner()

CSV = """id,date,hours,person,project,task,approved
t1,2026-11-02,7.5,Alice Martin,Acme rollout,Design,yes
t2,2026-11-03,eight,Alice Martin,Acme rollout,Design,yes
t3,2026-11-04,4,Bob Janssens,Acme rollout,Build,yes
"""


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "time.csv"
    path.write_text(CSV)
    return path


def test_good_rows_stored_bad_rows_held_and_reimport_is_idempotent(
    csv_file: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'i.db'}"
    args = ["import", "timesheets", str(csv_file), "--profile", "generic", "--database-url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 1  # a bad row is a failure the operator must see
    assert "line 3" in first.output
    assert "2 stored, 0 already imported, 1 held as exceptions" in first.output
    again = runner.invoke(app, args)
    assert "0 stored, 2 already imported, 0 held" in again.output
    store = Store.open(url)
    assert store.inbox.count("csv") == 2
    [held] = store.jobs.find(JobFilter(states=["exception"]))
    assert held.kind == "csv.timesheets.import"
    assert held.error_class == "validation"
    assert held.payload["line"] == 3
    assert held.payload["raw"]["hours"] == "eight"
    assert store.jobs.counts() == {"pending": 2, "exception": 1}
    store.close()


def test_all_or_nothing_refuses_the_whole_file(csv_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'i.db'}"
    result = runner.invoke(
        app, ["import", "timesheets", str(csv_file), "--all-or-nothing", "--database-url", url]
    )
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    store = Store.open(url)
    assert store.inbox.count() == 0
    assert store.jobs.counts() == {}
    store.close()


def test_unknown_profile_and_missing_file_are_usage_errors(csv_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'i.db'}"
    bad = runner.invoke(
        app, ["import", "expenses", str(csv_file), "--profile", "nope", "--database-url", url]
    )
    assert bad.exit_code == 2
    missing = runner.invoke(
        app, ["import", "expenses", str(tmp_path / "none.csv"), "--database-url", url]
    )
    assert missing.exit_code == 2


def test_payload_is_json_ready(csv_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'i.db'}"
    runner.invoke(app, ["import", "timesheets", str(csv_file), "--database-url", url])
    store = Store.open(url)
    row = store.inbox.get(1)
    assert row is not None
    assert json.loads(json.dumps(row["payload"]))["hours"] == "7.5"
    store.close()
