"""``account.payment``, the ``account.payment.register`` wizard and the reconciliation records.

- 17: a payment is posted (``state='posted'``, its journal entry posted too). A payment
  created directly is not reconciled with any invoice (as in Odoo, where that takes the
  register wizard or a manual reconciliation).
- 18+: ``state`` ``draft`` → ``in_process`` (posted, not yet matched with a bank statement)
  → ``paid`` (``action_validate``); ``invoice_ids`` may be given at creation and the payment
  is then reconciled with those invoices when posted.
- ``account.payment.register`` (context ``active_model='account.move'``, ``active_ids``)
  creates, posts and reconciles the payments (one per invoice, or one per partner with
  ``group_payment``).
- ``account.partial.reconcile`` here links a payment to an invoice with an amount in the
  invoice currency (Odoo's links journal items; this emulator has no receivable items).
- ``action_post``, ``action_cancel``, ``action_draft`` and ``action_validate`` return None,
  like Odoo's.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.models.account import journal_of
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.model import Model, TransientModel
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

ZERO = Decimal(0)


class AccountPartialReconcile(Model):
    _name = "account.partial.reconcile"
    _description = "Partial Reconcile"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "payment_id": f.Many2one(
                "account.payment", "Payment", required=True, index=True, ondelete="cascade"
            ),
            "invoice_id": f.Many2one(
                "account.move", "Invoice", required=True, index=True, ondelete="cascade"
            ),
            "amount": f.Monetary("Amount", default=ZERO),
            "currency_id": f.Many2one("res.currency", "Currency"),
            "max_date": f.Date("Max Date"),
            "company_id": f.Many2one("res.company", "Company", index=True),
        }


class AccountPayment(Model):
    _name = "account.payment"
    _description = "Payments"
    _order = "date desc, name desc"
    _company_checked = ("partner_id", "journal_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Number", copy=False, default=lambda e: e.spec.draft_move_name),
            "payment_type": f.SelectionField(
                [("outbound", "Send"), ("inbound", "Receive")], "Payment Type", default="inbound"
            ),
            "partner_type": f.SelectionField(
                [("customer", "Customer"), ("supplier", "Vendor")],
                "Partner Type",
                default="customer",
            ),
            "partner_id": f.Many2one("res.partner", "Customer/Vendor", index=True),
            "amount": f.Monetary("Amount", default=ZERO),
            "currency_id": f.Many2one("res.currency", "Currency"),
            "date": f.Date("Date", required=True, default=lambda e: e.today_text()),
            "journal_id": f.Many2one("account.journal", "Journal"),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
            "state": f.SelectionField(
                lambda env: env.spec.payment_states, "Status", default="draft", copy=False
            ),
            "is_reconciled": f.Boolean("Is Reconciled", store=False, compute="_compute_reconciled"),
            "is_matched": f.Boolean("Is Matched With a Bank Statement", default=False, copy=False),
            "reconciled_invoice_ids": f.Many2many(
                "account.move", "Reconciled Invoices", store=False, compute="_compute_invoices"
            ),
            "reconciled_invoices_count": f.Integer(
                "# Reconciled Invoices", store=False, compute="_compute_invoice_count"
            ),
            "move_id": f.Many2one("account.move", "Journal Entry", copy=False),
        }
        if spec.major <= 17:
            fields["ref"] = f.Char("Reference")
            fields["is_internal_transfer"] = f.Boolean("Internal Transfer", default=False)
        else:
            fields["memo"] = f.Char("Memo")
            fields["invoice_ids"] = f.Many2many("account.move", "Invoices", copy=False)
        return fields

    def _allocations(self, pid: int) -> list[int]:
        return self._children("account.partial.reconcile", "payment_id", pid)

    def _compute_invoices(self, ids: list[int]) -> dict[int, Any]:
        partials = self.env.db.table("account.partial.reconcile")
        return {
            i: tuple(sorted({partials[p]["invoice_id"] for p in self._allocations(i)})) for i in ids
        }

    def _compute_invoice_count(self, ids: list[int]) -> dict[int, Any]:
        return {i: len(v) for i, v in self._compute_invoices(ids).items()}

    def _compute_reconciled(self, ids: list[int]) -> dict[int, Any]:
        return {i: bool(self._allocations(i)) for i in ids}

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        env = self.env
        for vals in vals_list:
            company = vals.get("company_id") or env.company_id
            vals["company_id"] = company
            if not vals.get("journal_id"):
                vals["journal_id"] = journal_of(env, company, "bank")
            if not vals.get("currency_id"):
                journal = env.db.table("account.journal").get(vals.get("journal_id")) or {}
                vals["currency_id"] = (
                    journal.get("currency_id")
                    or env.db.table("res.company")[company]["currency_id"]
                )

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        if self.env.spec.major <= 17:
            for i in ids:
                self._ensure_move(i)

    def _ensure_move(self, pid: int) -> int:
        row = self._row(pid)
        if row.get("move_id"):
            return int(row["move_id"])
        link = "payment_id" if self.env.spec.major <= 17 else "origin_payment_id"
        moves = self.env.sudo()["account.move"]
        [move] = moves._create(
            [
                {
                    "move_type": "entry",
                    "journal_id": row.get("journal_id"),
                    "currency_id": row.get("currency_id"),
                    "company_id": row["company_id"],
                    "partner_id": row.get("partner_id"),
                    "date": row.get("date"),
                    "ref": row.get("ref") or row.get("memo"),
                    link: pid,
                }
            ]
        )
        self.env.db.set(self._name, pid, {"move_id": move})
        return int(move)

    # -- actions -----------------------------------------------------------------------------

    @public
    def action_post(self, ids: Sequence[int]) -> None:
        payment_ids = ids_of(ids)
        self._check_model_access("write")
        self._check_rules(payment_ids, "write")
        self._post(payment_ids)

    def _post(self, payment_ids: list[int]) -> None:
        env = self.env
        posted_state = "posted" if env.spec.major <= 17 else "in_process"
        for pid in payment_ids:
            row = self._row(pid)
            if row.get("state") not in ("draft", None):
                raise errors.UserError("Only a draft payment can be posted.")
            if not money.dec(row.get("amount")) > 0:
                raise errors.UserError("You can't create a payment with a zero or negative amount.")
            move = self._ensure_move(pid)
            journal = env.db.table("account.journal").get(row.get("journal_id")) or {}
            year = str(row.get("date") or env.today_text())[:4]
            number = env.db.next_sequence(f"account.payment/{row.get('journal_id')}/{year}")
            name = f"P{journal.get('code') or 'BNK1'}/{year}/{number:05d}"
            self._write([pid], {"state": posted_state, "name": name})
            env.db.set(
                "account.move", move, {"state": "posted", "name": name, "posted_before": True}
            )
            if env.spec.major >= 18:
                invoices = list(row.get("invoice_ids") or ())
                if invoices:
                    self._reconcile(pid, invoices)
        env.server.flush()

    def _reconcile(self, pid: int, invoice_ids: Sequence[int]) -> None:
        """Allocate the payment to the invoices, oldest first, up to each residual."""
        env = self.env
        row = self._row(pid)
        moves = env["account.move"].sudo()
        env.server.flush()
        remaining = money.dec(row.get("amount"))
        partials = env.sudo()["account.partial.reconcile"]
        ordered = sorted(
            invoice_ids,
            key=lambda m: (moves._row(m).get("invoice_date_due") or "", m),
        )
        for move_id in ordered:
            move = moves._row(move_id)
            if move.get("state") != "posted":
                raise errors.UserError("You can only register payment for posted journal entries.")
            residual = money.dec(move.get("amount_residual"))
            if remaining <= 0 or residual <= 0:
                continue
            in_move_currency = money.convert(
                env,
                remaining,
                row["currency_id"],
                move["currency_id"],
                row["company_id"],
                str(row.get("date")),
            )
            applied = min(residual, in_move_currency)
            partials._create(
                [
                    {
                        "payment_id": pid,
                        "invoice_id": move_id,
                        "amount": applied,
                        "currency_id": move["currency_id"],
                        "max_date": row.get("date"),
                        "company_id": row["company_id"],
                    }
                ]
            )
            used = money.convert(
                env,
                applied,
                move["currency_id"],
                row["currency_id"],
                row["company_id"],
                str(row.get("date")),
            )
            remaining -= used
            env.server.mark("account.move", "_recompute_amounts", [move_id])
        if env.spec.major >= 18:
            current = tuple(row.get("invoice_ids") or ())
            merged = tuple(dict.fromkeys((*current, *invoice_ids)))
            if merged != current:
                env.db.set(self._name, pid, {"invoice_ids": merged})
        env.server.flush()

    def _drop_allocations(self, payment_ids: Sequence[int]) -> None:
        partials = self.env.db.table("account.partial.reconcile")
        touched: set[int] = set()
        for pid in payment_ids:
            for p in self._allocations(pid):
                touched.add(partials[p]["invoice_id"])
                self.env.db.delete("account.partial.reconcile", p)
        self.env.server.mark("account.move", "_recompute_amounts", sorted(touched))

    def _unreconcile_invoices(self, move_ids: Sequence[int]) -> None:
        partials = self.env.db.table("account.partial.reconcile")
        wanted = set(move_ids)
        for p in [p for p, row in partials.items() if row.get("invoice_id") in wanted]:
            self.env.db.delete("account.partial.reconcile", p)
        self.env.server.mark("account.move", "_recompute_amounts", sorted(wanted))

    @public
    def action_validate(self, ids: Sequence[int]) -> None:
        if self.env.spec.major <= 17:
            raise errors.PythonError(
                "AttributeError", "The method 'account.payment.action_validate' does not exist"
            )
        payment_ids = ids_of(ids)
        self._check_model_access("write")
        self._match(payment_ids)

    def _match(self, payment_ids: Sequence[int]) -> None:
        for pid in payment_ids:
            values: dict[str, Any] = {"is_matched": True}
            if self.env.spec.major >= 18:
                values["state"] = "paid"
            self._write([pid], values)
            invoices = self._compute_invoices([pid])[pid]
            self.env.server.mark("account.move", "_recompute_amounts", list(invoices))
        self.env.server.flush()

    @public
    def action_cancel(self, ids: Sequence[int]) -> None:
        payment_ids = ids_of(ids)
        self._check_model_access("write")
        self._drop_allocations(payment_ids)
        state = "cancel" if self.env.spec.major <= 17 else "canceled"
        for pid in payment_ids:
            self._write([pid], {"state": state})
            move = self._row(pid).get("move_id")
            if move:
                self.env.db.set("account.move", move, {"state": "cancel"})
        self.env.server.flush()

    @public
    def action_draft(self, ids: Sequence[int]) -> None:
        payment_ids = ids_of(ids)
        self._check_model_access("write")
        self._drop_allocations(payment_ids)
        for pid in payment_ids:
            self._write([pid], {"state": "draft", "is_matched": False})
            move = self._row(pid).get("move_id")
            if move:
                self.env.db.set("account.move", move, {"state": "draft"})
        self.env.server.flush()


def _active_invoices(env: Env) -> list[int]:
    model = env.context.get("active_model")
    ids = [int(i) for i in env.context.get("active_ids") or []]
    if model == "account.move.line":
        lines = env.db.table("account.move.line")
        return sorted({lines[i]["move_id"] for i in ids if i in lines})
    if model != "account.move":
        raise errors.UserError(
            "The register payment wizard should only be called on account.move or "
            "account.move.line records."
        )
    return ids


class AccountPaymentRegister(TransientModel):
    _name = "account.payment.register"
    _description = "Pay"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "payment_date": f.Date("Payment Date", required=True, default=lambda e: e.today_text()),
            "amount": f.Monetary("Amount"),
            "communication": f.Char("Memo"),
            "group_payment": f.Boolean("Group Payments", default=False),
            "currency_id": f.Many2one("res.currency", "Currency"),
            "journal_id": f.Many2one("account.journal", "Journal"),
            "company_id": f.Many2one("res.company", "Company", default=lambda e: e.company_id),
            "partner_id": f.Many2one("res.partner", "Customer/Vendor"),
            "payment_type": f.SelectionField(
                [("outbound", "Send"), ("inbound", "Receive")], "Payment Type", default="inbound"
            ),
            "payment_difference_handling": f.SelectionField(
                [("open", "Keep open"), ("reconcile", "Mark as fully paid")],
                "Payment Difference Handling",
                default="open",
            ),
            "line_ids": f.Many2many("account.move.line", "Journal items"),
            "invoice_ids": f.Many2many("account.move", "Invoices"),
        }

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        env = self.env
        invoices = _active_invoices(env)
        moves = env["account.move"].sudo()
        env.server.flush()
        if not invoices:
            raise errors.UserError(
                "You can't open the register payment wizard without at least one "
                "receivable/payable line."
            )
        rows = [moves._row(m) for m in invoices]
        if any(r.get("state") != "posted" for r in rows):
            raise errors.UserError("You can only register payment for posted journal entries.")
        if all(
            money.is_zero(env, r.get("currency_id"), money.dec(r.get("amount_residual")))
            for r in rows
        ):
            raise errors.UserError(
                "You can't register a payment because there is nothing left to pay on the "
                "selected journal items."
            )
        for vals in vals_list:
            vals.setdefault("invoice_ids", [(6, 0, invoices)])
            currency = vals.get("currency_id") or rows[0]["currency_id"]
            vals["currency_id"] = currency
            vals.setdefault("company_id", rows[0]["company_id"])
            vals.setdefault("partner_id", rows[0].get("partner_id"))
            if rows[0].get("move_type", "").startswith("in"):
                vals.setdefault("payment_type", "outbound")
            if not vals.get("journal_id"):
                vals["journal_id"] = journal_of(env, rows[0]["company_id"], "bank")
            if "amount" not in vals:
                total = sum(
                    (
                        money.convert(
                            env,
                            money.dec(r.get("amount_residual")),
                            r["currency_id"],
                            currency,
                            r["company_id"],
                            env.today_text(),
                        )
                        for r in rows
                    ),
                    ZERO,
                )
                vals["amount"] = float(total)
            if not vals.get("communication"):
                vals["communication"] = " ".join(
                    str(r.get("payment_reference") or r.get("name") or "") for r in rows
                ).strip()

    @public
    def action_create_payments(self, ids: Sequence[int]) -> Any:
        env = self.env
        payments = env["account.payment"]
        payments._check_model_access("create")
        created: list[int] = []
        for wid in ids_of(ids):
            wizard = self._row(wid)
            invoices = list(wizard.get("invoice_ids") or ())
            groups = (
                [invoices]
                if wizard.get("group_payment") or len(invoices) == 1
                else [[m] for m in invoices]
            )
            total = money.dec(wizard.get("amount"))
            moves = env.sudo()["account.move"]
            for group in groups:
                if len(groups) > 1:
                    residual = sum(
                        (money.dec(moves._row(m).get("amount_residual")) for m in group), ZERO
                    )
                    amount = residual
                else:
                    amount = total
                memo_field = "ref" if env.spec.major <= 17 else "memo"
                vals: dict[str, Any] = {
                    "payment_type": wizard.get("payment_type") or "inbound",
                    "partner_type": "customer"
                    if wizard.get("payment_type") != "outbound"
                    else "supplier",
                    "partner_id": moves._row(group[0]).get("partner_id"),
                    "amount": float(amount),
                    "currency_id": wizard.get("currency_id"),
                    "date": wizard.get("payment_date"),
                    "journal_id": wizard.get("journal_id"),
                    "company_id": wizard.get("company_id"),
                    memo_field: wizard.get("communication"),
                }
                [pid] = env.sudo()["account.payment"]._create([vals])
                env.sudo()["account.payment"]._post([pid])
                env.sudo()["account.payment"]._reconcile(pid, group)
                created.append(pid)
        if env.context.get("dont_redirect_to_payments"):
            return True
        action: dict[str, Any] = {
            "name": "Payments",
            "type": "ir.actions.act_window",
            "res_model": "account.payment",
            "context": {"create": False},
        }
        if len(created) == 1:
            action.update(view_mode="form", res_id=created[0])
        else:
            action.update(view_mode="list,form", domain=[["id", "in", created]])
        return action


MODELS: list[type[Model]] = [AccountPartialReconcile, AccountPayment, AccountPaymentRegister]
