"""The project Odoo made from a confirmed order: read back, milestones, per-consultant rates.

Milestones are ``project.milestone`` records with our external ids
(``lead2cash.<crm>_milestone_<deal id>-2f<milestone key>``), linked to their sale line
(``sale_line_id``) with their share of the line as ``quantity_percentage`` (a fraction, 0.4 is
40 %; stored). Writing the share as the milestone's ``product_uom_qty`` instead does not work
through ``create``/``load``: that field is computed and not stored, and Odoo 19 kept 100 %.
The project must allow milestones.
Confirming an order with a ``delivered_milestones`` line makes Odoo add one milestone of its own
(named after the line, 100 %); once ours exist, that one (unreached, named like its line) is
deleted. A reached milestone's share is never rewritten (it has been delivered, perhaps
invoiced); only its name and deadline follow the contract.

Per-consultant rates are ``project.sale.line.employee.map`` rows, one per employee and project
(Odoo's unique key), pointing at the sale line that carries the consultant's rate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import (
    Resolver,
    Scope,
    m2o,
    own_xmlid,
    quantize,
    row_error,
    to_decimal,
)
from lead2cash.connectors.odoo.gateway.contract_plan import ContractPlan
from lead2cash.connectors.odoo.writer import UpsertRow
from lead2cash.model.base import SourceRef

log = logging.getLogger(__name__)

_MILESTONE = ["name", "is_reached", "quantity_percentage", "deadline", "sale_line_id"]


@dataclass(frozen=True)
class ProjectInfo:
    """A sale order and the project (and tasks) Odoo created from it."""

    order_id: int
    order_name: str
    order_state: str
    project_id: int | None
    task_ids: tuple[int, ...]
    analytic_account_id: int | None
    project_name: str | None = None
    project_sale_line_id: int | None = None


class ProjectGateway:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def project_of_order(self, scope: Scope, order_id: int) -> ProjectInfo:
        """The project of a sale order: the order's project, else its lines' projects."""
        resolver = self.resolver
        order = resolver.read_one(
            "sale.order", order_id, ["name", "state", "project_id", "project_ids"], scope
        )
        lines = resolver.client.search_read(
            "sale.order.line",
            [("order_id", "=", order_id)],
            ["project_id", "task_id", "sequence"],
            order="sequence, id",
            company_ids=scope.company_ids,
        )
        project_id = m2o(order.get("project_id"))
        if project_id is None:
            candidates = [m2o(r["project_id"]) for r in lines] + list(
                order.get("project_ids") or []
            )
            project_id = next((p for p in candidates if p), None)
        tasks = tuple(t for r in lines if (t := m2o(r["task_id"])) is not None)
        account = None
        name = None
        sale_line = None
        if project_id is not None:
            field = resolver.compat.project_analytic_field
            project = resolver.read_one(
                "project.project", project_id, [field, "name", "sale_line_id"], scope
            )
            account = m2o(project.get(field))
            name = str(project["name"])
            sale_line = m2o(project.get("sale_line_id"))
        return ProjectInfo(
            order_id=order_id,
            order_name=str(order["name"]),
            order_state=str(order["state"]),
            project_id=project_id,
            task_ids=tasks,
            analytic_account_id=account,
            project_name=name,
            project_sale_line_id=sale_line,
        )

    def align_project(
        self, scope: Scope, info: ProjectInfo, name: str, sale_line_id: int | None
    ) -> None:
        """Give the project the contract's name (the CRM owns it; Odoo names it after the
        customer reference and the order number), and its sale line back: cancelling an order
        clears ``project.sale_line_id`` and confirming it again does not restore it (seen on
        19), which would leave the project's time unbilled."""
        if info.project_id is None:
            return
        values: dict[str, Any] = {}
        if info.project_name != name:
            values["name"] = name
        if info.project_sale_line_id is None and sale_line_id is not None:
            values["sale_line_id"] = sale_line_id
        if values:
            self.resolver.client.write(
                "project.project", [info.project_id], values, company_ids=scope.company_ids
            )

    def sync_milestones(
        self,
        scope: Scope,
        contract: SourceRef,
        project_id: int | None,
        plan: ContractPlan,
        line_ids: Mapping[str, int],
    ) -> dict[str, int]:
        planned = [(line, m) for line in plan.lines for m in line.milestones]
        if not planned:
            return {}
        if project_id is None:
            raise errors.ConfigError(
                f"the sale order of {contract.key} created no project, and milestones need one; "
                "use a milestone product that creates a project on order",
                reference=contract.key,
            )
        resolver = self.resolver
        project = resolver.read_one("project.project", project_id, ["allow_milestones"], scope)
        if not project["allow_milestones"]:
            resolver.client.write(
                "project.project",
                [project_id],
                {"allow_milestones": True},
                company_ids=scope.company_ids,
            )
        xmlids = {m.key: own_xmlid(contract, "milestone", m.key) for _, m in planned}
        known = {key: i for key, x in xmlids.items() if (i := resolver.own(x)) is not None}
        current: dict[int, dict[str, Any]] = {}
        if known:
            rows = resolver.client.read(
                "project.milestone", list(known.values()), _MILESTONE, company_ids=scope.company_ids
            )
            current = {int(r["id"]): r for r in rows}
        rows_out: list[UpsertRow] = []
        ids: dict[str, int] = {}
        for line, m in planned:
            values: dict[str, Any] = {
                "name": m.name,
                "project_id/.id": project_id,
                "sale_line_id/.id": line_ids[line.key],
                "deadline": m.deadline,
                "quantity_percentage": m.share,
            }
            row = current.get(known.get(m.key, -1))
            if row is not None:
                ids[m.key] = int(row["id"])
                if row["is_reached"]:
                    values.pop("quantity_percentage")
                    if quantize(to_decimal(row["quantity_percentage"]), 6) != quantize(m.share, 6):
                        log.warning(
                            "milestone %s of %s is reached: its share stays %s (contract: %s)",
                            m.key,
                            contract.key,
                            row["quantity_percentage"],
                            m.share,
                            extra={"action": "odoo_milestone_share_kept", "system": "odoo"},
                        )
                if not _milestone_changes(row, values):
                    continue
            rows_out.append(UpsertRow(xmlids[m.key], values, m.key))
        if rows_out:
            report = resolver.writer.upsert(
                "project.milestone", rows_out, company_ids=scope.company_ids
            )
            for result in report.results:
                if not result.ok or result.odoo_id is None:
                    raise row_error(result)
                ids[result.key] = result.odoo_id
        self._drop_automatic(scope, plan, line_ids, set(ids.values()))
        return ids

    def _drop_automatic(
        self, scope: Scope, plan: ContractPlan, line_ids: Mapping[str, int], ours: set[int]
    ) -> None:
        """Delete the milestone Odoo adds on confirmation (unreached, named like its line)."""
        names = {line_ids[line.key]: line.name for line in plan.lines if line.milestones}
        rows = self.resolver.client.search_read(
            "project.milestone",
            [("sale_line_id", "in", list(names)), ("is_reached", "=", False)],
            ["name", "sale_line_id"],
            company_ids=scope.company_ids,
        )
        extra = [
            int(r["id"])
            for r in rows
            if int(r["id"]) not in ours and names.get(m2o(r["sale_line_id"]) or 0) == r["name"]
        ]
        if extra:
            self.resolver.client.unlink("project.milestone", extra, company_ids=scope.company_ids)

    def reach_milestone(
        self, scope: Scope, contract: SourceRef, key: str, *, reached: bool = True
    ) -> int:
        """Mark a contract's milestone reached (Odoo then delivers its share of the line)."""
        milestone_id = self.resolver.own(own_xmlid(contract, "milestone", key))
        if milestone_id is None:
            raise errors.MissingReferenceError(
                f"milestone {key!r} of {contract.key} is not in Odoo", reference=contract.key
            )
        self.resolver.client.write(
            "project.milestone",
            [milestone_id],
            {"is_reached": reached},
            company_ids=scope.company_ids,
        )
        return milestone_id

    def sync_employee_rates(
        self,
        scope: Scope,
        project_id: int | None,
        employee_lines: Mapping[int, str],
        line_ids: Mapping[str, int],
    ) -> dict[int, int]:
        """One map row per consultant with an own rate: employee → the line at that rate."""
        if not employee_lines:
            return {}
        if project_id is None:
            raise errors.ConfigError("per-consultant rates need the project the order creates")
        client = self.resolver.client
        model = "project.sale.line.employee.map"
        existing = {
            m2o(r["employee_id"]): r
            for r in client.search_read(
                model,
                [("project_id", "=", project_id)],
                ["employee_id", "sale_line_id"],
                company_ids=scope.company_ids,
            )
        }
        ids: dict[int, int] = {}
        for employee_id, key in sorted(employee_lines.items()):
            line_id = line_ids[key]
            row = existing.get(employee_id)
            if row is None:
                ids[employee_id] = client.create(
                    model,
                    [
                        {
                            "project_id": project_id,
                            "employee_id": employee_id,
                            "sale_line_id": line_id,
                        }
                    ],
                    company_ids=scope.company_ids,
                )[0]
                continue
            ids[employee_id] = int(row["id"])
            if m2o(row["sale_line_id"]) != line_id:
                client.write(
                    model,
                    [int(row["id"])],
                    {"sale_line_id": line_id},
                    company_ids=scope.company_ids,
                )
        return ids


def _milestone_changes(row: dict[str, Any], values: dict[str, Any]) -> bool:
    deadline = values["deadline"].isoformat() if values["deadline"] else False
    if row["name"] != values["name"] or (row["deadline"] or False) != deadline:
        return True
    if m2o(row["sale_line_id"]) != values["sale_line_id/.id"]:
        return True
    if "quantity_percentage" in values:
        return quantize(to_decimal(row["quantity_percentage"]), 6) != quantize(
            values["quantity_percentage"], 6
        )
    return False
