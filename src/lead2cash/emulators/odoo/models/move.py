"""``account``: journal entries (``account.move``) and their lines.

Invoices hold their product lines only (no tax or receivable journal items are generated);
amounts are computed from the lines, per line, with Decimal and the currency's rounding.
``amount_residual`` is the total minus the payments reconciled with the invoice
(``payment.py``), and ``payment_state`` follows Odoo's rules: ``not_paid``; ``partial``;
``in_payment`` when fully paid by payments not yet matched with a bank statement; ``paid``
once they are (control API ``/_emulator/payments/match``, or 18+
``account.payment.action_validate``).
Draft invoices are named ``/`` (17) or have no name (18+); posting gives ``INV/YYYY/NNNNN``.
``action_post`` returns False; ``button_draft`` and ``button_cancel`` return None, so XML-RPC
answers them with the "cannot marshal None" fault after committing, as Odoo does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.models.account import journal_of
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

ZERO = Decimal(0)
MOVE_TYPES = [
    ("entry", "Journal Entry"),
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"),
    ("in_refund", "Vendor Credit Note"),
    ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
]
INVOICE_TYPES = {
    "out_invoice",
    "out_refund",
    "in_invoice",
    "in_refund",
    "out_receipt",
    "in_receipt",
}
JOURNAL_FOR = {
    "out_invoice": "sale",
    "out_refund": "sale",
    "out_receipt": "sale",
    "in_invoice": "purchase",
    "in_refund": "purchase",
    "in_receipt": "purchase",
    "entry": "general",
}
DRAFT_LABELS = {
    "out_invoice": "Draft Invoice",
    "out_refund": "Draft Credit Note",
    "in_invoice": "Draft Bill",
    "in_refund": "Draft Vendor Credit Note",
    "out_receipt": "Draft Sales Receipt",
    "in_receipt": "Draft Purchase Receipt",
    "entry": "Draft Entry",
}


class AccountMove(Model):
    _name = "account.move"
    _description = "Journal Entry"
    _order = "date desc, name desc, id desc"
    _company_checked = ("partner_id", "journal_id", "fiscal_position_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char(
                "Number", copy=False, index=True, default=lambda e: e.spec.draft_move_name
            ),
            "move_type": f.SelectionField(MOVE_TYPES, "Type", required=True, default="entry"),
            "state": f.SelectionField(
                [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")],
                "Status",
                required=True,
                default="draft",
                copy=False,
            ),
            "date": f.Date("Date", required=True, index=True, default=lambda e: e.today_text()),
            "invoice_date": f.Date("Invoice/Bill Date", copy=False),
            "invoice_date_due": f.Date("Due Date"),
            "partner_id": f.Many2one("res.partner", "Partner", index=True),
            "commercial_partner_id": f.Many2one(
                "res.partner", "Commercial Entity", related="partner_id.commercial_partner_id"
            ),
            "journal_id": f.Many2one("account.journal", "Journal", required=True),
            "currency_id": f.Many2one("res.currency", "Currency", required=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
            "company_currency_id": f.Many2one(
                "res.currency", "Company Currency", related="company_id.currency_id"
            ),
            "ref": f.Char("Reference", copy=False),
            "payment_reference": f.Char("Payment Reference", copy=False),
            "invoice_origin": f.Char("Origin"),
            "narration": f.Html("Terms and Conditions"),
            "invoice_payment_term_id": f.Many2one("account.payment.term", "Payment Terms"),
            "fiscal_position_id": f.Many2one("account.fiscal.position", "Fiscal Position"),
            "invoice_user_id": f.Many2one("res.users", "Salesperson", default=lambda e: e.uid),
            "invoice_line_ids": f.One2many("account.move.line", "move_id", "Invoice lines"),
            "line_ids": f.One2many("account.move.line", "move_id", "Journal Items"),
            "amount_untaxed": f.Monetary("Untaxed Amount", readonly=True, compute="_amounts"),
            "amount_tax": f.Monetary("Tax", readonly=True, compute="_amounts"),
            "amount_total": f.Monetary("Total", readonly=True, compute="_amounts"),
            "amount_residual": f.Monetary("Amount Due", readonly=True, compute="_amounts"),
            "amount_untaxed_signed": f.Monetary(
                "Untaxed Amount Signed",
                currency_field="company_currency_id",
                readonly=True,
                compute="_amounts",
            ),
            "amount_tax_signed": f.Monetary(
                "Tax Signed",
                currency_field="company_currency_id",
                readonly=True,
                compute="_amounts",
            ),
            "amount_total_signed": f.Monetary(
                "Total Signed",
                currency_field="company_currency_id",
                readonly=True,
                compute="_amounts",
            ),
            "amount_residual_signed": f.Monetary(
                "Amount Due Signed",
                currency_field="company_currency_id",
                readonly=True,
                compute="_amounts",
            ),
            "payment_state": f.SelectionField(
                lambda env: env.spec.move_payment_states,
                "Payment Status",
                readonly=True,
                default="not_paid",
                copy=False,
                compute="_amounts",
            ),
            "posted_before": f.Boolean("Posted Before", default=False, copy=False),
            "reversed_entry_id": f.Many2one("account.move", "Reversal of"),
            "timesheet_ids": f.One2many(
                "account.analytic.line", "timesheet_invoice_id", "Timesheets"
            ),
            "invoice_currency_rate": f.Float("Currency Rate", default=Decimal(1)),
        }
        if spec.expense_sheets:
            fields["expense_sheet_id"] = f.Many2one("hr.expense.sheet", "Expense Sheet", index=True)
        if spec.major <= 17:
            fields["payment_id"] = f.Many2one("account.payment", "Payment", copy=False)
            fields["to_check"] = f.Boolean("To Check", default=False)
        else:
            fields["origin_payment_id"] = f.Many2one("account.payment", "Payment", copy=False)
            fields["checked"] = f.Boolean("Checked", default=True)
            fields["matched_payment_ids"] = f.Many2many(
                "account.payment", "Matched Payments", store=False, compute="_compute_matched"
            )
            fields["status_in_payment"] = f.SelectionField(
                [("draft", "Draft"), ("cancel", "Cancelled"), *spec.move_payment_states],
                "Status In Payment",
                store=False,
                compute="_compute_status_in_payment",
            )
        return fields

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        major = self.env.spec.major
        out: dict[int, str] = {}
        for i in ids:
            row = table[i]
            label = (
                DRAFT_LABELS.get(row.get("move_type") or "entry", "")
                if row.get("state") == "draft"
                else ""
            )
            name = row.get("name")
            if major <= 17:
                text = f"{label} " if label else ""
                text += f"(* {i})" if not name or name == "/" else str(name)
            else:
                text = label
                if name and name != "/":
                    text = f"{text} {name}".strip()
            if row.get("ref"):
                text += f" ({str(row['ref'])[:50]})"
            out[i] = text.strip()
        return out

    def _compute_matched(self, ids: list[int]) -> dict[int, Any]:
        partials = self.env.db.table("account.partial.reconcile")
        return {
            i: tuple(
                sorted({p["payment_id"] for p in partials.values() if p.get("invoice_id") == i})
            )
            for i in ids
        }

    def _compute_status_in_payment(self, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in ids:
            row = self._row(i)
            out[i] = row.get("payment_state") if row.get("state") == "posted" else row.get("state")
        return out

    # -- create / write ----------------------------------------------------------------------

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        env = self.env
        for vals in vals_list:
            move_type = vals.get("move_type") or env.context.get("default_move_type") or "entry"
            vals["move_type"] = move_type
            company = vals.get("company_id") or env.company_id
            vals["company_id"] = company
            if not vals.get("journal_id"):
                vals["journal_id"] = journal_of(env, company, JOURNAL_FOR[move_type])
            if not vals.get("currency_id"):
                journal = env.db.table("account.journal").get(vals.get("journal_id")) or {}
                vals["currency_id"] = (
                    journal.get("currency_id")
                    or env.db.table("res.company")[company]["currency_id"]
                )
            partner = env.db.table("res.partner").get(vals.get("partner_id"))
            if (
                partner
                and move_type in INVOICE_TYPES
                and "invoice_payment_term_id" not in vals
                and partner.get("property_payment_term_id")
            ):
                vals["invoice_payment_term_id"] = partner["property_payment_term_id"]

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self.env.server.mark(self._name, "_recompute_amounts", ids)

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        allowed = {
            "state",
            "payment_state",
            "ref",
            "narration",
            "payment_reference",
            "checked",
            "to_check",
            "posted_before",
            "name",
            "invoice_date_due",
        }
        for i in ids:
            if self._row(i).get("state") == "posted" and set(vals) - allowed and not self.env.su:
                raise errors.UserError(
                    "You cannot modify a posted entry of this journal.\n"
                    "First you should set the journal to allow cancelling entries."
                )

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {"currency_id", "invoice_line_ids", "line_ids", "move_type", "state"} & set(vals):
            self.env.server.mark(self._name, "_recompute_amounts", ids)
        if "state" in vals or "invoice_line_ids" in vals or "line_ids" in vals:
            self._touch_sale_lines(ids)

    def _before_unlink(self, ids: list[int]) -> None:
        for i in ids:
            row = self._row(i)
            if row.get("state") == "posted" or (
                row.get("posted_before") and self.env.spec.major <= 17
            ):
                raise errors.UserError("You cannot delete an entry which has been posted once.")
        self._touch_sale_lines(ids)

    def _touch_sale_lines(self, ids: list[int]) -> None:
        sol_table = self.env.db.table("sale.order.line")
        wanted = {ml for i in ids for ml in self._children("account.move.line", "move_id", i)}
        touched = [
            sol
            for sol, row in sol_table.items()
            if wanted.intersection(row.get("invoice_lines") or ())
        ]
        if touched:
            self.env.server.mark("sale.order.line", "_recompute_qty", touched)

    # -- amounts -----------------------------------------------------------------------------

    def _recompute_amounts(self, ids: list[int]) -> None:
        env = self.env
        lines = env.db.table("account.move.line")
        partials = env.db.table("account.partial.reconcile")
        payments = env.db.table("account.payment")
        for i in ids:
            row = self._row(i)
            currency = row.get("currency_id")
            untaxed = tax = ZERO
            for lid in self._children("account.move.line", "move_id", i):
                line = lines[lid]
                if line.get("display_type") not in (None, "product"):
                    continue
                amounts = money.line_amounts(
                    env,
                    line.get("tax_ids") or (),
                    money.dec(line.get("price_unit")),
                    money.dec(line.get("quantity")),
                    money.dec(line.get("discount")),
                    currency,
                )
                env.db.set(
                    "account.move.line",
                    lid,
                    {"price_subtotal": amounts.untaxed, "price_total": amounts.total},
                )
                untaxed += amounts.untaxed
                tax += amounts.tax
            total = untaxed + tax
            paid = ZERO
            matched = True
            allocations = [p for p in partials.values() if p.get("invoice_id") == i]
            for p in allocations:
                paid += money.dec(p.get("amount"))
                payment = payments.get(p.get("payment_id"), {})
                matched = matched and bool(payment.get("is_matched"))
            residual = total - paid if row.get("state") == "posted" else total
            sign = -1 if row.get("move_type") in ("out_refund", "in_invoice", "in_receipt") else 1
            company = row["company_id"]
            company_currency = env.db.table("res.company")[company]["currency_id"]
            date = str(row.get("invoice_date") or row.get("date") or env.today_text())
            source = currency or company_currency
            signed = {
                name: sign * money.convert(env, amount, source, company_currency, company, date)
                for name, amount in (
                    ("untaxed", untaxed),
                    ("tax", tax),
                    ("total", total),
                    ("residual", residual),
                )
            }
            state = "not_paid"
            if row.get("move_type") in INVOICE_TYPES and row.get("state") == "posted":
                if money.is_zero(env, currency, residual):
                    state = "in_payment" if allocations and not matched else "paid"
                elif allocations:
                    state = "partial"
            if row.get("payment_state") in ("invoicing_legacy", "blocked", "reversed"):
                state = row["payment_state"]
            self._store(
                [i],
                {
                    "amount_untaxed": untaxed,
                    "amount_tax": tax,
                    "amount_total": total,
                    "amount_residual": residual,
                    "amount_untaxed_signed": signed["untaxed"],
                    "amount_tax_signed": signed["tax"],
                    "amount_total_signed": signed["total"],
                    "amount_residual_signed": signed["residual"],
                    "payment_state": state,
                },
            )

    # -- actions -----------------------------------------------------------------------------

    @public
    def action_post(self, ids: Sequence[int]) -> bool:
        move_ids = ids_of(ids)
        self._check_model_access("write")
        self._check_rules(move_ids, "write")
        self.env.server.flush()
        env = self.env
        for i in move_ids:
            row = self._row(i)
            if row.get("state") == "posted":
                raise errors.UserError(f"The entry {row.get('name')} (id {i}) is already posted.")
            if row.get("move_type") in INVOICE_TYPES and not row.get("partner_id"):
                label = "Customer" if row["move_type"].startswith("out") else "Vendor"
                raise errors.UserError(
                    f"The field '{label}' is required, please complete it to validate the "
                    f"{dict(MOVE_TYPES)[row['move_type']]}."
                )
            if not self._children("account.move.line", "move_id", i):
                raise errors.UserError("You need to add a line before posting.")
            currency = env.db.table("res.currency").get(row.get("currency_id")) or {}
            if not currency.get("active"):
                raise errors.UserError(
                    f"The currency of the entry ({currency.get('name')}) is inactive: activate "
                    "it before posting."
                )
            values: dict[str, Any] = {"state": "posted", "posted_before": True}
            invoice_date = row.get("invoice_date")
            if row.get("move_type") in INVOICE_TYPES and not invoice_date:
                invoice_date = env.today_text()
                values["invoice_date"] = invoice_date
                values["date"] = invoice_date
            if row.get("move_type") in INVOICE_TYPES:
                values["invoice_date_due"] = row.get("invoice_date_due") or self._due(
                    row, invoice_date
                )
            if not row.get("name") or row.get("name") == "/":
                values["name"] = self._next_name(row, values.get("date") or row.get("date"))
            self._write([i], values)
        env.server.flush()
        return False

    def _due(self, row: dict[str, Any], invoice_date: str | None) -> str | None:
        if not invoice_date:
            return None
        term = self.env.db.table("account.payment.term").get(row.get("invoice_payment_term_id"))
        days = int((term or {}).get("days") or 0)
        return (dt.date.fromisoformat(invoice_date) + dt.timedelta(days=days)).isoformat()

    def _next_name(self, row: dict[str, Any], date: str | None) -> str:
        journal = self.env.db.table("account.journal").get(row.get("journal_id")) or {}
        code = journal.get("code") or "MISC"
        if row.get("move_type") in ("out_refund", "in_refund"):
            code = f"R{code}"
        year = (date or self.env.today_text())[:4]
        number = self.env.db.next_sequence(f"account.move/{row.get('journal_id')}/{code}/{year}")
        return f"{code}/{year}/{number:05d}"

    @public
    def button_draft(self, ids: Sequence[int]) -> None:
        move_ids = ids_of(ids)
        self._check_model_access("write")
        for i in move_ids:
            if self._row(i).get("state") not in ("cancel", "posted"):
                raise errors.UserError(
                    "Only posted/cancelled journal entries can be reset to draft."
                )
        self.env.sudo()["account.payment"]._unreconcile_invoices(move_ids)
        self.env.sudo()[self._name]._write(move_ids, {"state": "draft"})
        self.env.server.flush()

    @public
    def button_cancel(self, ids: Sequence[int]) -> None:
        move_ids = ids_of(ids)
        self._check_model_access("write")
        posted = [i for i in move_ids if self._row(i).get("state") == "posted"]
        if posted:
            self.button_draft(posted)
        for i in move_ids:
            if self._row(i).get("state") != "draft":
                raise errors.UserError("Only draft journal entries can be cancelled.")
        self.env.sudo()[self._name]._write(move_ids, {"state": "cancel"})
        self.env.server.flush()

    @public
    def action_register_payment(self, ids: Sequence[int]) -> dict[str, Any]:
        move_ids = ids_of(ids)
        self._check_model_access("read")
        return {
            "name": "Pay",
            "res_model": "account.payment.register",
            "view_mode": "form",
            "views": [[False, "form"]],
            "context": {"active_model": "account.move", "active_ids": move_ids},
            "target": "new",
            "type": "ir.actions.act_window",
        }


class AccountMoveLine(Model):
    _name = "account.move.line"
    _description = "Journal Item"
    _order = "date desc, move_name desc, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "move_id": f.Many2one(
                "account.move", "Journal Entry", required=True, index=True, ondelete="cascade"
            ),
            "move_name": f.Char("Number", related="move_id.name"),
            "date": f.Date("Date", related="move_id.date"),
            "parent_state": f.SelectionField(
                [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")],
                "Status",
                related="move_id.state",
            ),
            "sequence": f.Integer("Sequence", default=10),
            "name": f.Char("Label"),
            "display_type": f.SelectionField(
                [
                    ("product", "Product"),
                    ("cogs", "COGS"),
                    ("tax", "Tax"),
                    ("payment_term", "Payment Term"),
                    ("line_section", "Section"),
                    ("line_note", "Note"),
                    ("epd", "Early Payment Discount"),
                ],
                "Display Type",
                default="product",
            ),
            "product_id": f.Many2one("product.product", "Product"),
            "product_uom_id": f.Many2one("uom.uom", "Unit"),
            "quantity": f.Float("Quantity", default=Decimal(1)),
            "price_unit": f.Float("Unit Price", default=ZERO),
            "discount": f.Float("Discount (%)", default=ZERO),
            "tax_ids": f.Many2many("account.tax", "Taxes"),
            "price_subtotal": f.Monetary("Subtotal", readonly=True),
            "price_total": f.Monetary("Total", readonly=True),
            "account_id": f.Many2one("account.account", "Account"),
            "partner_id": f.Many2one("res.partner", "Partner", related="move_id.partner_id"),
            "currency_id": f.Many2one("res.currency", "Currency", related="move_id.currency_id"),
            "company_id": f.Many2one("res.company", "Company", related="move_id.company_id"),
            "analytic_distribution": f.Json("Analytic Distribution"),
            "sale_line_ids": f.Many2many(
                "sale.order.line", "Sales Order Lines", store=False, compute="_compute_sale_lines"
            ),
        }

    def _compute_sale_lines(self, ids: list[int]) -> dict[int, Any]:
        wanted = set(ids)
        found: dict[int, list[int]] = {i: [] for i in ids}
        for sol, row in self.env.db.table("sale.order.line").items():
            for ml in wanted.intersection(row.get("invoice_lines") or ()):
                found[ml].append(sol)
        return {i: tuple(sorted(v)) for i, v in found.items()}

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        moves = self.env.db.table("account.move")
        products = self.env.sudo()["product.product"]
        for vals in vals_list:
            move = moves.get(vals.get("move_id"))
            if move is not None and move.get("state") == "posted" and not self.env.su:
                raise errors.UserError("You cannot modify a posted entry of this journal.")
            product = vals.get("product_id")
            if product and product in products._table():
                vals.setdefault("name", products._display_names([product])[product])
                vals.setdefault("product_uom_id", products._get(product, "uom_id"))
                if "price_unit" not in vals:
                    vals["price_unit"] = float(money.dec(products._get(product, "list_price")))
                if "tax_ids" not in vals and move is not None:
                    field = (
                        "taxes_id"
                        if (move.get("move_type") or "").startswith("out")
                        else "supplier_taxes_id"
                    )
                    vals["tax_ids"] = [(6, 0, list(products._get(product, field) or ()))]

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._touch(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        self._touch(ids)

    def _before_unlink(self, ids: list[int]) -> None:
        self._touch(ids)
        wanted = set(ids)
        timesheets = self.env.db.table("account.analytic.line")
        moves = {self._row(i)["move_id"] for i in ids}
        sols = self._compute_sale_lines(ids)
        so_lines = {s for v in sols.values() for s in v}
        for tid, row in timesheets.items():
            if row.get("timesheet_invoice_id") in moves and row.get("so_line") in so_lines:
                self.env.db.set("account.analytic.line", tid, {"timesheet_invoice_id": None})
        for sol, row in self.env.db.table("sale.order.line").items():
            kept = tuple(x for x in row.get("invoice_lines") or () if x not in wanted)
            if kept != tuple(row.get("invoice_lines") or ()):
                self.env.db.set("sale.order.line", sol, {"invoice_lines": kept})
                self.env.server.mark("sale.order.line", "_recompute_qty", [sol])

    def _touch(self, ids: list[int]) -> None:
        moves = {self._row(i)["move_id"] for i in ids if i in self._table()}
        self.env.server.mark("account.move", "_recompute_amounts", sorted(moves))
        sols = {s for v in self._compute_sale_lines(ids).values() for s in v}
        self.env.server.mark("sale.order.line", "_recompute_qty", sorted(sols))


MODELS: list[type[Model]] = [AccountMove, AccountMoveLine]
