"""Contract billing against Odoo: the inputs of the rules, and the run that drafts invoices.

Per contract (a CRM deal bound to a confirmed sale order) and period (``YYYY-MM``):

1. **Inputs.** The contract terms are read from the CRM and mapped, as the deal flow does; the
   period's time is what Odoo holds (the approved entries the timesheets flow wrote, each with
   its source key in ``ref``; non-billable ones have no sale line); reached milestones are the
   project's ``project.milestone`` marked reached (in Odoo, by an operator, or by the hub); the
   ledger is the one the contract's previous run stored.
2. **Proposal.** :func:`lead2cash.billing.rules.propose` says what to bill, exactly.
3. **Odoo's machinery.** The hub writes what Odoo Community cannot compute, as quantities on
   the order's own lines: the retainer line's ordered quantity becomes the number of months
   billed, the overage line's delivered quantity the overage hours invoiced to date, a due
   instalment's line is delivered, a reached milestone is marked reached. Then Odoo's own
   invoicing wizard (``sale.advance.payment.inv``) drafts the invoice, with the timesheet date
   range of the period, so every time line on it is traceable to its timesheets
   (``timesheet_invoice_id``). A not-to-exceed cap Odoo does not know is a negative line the hub
   adds to the draft, naming the hours it leaves unbilled.
4. **Reconciliation.** The draft's untaxed amount (lines from re-invoiced expenses, which Odoo
   bills through its own expense flow, set apart) must equal the proposal's total; a difference
   (a rate changed in the CRM after the order, a timesheet edited in Odoo) leaves the run
   ``mismatch``: the draft stays for a person to check, and ``l2c billing run`` exits 1.

Idempotent per contract and period: the run is recorded ``drafting`` (with the order's invoices
before it) before Odoo is touched and ``drafted`` after, under a unique key. A second run of a
recorded period drafts nothing; a run that died half-way adopts the invoice it had drafted, or
drafts it now (the quantities it writes are absolute, and Odoo's wizard never invoices a
quantity or a timesheet already on an invoice, draft or posted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from lead2cash import errors
from lead2cash.billing.ledger import BillingLedger
from lead2cash.billing.period import Period
from lead2cash.billing.proposal import BillingProposal, FindingKind, LineKind
from lead2cash.billing.rules import propose
from lead2cash.connectors.odoo.gateway.common import Scope, m2o, own_xmlid, to_decimal
from lead2cash.flows.deal_to_project import (
    deal_bindings,
    deal_ref,
    load_bundle,
    project_ref,
    validate,
)
from lead2cash.flows.runtime import Hub
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import (
    Contract,
    FixedFee,
    MilestoneTerms,
    Retainer,
    TimeAndMaterials,
)
from lead2cash.model.money import Money, round_amount
from lead2cash.model.work import TimeEntry
from lead2cash.store.audit import AuditEntry
from lead2cash.store.billing import BillingRun
from lead2cash.store.bindings import Binding, BindingKey


@dataclass
class Billable:
    """A contract with its Odoo order and project, and what the period holds for it."""

    contract: Contract
    order_id: int
    project_id: int | None
    scope: Scope
    entries: list[TimeEntry] = field(default_factory=list)
    #: source key of each entry → the price of the sale line Odoo books it on (None: no line)
    odoo_prices: dict[str, Decimal | None] = field(default_factory=dict)


#: drafted: the draft is what the terms say; mismatch: it is not (a person checks it);
#: nothing: nothing to bill; already: the period was billed before; planned: a dry run;
#: blocked: the contract's inputs or Odoo failed (the note says why).
RunStatus = Literal["drafted", "mismatch", "nothing", "already", "planned", "blocked"]


@dataclass(frozen=True)
class RunOutcome:
    contract: str
    period: Period
    status: RunStatus
    proposal: BillingProposal | None
    invoice_ids: tuple[int, ...] = ()
    invoiced: Money | None = None
    note: str = ""


def load(hub: Hub, binding: Binding, period: Period) -> Billable:
    """The contract (from the CRM, mapped), its order and project, and the period's time."""
    deal = deal_ref(binding)
    contract = validate(hub, load_bundle(hub, deal.system, deal.external_id))
    scope = hub.gateway.scope(contract.company)
    project = hub.binding(project_ref(deal))
    assert binding.odoo_id is not None
    item = Billable(contract, binding.odoo_id, project.odoo_id if project else None, scope)
    if item.project_id is not None:
        _read_time(hub, item, period)
        item.contract = _with_reached_milestones(hub, item)
    return item


def _read_time(hub: Hub, item: Billable, period: Period) -> None:
    client = hub.odoo
    rows = client.search_read(
        "account.analytic.line",
        [
            ("project_id", "=", item.project_id),
            ("date", ">=", period.start.isoformat()),
            ("date", "<=", period.end.isoformat()),
        ],
        ["ref", "employee_id", "date", "unit_amount", "so_line"],
        order="date, id",
        company_ids=item.scope.company_ids,
    )
    line_ids = sorted({i for r in rows if (i := m2o(r["so_line"])) is not None})
    prices = {
        int(r["id"]): to_decimal(r["price_unit"])
        for r in (
            client.read(
                "sale.order.line", line_ids, ["price_unit"], company_ids=item.scope.company_ids
            )
            if line_ids
            else []
        )
    }
    for row in rows:
        try:  # the timesheets flow writes the source key in ref; a line typed in Odoo has none
            key = BindingKey.parse(str(row["ref"] or ""))
        except errors.ValidationError:
            key = BindingKey("odoo", "timesheet", str(row["id"]))
        source = SourceRef(
            system=key.system, object_type=key.object_type, external_id=key.external_id
        )
        employee = str(row["employee_id"][1]) if row["employee_id"] else "?"
        so_line = m2o(row["so_line"])
        item.entries.append(
            TimeEntry(
                source=source,
                consultant=SourceRef(system="odoo", object_type="employee", external_id=employee),
                project=SourceRef(
                    system="odoo", object_type="project", external_id=str(item.project_id)
                ),
                day=date.fromisoformat(str(row["date"])),
                hours=to_decimal(row["unit_amount"]),
                billable=so_line is not None,
                approved=True,
            )
        )
        item.odoo_prices[source.key] = prices.get(so_line) if so_line else None


def _with_reached_milestones(hub: Hub, item: Billable) -> Contract:
    """The contract with the milestones Odoo has reached marked reached."""
    terms = item.contract.terms
    if not isinstance(terms, MilestoneTerms):
        return item.contract
    reached: set[str] = set()
    ids = {
        m.key: hub.gateway.resolver.own(own_xmlid(item.contract.source, "milestone", m.key))
        for m in terms.milestones
    }
    known = [i for i in ids.values() if i]
    if known:
        rows = hub.odoo.read(
            "project.milestone", known, ["is_reached"], company_ids=item.scope.company_ids
        )
        done = {int(r["id"]) for r in rows if r["is_reached"]}
        reached = {k for k, i in ids.items() if i in done}
    milestones = [
        m.model_copy(update={"reached": True}) if m.key in reached else m for m in terms.milestones
    ]
    return item.contract.model_copy(
        update={"terms": terms.model_copy(update={"milestones": milestones})}
    )


def staffing(hub: Hub) -> tuple[dict[str, str], dict[str, str]]:
    """(employee key → role, employee key → the consultant key rate-card overrides use)."""
    roles: dict[str, str] = {}
    keys: dict[str, str] = {}
    for system, people in hub.mapper.spec.consultants.items():
        for user_id, spec in people.items():
            employee = f"odoo:employee:{spec.employee}"
            if spec.role:
                roles.setdefault(employee, spec.role)
            keys.setdefault(employee, f"{system}:user:{user_id}")
    return roles, keys


def opening_ledger(hub: Hub, contract: Contract, period: Period) -> BillingLedger:
    previous = hub.store.billing.latest_before(contract.source.key, str(period))
    if previous is None:
        return BillingLedger.opening(contract)
    return BillingLedger.model_validate(previous.ledger)


def proposal_for(hub: Hub, item: Billable, period: Period) -> BillingProposal:
    roles, keys = staffing(hub)
    return propose(
        item.contract,
        period,
        entries=item.entries,
        ledger=opening_ledger(hub, item.contract, period),
        role_of=roles,
        consultant_key=keys,
    )


# -- the run ------------------------------------------------------------------------------------


def run_contract(
    hub: Hub, binding: Binding, period: Period, *, actor: str, dry_run: bool = False
) -> RunOutcome:
    """Bill one contract for one period (see the module docstring)."""
    key = str(binding.key)
    done = hub.store.billing.get(key, str(period))
    if done is not None and done.status != "drafting":
        return RunOutcome(
            key,
            period,
            "already",
            None,
            done.invoice_ids,
            note=f"billed by {done.actor} on {done.created_at:%Y-%m-%d} ({done.status})",
        )
    item = load(hub, binding, period)
    proposal = proposal_for(hub, item, period)
    if dry_run:
        return RunOutcome(key, period, "planned", proposal)
    if done is None:
        before = _invoice_ids(hub, item)
        done = _begin(hub, item, period, proposal, before, actor)
    if not proposal.lines:
        hub.store.billing.finish(key, str(period), status="nothing", invoice_ids=(), invoiced=None)
        return RunOutcome(key, period, "nothing", proposal)
    drafts = _adopt(hub, item, done)
    if not drafts:
        _deliver(hub, item, proposal)
        result = hub.gateway.invoices.draft_invoices(
            item.scope,
            item.order_id,
            timesheets_from=period.start,
            timesheets_to=period.end,
        )
        drafts = list(result.invoice_ids)
    if drafts:
        _cap_line(hub, item, proposal, drafts[0])
    invoiced = _invoiced(hub, item, drafts)
    status: RunStatus = "drafted" if invoiced == proposal.total else "mismatch"
    hub.store.billing.finish(
        key, str(period), status=status, invoice_ids=tuple(drafts), invoiced=invoiced
    )
    deal = binding.key
    hub.store.audit.record(
        AuditEntry(
            actor=actor,
            action="odoo.billing.run",
            outcome="ok" if status == "drafted" else status,
            system=deal.system,
            object_type=deal.object_type,
            object_id=deal.external_id,
            after={
                "period": str(period),
                "status": status,
                "invoices": drafts,
                "proposed": str(proposal.total.amount),
                "invoiced": str(invoiced.amount),
            },
        )
    )
    note = "" if status == "drafted" else f"Odoo drafted {invoiced}, the terms say {proposal.total}"
    return RunOutcome(key, period, status, proposal, tuple(drafts), invoiced, note)


def _invoice_ids(hub: Hub, item: Billable) -> list[int]:
    row = hub.gateway.resolver.read_one("sale.order", item.order_id, ["invoice_ids"], item.scope)
    return [int(i) for i in row["invoice_ids"]]


def _begin(
    hub: Hub,
    item: Billable,
    period: Period,
    proposal: BillingProposal,
    before: list[int],
    actor: str,
) -> BillingRun:
    run = BillingRun(
        contract=item.contract.source.key,
        period=str(period),
        status="drafting",
        company=item.contract.company,
        order_id=item.order_id,
        invoice_ids=tuple(before),
        currency=proposal.currency,
        total=str(proposal.total.amount),
        invoiced=None,
        proposal=proposal.model_dump(mode="json", exclude={"ledger"}),
        ledger=proposal.ledger.model_dump(mode="json"),
        actor=actor,
        created_at=hub.clock(),
    )
    hub.store.billing.begin(run)
    return run


def _adopt(hub: Hub, item: Billable, started: BillingRun) -> list[int]:
    """Draft invoices of the order that appeared since the run began (a run that died after
    Odoo drafted)."""
    new = sorted(set(_invoice_ids(hub, item)) - set(started.invoice_ids))
    if not new:
        return []
    rows = hub.odoo.read(
        "account.move", new, ["state", "move_type"], company_ids=item.scope.company_ids
    )
    return [int(r["id"]) for r in rows if r["state"] == "draft" and r["move_type"] == "out_invoice"]


def _line_id(hub: Hub, item: Billable, key: str) -> int:
    found = hub.gateway.resolver.own(own_xmlid(item.contract.source, "sale_order_line", key))
    if found is None:
        raise errors.MissingReferenceError(
            f"the order of {item.contract.source.key} has no line {key!r}",
            reference=item.contract.source.key,
        )
    return found


def _deliver(hub: Hub, item: Billable, proposal: BillingProposal) -> None:
    """Write what Odoo cannot compute as quantities on the order's lines (absolute values, so
    writing them twice is harmless)."""
    terms = item.contract.terms
    client, companies = hub.odoo, item.scope.company_ids
    if isinstance(terms, MilestoneTerms):
        for line in proposal.lines_of(LineKind.MILESTONE):
            for key in line.sources:
                hub.gateway.projects.reach_milestone(item.scope, item.contract.source, key)
    elif isinstance(terms, Retainer):
        if proposal.lines_of(LineKind.RETAINER_FEE):
            # a new quantity alone makes Odoo re-price the line from its product: the fee goes
            # with it
            months = len(proposal.ledger.retainer_periods)
            client.write(
                "sale.order.line",
                [_line_id(hub, item, "retainer")],
                {"product_uom_qty": months, "price_unit": float(terms.monthly_fee.amount)},
                company_ids=companies,
            )
        overage = proposal.lines_of(LineKind.RETAINER_OVERAGE)
        if overage:
            line_id = _line_id(hub, item, "retainer-overage")
            row = client.read("sale.order.line", [line_id], ["qty_invoiced"], company_ids=companies)
            hours = to_decimal(row[0]["qty_invoiced"]) + sum(
                (line.quantity for line in overage), Decimal(0)
            )
            client.write(
                "sale.order.line", [line_id], {"qty_delivered": float(hours)}, company_ids=companies
            )
    elif isinstance(terms, FixedFee):
        for line in proposal.lines_of(LineKind.INSTALMENT):
            for key in line.sources:
                client.write(
                    "sale.order.line",
                    [_line_id(hub, item, f"instalment-{key}")],
                    {"qty_delivered": 1.0},
                    company_ids=companies,
                )


def _cap_line(hub: Hub, item: Billable, proposal: BillingProposal, invoice_id: int) -> None:
    """On a capped period, the negative line that brings Odoo's time amount down to the cap."""
    if not isinstance(item.contract.terms, TimeAndMaterials) or not any(
        line.capped for line in proposal.lines
    ):
        return
    client, companies = hub.odoo, item.scope.company_ids
    lines = client.search_read(
        "account.move.line",
        [("move_id", "=", invoice_id), ("display_type", "=", "product")],
        ["name", "price_subtotal", "product_id", "tax_ids", "sale_line_ids"],
        company_ids=companies,
    )
    if any(str(li["name"]).startswith(CAP_LINE) for li in lines):
        return
    time_amount = sum(
        (to_decimal(li["price_subtotal"]) for li in lines if li["sale_line_ids"]), Decimal(0)
    )
    proposed = sum((line.amount.amount for line in proposal.lines_of(LineKind.TIME)), Decimal(0))
    excess = round_amount(time_amount - proposed, proposal.currency)
    if excess <= 0:
        return
    over = proposal.hours_of(FindingKind.OVER_CAP)
    first = next(li for li in lines if li["sale_line_ids"])
    client.write(
        "account.move",
        [invoice_id],
        {
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"{CAP_LINE} {over:f} h over the cap are not billed",
                        "product_id": m2o(first["product_id"]),
                        "quantity": 1.0,
                        "price_unit": float(-excess),
                        "tax_ids": [(6, 0, list(first["tax_ids"]))],
                    },
                )
            ]
        },
        company_ids=companies,
    )


CAP_LINE = "Not-to-exceed cap reached:"


def _invoiced(hub: Hub, item: Billable, drafts: Sequence[int]) -> Money:
    """The drafts' untaxed amount, without the lines Odoo's expense re-invoicing added."""
    currency = item.contract.currency
    if not drafts:
        return Money.zero(currency)
    lines = hub.odoo.search_read(
        "account.move.line",
        [("move_id", "in", list(drafts)), ("display_type", "=", "product")],
        ["price_subtotal", "sale_line_ids"],
        company_ids=item.scope.company_ids,
    )
    expense_lines = _expense_sale_lines(hub, item)
    total = sum(
        (
            to_decimal(li["price_subtotal"])
            for li in lines
            if not set(li["sale_line_ids"]) & expense_lines
        ),
        Decimal(0),
    )
    return Money(amount=round_amount(total, currency), currency=currency)


def _expense_sale_lines(hub: Hub, item: Billable) -> set[int]:
    rows = hub.odoo.search_read(
        "sale.order.line",
        [("order_id", "=", item.order_id), ("is_expense", "=", True)],
        ["id"],
        company_ids=item.scope.company_ids,
    )
    return {int(r["id"]) for r in rows}


def run(
    hub: Hub,
    period: Period,
    *,
    actor: str,
    dry_run: bool = False,
    contracts: Sequence[str] = (),
) -> list[RunOutcome]:
    """Bill every bound contract (or those named) for ``period``; a contract whose inputs fail
    (CRM unreachable, mapping invalid) is reported and the others go on."""
    outcomes: list[RunOutcome] = []
    for binding in deal_bindings(hub):
        key = str(binding.key)
        if contracts and key not in contracts:
            continue
        try:
            outcomes.append(run_contract(hub, binding, period, actor=actor, dry_run=dry_run))
        except errors.Lead2CashError as exc:
            outcomes.append(RunOutcome(key, period, "blocked", None, note=str(exc)))
    return outcomes
