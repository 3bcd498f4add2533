"""The engine's commands: version, db upgrade, jobs list/show/replay/ignore, audit verify, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from lead2cash import __version__
from lead2cash.cli.main import app
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobState, NewJob, Outcome
from lead2cash.store.tables import audit

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def failed_jobs(url: str) -> Store:
    store = Store.open(url, upgrade=True)
    store.jobs.enqueue([NewJob("k.sync", f"key-{i}", {"i": i}) for i in range(3)])
    claimed = store.jobs.claim("w", limit=3)
    store.jobs.finish(
        "w",
        [
            Outcome(
                claimed[0].id,
                JobState.EXCEPTION,
                error_class="validation",
                error_message="bad currency",
            ),
            Outcome(claimed[1].id, JobState.DEAD, error_class="transient", error_message="503"),
            Outcome(claimed[2].id, JobState.DONE),
        ],
    )
    return store


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"l2c {__version__}"


def test_python_dash_m_is_the_same_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lead2cash", "--version"], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == f"l2c {__version__}"


def test_db_upgrade_is_idempotent(url: str) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
        assert result.exit_code == 0, result.output
        assert "schema up to date" in result.output


def test_jobs_list_filters_and_json(url: str, failed_jobs: Store) -> None:
    result = runner.invoke(
        app,
        [
            "jobs",
            "list",
            "--state",
            "exception",
            "--state",
            "dead",
            "--json",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert sorted(r["state"] for r in rows) == ["dead", "exception"]
    table = runner.invoke(app, ["jobs", "list", "--kind", "k.sync", "--database-url", url])
    assert "validation" in table.output
    assert "done=1" in table.output
    bad = runner.invoke(app, ["jobs", "list", "--state", "nonsense", "--database-url", url])
    assert bad.exit_code == 2
    age = runner.invoke(app, ["jobs", "list", "--older-than", "soon", "--database-url", url])
    assert age.exit_code == 2


def test_jobs_show_has_history(url: str, failed_jobs: Store) -> None:
    result = runner.invoke(app, ["jobs", "show", "1", "--json", "--database-url", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [h["to_state"] for h in data["history"]] == ["pending", "running", "exception"]
    missing = runner.invoke(app, ["jobs", "show", "999", "--database-url", url])
    assert missing.exit_code == 1


def test_jobs_replay_with_edited_payload_and_by_filter(
    url: str, failed_jobs: Store, tmp_path: Path
) -> None:
    payload = tmp_path / "fixed.json"
    payload.write_text('{"i": 0, "currency": "EUR"}')
    result = runner.invoke(
        app,
        [
            "jobs",
            "replay",
            "1",
            "--payload-file",
            str(payload),
            "--reason",
            "fixed currency",
            "--actor",
            "ann",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    job = failed_jobs.jobs.get(1)
    assert job is not None
    assert job.state is JobState.PENDING
    assert job.payload == {"i": 0, "currency": "EUR"}
    by_filter = runner.invoke(app, ["jobs", "replay", "--state", "dead", "--database-url", url])
    assert "replayed 1 job" in by_filter.output
    nothing = runner.invoke(app, ["jobs", "replay", "--database-url", url])
    assert nothing.exit_code == 2


def test_jobs_ignore_needs_reason(url: str, failed_jobs: Store) -> None:
    no_reason = runner.invoke(app, ["jobs", "ignore", "1", "--database-url", url])
    assert no_reason.exit_code == 2
    result = runner.invoke(
        app, ["jobs", "ignore", "1", "2", "--reason", "handled by hand", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert failed_jobs.jobs.counts() == {"ignored": 2, "done": 1}


def test_audit_verify_exit_codes(url: str, failed_jobs: Store) -> None:
    runner.invoke(app, ["jobs", "ignore", "1", "--reason", "x", "--database-url", url])
    ok = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert ok.exit_code == 0
    assert "intact: 1 rows" in ok.output
    with failed_jobs.engine.begin() as conn:
        conn.execute(update(audit).values(actor="mallory"))
    broken = runner.invoke(app, ["audit", "verify", "--json", "--database-url", url])
    assert broken.exit_code == 1
    assert json.loads(broken.output)["ok"] is False


def test_worker_without_handlers_is_a_usage_error(url: str) -> None:
    result = runner.invoke(app, ["worker", "--burst", "--database-url", url])
    assert result.exit_code == 2


def test_worker_burst_runs_jobs(url: str, failed_jobs: Store) -> None:
    failed_jobs.jobs.enqueue([NewJob("test.noop", f"n{i}", {}) for i in range(10)])
    result = runner.invoke(
        app,
        ["worker", "--burst", "--handlers", "lead2cash.testing.handlers", "--database-url", url],
    )
    assert result.exit_code == 0, result.output
    assert failed_jobs.jobs.counts()["done"] == 11


def test_demo_runs_to_the_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lead2cash", "demo", "--no-serve", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in result.stdout.splitlines()
        if line.count("│") == 3
    }
    assert rows["confirmed sale orders in Odoo"] == "6"  # 4 HubSpot deals, 2 Salesforce
    assert rows["projects Odoo created from them"] == "6"
    assert rows["exception/validation"] == "2"  # the Barter deal, the unmapped expense
    assert rows["invoices drafted by contract terms"] == "6"  # one per contract, November
    assert rows["billing runs to check"] == "0"  # every draft is what the terms say
    assert "parked" not in rows and "dead" not in rows
    assert "audit chain: intact" in result.stdout


def test_trace_command(url: str, failed_jobs: Store) -> None:
    job = failed_jobs.jobs.get(1)
    assert job is not None
    result = runner.invoke(app, ["trace", job.correlation_id, "--json", "--database-url", url])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)["events"]
    assert [e["what"] for e in events] == ["job", "job", "job"]
    unknown = runner.invoke(app, ["trace", "nope", "--database-url", url])
    assert unknown.exit_code == 1
