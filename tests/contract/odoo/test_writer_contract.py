"""The writer contract: upsert by external id is idempotent, and a batch with a bad row writes
the good rows and classifies the bad one, on the emulator and on a real Odoo; plus 10,000
timesheets written twice through the emulator."""

from __future__ import annotations

import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.transports import CountingTransport
from lead2cash.connectors.odoo.writer import ExternalIdWriter, UpsertRow, external_id


def _partner_rows(target: Any, run: str, n: int, **extra: Any) -> list[UpsertRow]:
    return [
        UpsertRow(
            external_id("ct", "partner", f"{run}-{i}"),
            {
                "name": f"{target.unique('w')} {i}",
                "is_company": i % 2 == 0,
                "ref": f"W{i}",
                **extra,
            },
        )
        for i in range(n)
    ]


def test_upsert_by_external_id_is_idempotent(target: Any) -> None:
    client = target.client()
    run = uuid.uuid4().hex[:10]
    writer = ExternalIdWriter(client, batch_size=4)
    rows = _partner_rows(target, run, 6)
    first = writer.upsert("res.partner", rows)
    ids = target.track("res.partner", [r.odoo_id for r in first.results])
    assert all(r.ok for r in first.results), [r.error for r in first.failed]
    assert first.calls == 2
    changed = [UpsertRow(r.xmlid, {**r.values, "ref": f"{r.values['ref']}b"}) for r in rows]
    second = writer.upsert("res.partner", changed)
    assert [r.odoo_id for r in second.results] == ids
    refs = {r["id"]: r["ref"] for r in client.read("res.partner", ids, ["ref"])}
    assert refs == {i: f"W{n}b" for n, i in enumerate(ids)}
    again = writer.upsert("res.partner", changed)
    assert [r.odoo_id for r in again.results] == ids
    cache_ids = {x.xmlid: x.odoo_id for x in again.results}
    assert len(set(cache_ids.values())) == 6


def test_a_bad_row_never_fails_the_good_ones(target: Any) -> None:
    client = target.client()
    run = uuid.uuid4().hex[:10]
    rows = _partner_rows(target, run, 6)
    rows[2] = UpsertRow(rows[2].xmlid, {**rows[2].values, "type": "no-such-type"})
    rows[4] = UpsertRow(
        rows[4].xmlid, {**rows[4].values, "parent_id/id": f"lead2cash.ct_partner_{run}-missing"}
    )
    report = ExternalIdWriter(client).upsert("res.partner", rows)
    target.track("res.partner", [r.odoo_id for r in report.written])
    assert [r.ok for r in report.results] == [True, True, False, True, False, True]
    bad_type, bad_ref = report.results[2].error, report.results[4].error
    assert isinstance(bad_type, errors.RejectedError)
    assert "no-such-type" in bad_type.message
    assert isinstance(bad_ref, errors.NotFoundError)
    assert bad_ref.failure_class == errors.FailureClass.MISSING_REFERENCE
    assert (
        client.search_count("res.partner", [("id", "in", [r.odoo_id for r in report.written])]) == 4
    )


def test_constraint_error_blames_only_its_row(target: Any) -> None:
    """Odoo 18/19 report a batch's constraint error on the first row too; only the real
    culprit fails."""
    client = target.client()
    run = uuid.uuid4().hex[:10]
    owner = target.unique("barcode owner")
    [pid] = target.track(
        "res.partner", client.create("res.partner", [{"name": owner, "barcode": f"BC{run}"}])
    )
    rows = _partner_rows(target, run, 5)
    rows[3] = UpsertRow(rows[3].xmlid, {**rows[3].values, "barcode": f"BC{run}"})
    report = ExternalIdWriter(client).upsert("res.partner", rows)
    target.track("res.partner", [r.odoo_id for r in report.written])
    assert [r.ok for r in report.results] == [True, True, True, False, True]
    error = report.results[3].error
    assert isinstance(error, errors.RejectedError)
    assert "barcode" in error.message.lower()
    assert pid > 0


@pytest.fixture
def emulator_19(target: Any) -> Any:
    if not (target.emulated and target.version == 19 and target.protocol == "json2"):
        pytest.skip("the 10,000-row run needs only one target: emulator 19 over JSON-2")
    return target


def test_ten_thousand_timesheets_written_twice(emulator_19: Any) -> None:
    target = emulator_19
    client = target.client()
    run = uuid.uuid4().hex[:10]
    project_xmlid = external_id("ct", "project", run)
    setup = ExternalIdWriter(client).upsert(
        "project.project",
        [UpsertRow(project_xmlid, {"name": f"TS {run}", "allow_timesheets": True})],
    )
    assert setup.results[0].ok, setup.results[0].error
    [employee] = client.create("hr.employee", [{"name": f"Consultant {run}"}])
    rows = [
        UpsertRow(
            external_id("harvest", "time_entry", f"{run}-{i}"),
            {
                "name": f"work {i}",
                "date": date(2026, 3, 2),
                "unit_amount": Decimal("0.25") * (1 + i % 8),
                "project_id/id": project_xmlid,
                "employee_id/.id": employee,
            },
        )
        for i in range(10_000)
    ]
    counter = client.wrap_transport(CountingTransport)
    writer = ExternalIdWriter(client)
    started = time.perf_counter()
    first = writer.upsert("account.analytic.line", rows)
    second = writer.upsert("account.analytic.line", rows)
    elapsed = time.perf_counter() - started
    assert not first.failed, first.failed[0].error
    assert not second.failed, second.failed[0].error
    assert [r.odoo_id for r in second.results] == [r.odoo_id for r in first.results]
    assert counter.calls == {"account.analytic.line.load": 40}
    project_id = setup.results[0].odoo_id
    assert client.search_count("account.analytic.line", [("project_id", "=", project_id)]) == 10_000
    assert elapsed < 60
