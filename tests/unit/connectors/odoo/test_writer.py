"""The writer: external ids, cells as text, batches, idempotent upserts, and bad rows that never
fail the good ones (both the 17 and the 18/19 ``load`` message shapes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.transports import CountingTransport
from lead2cash.connectors.odoo.writer import ExternalIdWriter, UpsertRow, external_id, to_cell

MakeClient = Callable[..., OdooClient]


def test_external_ids_are_deterministic_and_safe() -> None:
    assert external_id("harvest", "time_entry", 123) == "lead2cash.harvest_time_entry_123"
    assert (
        external_id("hubspot", "deal", "0065g00000AbCd") == "lead2cash.hubspot_deal_0065g00000AbCd"
    )
    assert external_id("csv", "row", "a-b c") == "lead2cash.csv_row_a-2db-20c"
    assert external_id("csv", "row", "x_y.z") == "lead2cash.csv_row_x-5fy-2ez"
    assert external_id("csv", "row", "é") == "lead2cash.csv_row_-c3-a9"
    assert external_id("sf", "account", "1", module="acme_hub") == "acme_hub.sf_account_1"


def test_external_ids_are_injective() -> None:
    ids = ["a_b", "a-5fb", "a b", "a.b", "ab", "a-b", "A_B"]
    built = {external_id("s", "t", i) for i in ids}
    assert len(built) == len(ids)
    assert external_id("s", "t_u", "1") != external_id("s", "t", "u_1")


@pytest.mark.parametrize(
    ("system", "kind", "source"),
    [
        ("Hub", "deal", 1),
        ("hub_spot", "deal", 1),
        ("hub", "Deal", 1),
        ("hub", "deal", ""),
        ("hub", "_x", 1),
    ],
)
def test_external_id_rejects_bad_parts(system: str, kind: str, source: Any) -> None:
    with pytest.raises(ValueError, match=r"invalid|empty"):
        external_id(system, kind, source)


def test_cells_are_text_as_the_importer_wants() -> None:
    assert to_cell(True) == "1" and to_cell(False) == "0"
    assert to_cell(None) == ""
    assert to_cell(7) == "7"
    assert to_cell(Decimal("1E+3")) == "1000"
    assert to_cell(Decimal("0.10")) == "0.10"
    assert to_cell(date(2026, 2, 28)) == "2026-02-28"
    cet = timezone(timedelta(hours=1))
    assert to_cell(datetime(2026, 2, 28, 9, 0, tzinfo=cet)) == "2026-02-28 08:00:00"
    assert to_cell(datetime(2026, 2, 28, 9, 0, tzinfo=UTC)) == "2026-02-28 09:00:00"
    with pytest.raises(ValueError, match="naive"):
        to_cell(datetime(2026, 2, 28))
    with pytest.raises(ValueError, match="NaN"):
        to_cell(Decimal("NaN"))
    with pytest.raises(TypeError):
        to_cell(object())


def _rows(n: int, start: int = 0, **extra: Any) -> list[UpsertRow]:
    return [
        UpsertRow(
            external_id("harvest", "time_entry", i),
            {
                "name": f"entry {i}",
                "unit_amount": Decimal("1.5"),
                "date": date(2026, 3, 2),
                **extra,
            },
        )
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc", "xmlrpc"])
def test_upsert_is_idempotent(fake: Any, make_client: MakeClient, protocol: str) -> None:
    client = make_client(fake, protocol=protocol, batch_size=4)
    writer = ExternalIdWriter(client)
    first = writer.upsert("account.analytic.line", _rows(10))
    assert [r.ok for r in first.results] == [True] * 10
    assert first.calls == 3  # 4 + 4 + 2
    again = writer.upsert("account.analytic.line", _rows(10))
    assert [r.odoo_id for r in again.results] == [r.odoo_id for r in first.results]
    assert len(fake.records["account.analytic.line"]) == 10
    row = fake.records["account.analytic.line"][first.results[0].odoo_id]
    assert row == {"name": "entry 0", "unit_amount": "1.5", "date": "2026-03-02"}


def test_load_call_shape(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, company_ids=(2,))
    ExternalIdWriter(client).upsert(
        "account.analytic.line",
        [UpsertRow("lead2cash.h_t_1", {"project_id/id": "", "name": "x", "billable": True})],
        context={"lang": "en_US"},
    )
    [call] = [c for c in fake.calls if c[2] == "load"]
    assert call[3]["kwargs"] == {
        "fields": ["id", "billable", "name", "project_id/id"],
        "data": [["lead2cash.h_t_1", "1", "x", ""]],
    }
    assert call[3]["tz"] == "UTC" and call[3]["lang"] == "en_US"
    assert call[3]["allowed_company_ids"] == [2]


def test_one_call_per_batch_of_500(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake)
    counter = client.wrap_transport(CountingTransport)
    report = ExternalIdWriter(client).upsert("account.analytic.line", _rows(1200))
    assert len(report.written) == 1200
    assert counter.calls == {"account.analytic.line.load": 3}


def _reject_when(name: str) -> Callable[[dict[str, Any]], str | None]:
    return lambda vals: (
        f"Hours must be positive ({vals['name']})" if vals.get("name") == name else None
    )


@pytest.mark.parametrize("version", [17, 19])
@pytest.mark.parametrize("bad", [0, 3, 9])
def test_one_bad_row_never_fails_the_others(
    fake: Any, make_client: MakeClient, version: int, bad: int
) -> None:
    fake.version = version
    fake.validators["account.analytic.line"] = _reject_when(f"entry {bad}")
    client = make_client(fake, protocol="jsonrpc")
    report = ExternalIdWriter(client).upsert("account.analytic.line", _rows(10))
    failed = report.failed
    assert [r.xmlid for r in failed] == [external_id("harvest", "time_entry", bad)]
    assert isinstance(failed[0].error, errors.RejectedError)
    assert "Hours must be positive" in failed[0].error.message
    assert len(report.written) == 9
    assert len(fake.records["account.analytic.line"]) == 9
    # One failing call, then the good rows (18/19: a wrongly blamed first row rides along).
    assert report.calls == 2


def test_two_bad_rows_including_the_first(fake: Any, make_client: MakeClient) -> None:
    fake.validators["account.analytic.line"] = lambda v: (
        "bad" if v["name"] in ("entry 0", "entry 5") else None
    )
    report = ExternalIdWriter(make_client(fake)).upsert("account.analytic.line", _rows(8))
    assert sorted(r.key for r in report.failed) == sorted(
        external_id("harvest", "time_entry", i) for i in (0, 5)
    )
    assert len(report.written) == 6


def test_missing_reference_is_classified_not_found(fake: Any, make_client: MakeClient) -> None:
    fake.xmlids["lead2cash.hubspot_project_1"] = ("project.project", 50)
    rows = [
        UpsertRow(f"lead2cash.harvest_time_entry_{i}", {"name": f"e{i}", "project_id/id": ref})
        for i, ref in enumerate(
            [
                "lead2cash.hubspot_project_1",
                "lead2cash.hubspot_project_404",
                "lead2cash.hubspot_project_1",
            ]
        )
    ]
    report = ExternalIdWriter(make_client(fake)).upsert("account.analytic.line", rows)
    [bad] = report.failed
    assert bad.xmlid == "lead2cash.harvest_time_entry_1"
    assert isinstance(bad.error, errors.NotFoundError)
    assert bad.error.failure_class == errors.FailureClass.MISSING_REFERENCE
    assert bad.error.details["field"] == "project_id"
    assert len(report.written) == 2


def test_unattributed_errors_split_the_batch(fake: Any, make_client: MakeClient) -> None:
    bad_name = "entry 2"

    def load(fields: list[str], data: list[list[str]]) -> dict[str, Any]:
        if any(row[fields.index("name")] == bad_name for row in data):
            return {
                "ids": False,
                "messages": [{"type": "error", "message": "Unknown database error"}],
            }
        answer: dict[str, Any] = fake.m_load("account.analytic.line", fields, data)
        return answer

    fake.overrides[("account.analytic.line", "load")] = load
    report = ExternalIdWriter(make_client(fake)).upsert("account.analytic.line", _rows(5))
    [bad] = report.failed
    assert bad.xmlid.endswith("_2")
    assert isinstance(bad.error, errors.UnavailableError)
    assert len(report.written) == 4


def test_whole_call_failure_fails_every_row(
    fake: Any, make_client: MakeClient, odoo_fault: Any
) -> None:
    def load(fields: list[str], data: list[list[str]]) -> None:
        raise odoo_fault("builtins.ValueError", "Invalid field name 'nope'")

    fake.overrides[("account.analytic.line", "load")] = load
    report = ExternalIdWriter(make_client(fake)).upsert("account.analytic.line", _rows(3, nope="x"))
    assert len(report.failed) == 3
    assert all(isinstance(r.error, errors.RejectedError) for r in report.failed)
    assert report.calls == 1


def test_transient_load_failures_are_retried_because_load_is_idempotent(
    fake: Any, make_client: MakeClient
) -> None:
    import httpx

    client = make_client(fake)
    client.connect()
    fake.before.append(lambda r: httpx.Response(503, text="busy"))
    report = ExternalIdWriter(client).upsert("account.analytic.line", _rows(3))
    assert len(report.written) == 3
    assert len(client.sleeps) == 1  # type: ignore[attr-defined]


def test_duplicates_keep_the_last_values(fake: Any, make_client: MakeClient) -> None:
    rows = [
        UpsertRow("lead2cash.h_t_1", {"name": "old"}, key="a"),
        UpsertRow("lead2cash.h_t_2", {"name": "other"}, key="b"),
        UpsertRow("lead2cash.h_t_1", {"name": "new"}, key="c"),
    ]
    report = ExternalIdWriter(make_client(fake)).upsert("account.analytic.line", rows)
    assert [r.key for r in report.results] == ["a", "b", "c"]
    assert report.results[0].odoo_id == report.results[2].odoo_id
    assert fake.records["account.analytic.line"][report.results[0].odoo_id]["name"] == "new"
    assert report.by_key()["b"].ok


def test_rows_with_different_columns_go_in_separate_calls(
    fake: Any, make_client: MakeClient
) -> None:
    rows = [
        UpsertRow("lead2cash.h_t_1", {"name": "a"}),
        UpsertRow("lead2cash.h_t_2", {"name": "b", "ref": "R"}),
    ]
    report = ExternalIdWriter(make_client(fake)).upsert("res.partner", rows)
    assert report.calls == 2 and len(report.written) == 2


def test_bad_external_ids_are_refused(fake: Any, make_client: MakeClient) -> None:
    writer = ExternalIdWriter(make_client(fake))
    for bad in ("no_module", "a.b c", ""):
        with pytest.raises(ValueError, match="external id"):
            writer.upsert("res.partner", [UpsertRow(bad, {"name": "x"})])


def test_warnings_are_reported_on_written_rows(fake: Any, make_client: MakeClient) -> None:
    def load(fields: list[str], data: list[list[str]]) -> dict[str, Any]:
        answer: dict[str, Any] = fake.m_load("res.partner", fields, data)
        answer["messages"] = [{"type": "warning", "message": "Found multiple matches", "record": 1}]
        return answer

    fake.overrides[("res.partner", "load")] = load
    report = ExternalIdWriter(make_client(fake)).upsert(
        "res.partner", [UpsertRow(f"lead2cash.h_p_{i}", {"name": str(i)}) for i in range(2)]
    )
    assert [r.warnings for r in report.results] == [(), ("Found multiple matches",)]
    assert all(r.ok for r in report.results)
