"""Billing runs: one per contract and period, with the ledger after it.

The row is written in the same transaction that decides the run is done, under a unique
(contract, period) key: a second run of the same period finds it and bills nothing, and the
next period reads the ledger of the latest one (what is billed to date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from lead2cash import errors
from lead2cash.model.money import Money
from lead2cash.store.tables import billing_runs


@dataclass(frozen=True)
class BillingRun:
    contract: str
    period: str
    status: str  # drafting | drafted | nothing | mismatch
    company: str | None
    order_id: int | None
    invoice_ids: tuple[int, ...]
    currency: str
    total: str
    invoiced: str | None
    proposal: dict[str, Any]
    ledger: dict[str, Any]
    actor: str
    created_at: datetime


def _run(row: Any) -> BillingRun:
    return BillingRun(
        contract=row.contract,
        period=row.period,
        status=row.status,
        company=row.company,
        order_id=row.order_id,
        invoice_ids=tuple(int(i) for i in row.invoice_ids),
        currency=row.currency,
        total=row.total,
        invoiced=row.invoiced,
        proposal=dict(row.proposal),
        ledger=dict(row.ledger),
        actor=row.actor,
        created_at=row.created_at,
    )


class BillingRunStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def get(self, contract: str, period: str) -> BillingRun | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(billing_runs).where(
                    billing_runs.c.contract == contract, billing_runs.c.period == period
                )
            ).first()
        return None if row is None else _run(row)

    def latest_before(self, contract: str, period: str) -> BillingRun | None:
        """The contract's last run of a period before ``period`` (its ledger is the opening
        one of ``period``)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(billing_runs)
                .where(billing_runs.c.contract == contract, billing_runs.c.period < period)
                .order_by(billing_runs.c.period.desc())
                .limit(1)
            ).first()
        return None if row is None else _run(row)

    def of_period(self, period: str) -> list[BillingRun]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(billing_runs)
                .where(billing_runs.c.period == period)
                .order_by(billing_runs.c.contract)
            ).all()
        return [_run(r) for r in rows]

    def begin(self, run: BillingRun) -> None:
        """Record a run before it touches Odoo (status ``drafting``, with the order's invoices
        before it); a second run of the same contract and period is refused."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(billing_runs).values(
                        contract=run.contract,
                        period=run.period,
                        status=run.status,
                        company=run.company,
                        order_id=run.order_id,
                        invoice_ids=list(run.invoice_ids),
                        currency=run.currency,
                        total=run.total,
                        invoiced=run.invoiced,
                        proposal=run.proposal,
                        ledger=run.ledger,
                        actor=run.actor,
                        created_at=run.created_at,
                    )
                )
        except IntegrityError as exc:
            raise errors.ConflictError(
                f"{run.contract} is already billed for {run.period}",
                reference=run.contract,
            ) from exc

    def finish(
        self,
        contract: str,
        period: str,
        *,
        status: str,
        invoice_ids: tuple[int, ...],
        invoiced: Money | None,
    ) -> None:
        """Close a ``drafting`` run with what it drafted."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(billing_runs)
                .where(
                    billing_runs.c.contract == contract,
                    billing_runs.c.period == period,
                    billing_runs.c.status == "drafting",
                )
                .values(
                    status=status,
                    invoice_ids=list(invoice_ids),
                    invoiced=None if invoiced is None else str(invoiced.amount),
                )
            )
            if done.rowcount != 1:
                raise errors.ConflictError(
                    f"no billing run of {contract} for {period} is in progress",
                    reference=contract,
                )
