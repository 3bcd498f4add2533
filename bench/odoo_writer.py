"""Odoo writer throughput: ``load`` by external id in batches vs one ``create`` call per record,
measured side by side in one run against the same Odoo.

    python bench/odoo_writer.py [--rows 2000] [--batch 500] [--version 19] [--protocol auto]

By default an Odoo emulator is served in-process on 127.0.0.1 (a real socket, so HTTP costs are
real). When ``L2C_TEST_ODOO_URL``, ``L2C_TEST_ODOO_DB``, ``L2C_TEST_ODOO_LOGIN`` and
``L2C_TEST_ODOO_API_KEY`` are all set, the real Odoo they name is used instead; the benchmark's
timesheets are deleted afterwards.

Both modes write timesheet lines (``account.analytic.line``) on one project and employee. RPC
calls are counted on the client side by a counting wrapper over the transport. Targets: the
writer makes <= 0.01 RPC calls per record and is >= 10x the naive throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.odoo.transports import CountingTransport
from lead2cash.connectors.odoo.writer import ExternalIdWriter, UpsertRow, external_id

console = Console()
LIVE_VARS = (
    "L2C_TEST_ODOO_URL",
    "L2C_TEST_ODOO_DB",
    "L2C_TEST_ODOO_LOGIN",
    "L2C_TEST_ODOO_API_KEY",
)
TS = "account.analytic.line"


@dataclass
class Result:
    name: str
    records: int
    seconds: float
    calls: int

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else float("inf")

    @property
    def calls_per_record(self) -> float:
        return self.calls / self.records


@contextlib.contextmanager
def target(version: int, protocol: str) -> Iterator[tuple[str, OdooSettings]]:
    """The Odoo to measure: the live one named by L2C_TEST_ODOO_*, else an emulator."""
    if all(os.environ.get(v) for v in LIVE_VARS):
        yield (
            "live",
            OdooSettings(
                url=os.environ["L2C_TEST_ODOO_URL"],
                db=os.environ["L2C_TEST_ODOO_DB"],
                login=os.environ["L2C_TEST_ODOO_LOGIN"],
                api_key=os.environ["L2C_TEST_ODOO_API_KEY"],
                protocol=protocol,
            ),
        )
        return
    from lead2cash.emulators.odoo import create_app
    from lead2cash.emulators.server import serving

    key = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    app = create_app(version=version, db="bench", login="bench", password="bench", api_key=key)
    with serving(app) as server:
        yield (
            f"emulator {version}",
            OdooSettings(
                url=server.url,
                db="bench",
                login="bench",
                api_key=key,
                protocol=protocol,
            ),
        )


def references(client: OdooClient, run: str) -> tuple[int, str, int]:
    """A project (by external id) and an employee to hang the timesheets on."""
    project_xmlid = external_id("bench", "project", run)
    report = ExternalIdWriter(client).upsert(
        "project.project",
        [UpsertRow(project_xmlid, {"name": f"Bench {run}", "allow_timesheets": True})],
    )
    [project] = report.results
    if not project.ok:
        raise SystemExit(f"cannot create the bench project: {project.error}")
    assert project.odoo_id is not None
    employees = client.search("hr.employee", [("user_id", "=", client.uid)], limit=1)
    employees = employees or client.search("hr.employee", [], limit=1)
    if not employees:
        employees = client.create("hr.employee", [{"name": "Bench consultant"}])
    return project.odoo_id, project_xmlid, employees[0]


def measure(name: str, counter: CountingTransport, rows: int, run: Callable[[], int]) -> Result:
    counter.reset()
    started = time.perf_counter()
    written = run()
    seconds = time.perf_counter() - started
    if written != rows:
        raise SystemExit(f"{name}: wrote {written} of {rows} records")
    return Result(name, rows, seconds, counter.total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--version", type=int, default=19, choices=(17, 18, 19))
    parser.add_argument(
        "--protocol", default="auto", choices=("auto", "json2", "jsonrpc", "xmlrpc")
    )
    args = parser.parse_args(argv)
    run = uuid.uuid4().hex[:10]
    day = date(2026, 3, 2)
    with target(args.version, args.protocol) as (where, settings), OdooClient(settings) as client:
        client.connect()
        project_id, project_xmlid, employee_id = references(client, run)
        counter = client.wrap_transport(CountingTransport)
        writer = ExternalIdWriter(client, batch_size=args.batch)
        created: list[int] = []

        def with_writer() -> int:
            rows = [
                UpsertRow(
                    external_id("bench", "time_entry", f"{run}-{i}"),
                    {
                        "name": f"bench {run} {i}",
                        "date": day,
                        "unit_amount": Decimal("1.25"),
                        "project_id/id": project_xmlid,
                        "employee_id/.id": employee_id,
                    },
                )
                for i in range(args.rows)
            ]
            report = writer.upsert(TS, rows)
            created.extend(r.odoo_id for r in report.written if r.odoo_id)
            if report.failed:
                console.print(f"[red]first failure:[/red] {report.failed[0].error}")
            return len(report.written)

        def naive() -> int:
            for i in range(args.rows):
                [new] = client.create(
                    TS,
                    [
                        {
                            "name": f"naive {run} {i}",
                            "date": day.isoformat(),
                            "unit_amount": 1.25,
                            "project_id": project_id,
                            "employee_id": employee_id,
                        }
                    ],
                )
                created.append(new)
            return int(args.rows)

        try:
            results = [
                measure(f"writer (load, batches of {args.batch})", counter, args.rows, with_writer),
                measure("naive (one create per record)", counter, args.rows, naive),
            ]
        finally:
            if where == "live":
                for start in range(0, len(created), 1000):
                    client.unlink(TS, created[start : start + 1000])
                client.unlink("project.project", [project_id])
        console.print(report_table(where, client, results))
        return verdict(results)


def report_table(where: str, client: OdooClient, results: list[Result]) -> Table:
    table = Table(
        title=f"Odoo writer vs naive on {where} (Odoo {client.version.text}, {client.protocol})"
    )
    for column in ("mode", "records", "seconds", "records/s", "RPC calls", "calls/record"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    for r in results:
        table.add_row(
            r.name,
            str(r.records),
            f"{r.seconds:.2f}",
            f"{r.per_second:,.0f}",
            str(r.calls),
            f"{r.calls_per_record:.4f}",
        )
    return table


def verdict(results: list[Result]) -> int:
    writer, naive = results
    ratio = writer.per_second / naive.per_second
    calls_ok = writer.calls_per_record <= 0.01
    ratio_ok = ratio >= 10
    console.print(
        f"throughput ratio writer/naive: [bold]{ratio:.1f}x[/bold] "
        f"({'ok' if ratio_ok else 'BELOW'} target 10x); writer calls/record "
        f"{writer.calls_per_record:.4f} ({'ok' if calls_ok else 'ABOVE'} target 0.01)"
    )
    return 0 if calls_ok and ratio_ok else 1


if __name__ == "__main__":
    sys.exit(main())
