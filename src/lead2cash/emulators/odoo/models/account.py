"""``account`` set-up models: chart of accounts, journals, taxes, fiscal positions and
payment terms (journal entries are in ``move.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.versions import VersionSpec

ZERO = Decimal(0)


def journal_of(env: Env, company: int, kind: str) -> int | None:
    journals = env.db.table("account.journal")
    found = sorted(
        j
        for j, row in journals.items()
        if row.get("company_id") == company and row.get("type") == kind
    )
    return found[0] if found else None


class AccountAccount(Model):
    _name = "account.account"
    _description = "Account"
    _order = "code, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Account Name", required=True, index=True),
            "code": f.Char("Code", index=True),
            "account_type": f.SelectionField(
                [
                    ("asset_receivable", "Receivable"),
                    ("asset_cash", "Bank and Cash"),
                    ("asset_current", "Current Assets"),
                    ("liability_payable", "Payable"),
                    ("liability_current", "Current Liabilities"),
                    ("income", "Income"),
                    ("expense", "Expenses"),
                ],
                "Type",
                required=True,
            ),
            "reconcile": f.Boolean("Allow Reconciliation", default=False),
            "active": f.Boolean("Active", default=True),
        }
        if spec.major <= 17:
            fields["company_id"] = f.Many2one("res.company", "Company", required=True, index=True)
        else:
            fields["company_ids"] = f.Many2many("res.company", "Companies")
        return fields

    def _rule_domain(self) -> list[Any] | None:
        if self.env.spec.major <= 17:
            return super()._rule_domain()
        return [("company_ids", "in", self.env.company_ids)]

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        return {i: f"{table[i].get('code') or ''} {table[i].get('name')}".strip() for i in ids}


class AccountJournal(Model):
    _name = "account.journal"
    _description = "Journal"
    _order = "sequence, type, code"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Journal Name", required=True),
            "code": f.Char("Short Code", required=True),
            "type": f.SelectionField(
                [
                    ("sale", "Sales"),
                    ("purchase", "Purchase"),
                    ("cash", "Cash"),
                    ("bank", "Bank"),
                    ("credit", "Credit Card"),
                    ("general", "Miscellaneous"),
                ],
                "Type",
                required=True,
            ),
            "sequence": f.Integer("Sequence", default=10),
            "active": f.Boolean("Active", default=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
            "currency_id": f.Many2one("res.currency", "Currency"),
            "default_account_id": f.Many2one("account.account", "Default Account"),
        }

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        return {i: str(table[i].get("name") or "") for i in ids}


class AccountTax(Model):
    _name = "account.tax"
    _description = "Tax"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Tax Name", required=True),
            "description": f.Char("Label on Invoices"),
            "sequence": f.Integer("Sequence", default=1),
            "amount_type": f.SelectionField(
                [
                    ("group", "Group of Taxes"),
                    ("fixed", "Fixed"),
                    ("percent", "Percentage"),
                    ("division", "Percentage Tax Included"),
                ],
                "Tax Computation",
                default="percent",
            ),
            "amount": f.Float("Amount", default=ZERO),
            "type_tax_use": f.SelectionField(
                [("sale", "Sales"), ("purchase", "Purchases"), ("none", "None")],
                "Tax Type",
                default="sale",
            ),
            "price_include": f.Boolean("Included in Price", default=False),
            "active": f.Boolean("Active", default=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
        }
        return fields


class AccountFiscalPosition(Model):
    _name = "account.fiscal.position"
    _description = "Fiscal Position"
    _order = "sequence"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Fiscal Position", required=True),
            "sequence": f.Integer("Sequence", default=10),
            "active": f.Boolean("Active", default=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
            "auto_apply": f.Boolean("Detect Automatically", default=False),
            "country_id": f.Many2one("res.country", "Country"),
            "note": f.Html("Notes"),
        }
        if spec.major >= 19:
            fields["tax_ids"] = f.Many2many("account.tax", "Taxes")
        else:
            fields["tax_ids"] = f.One2many(
                "account.fiscal.position.tax", "position_id", "Tax Mapping"
            )
        return fields

    def _map_taxes(self, position: int, taxes: Sequence[int]) -> list[int]:
        """Domestic taxes → the position's taxes (18-: the mapping lines; 19: ``tax_ids``,
        each replacing the taxes of its type)."""
        if self.env.spec.major >= 19:
            replacements = list(self._row(position).get("tax_ids") or ())
            if not replacements:
                return list(taxes)
            tax_table = self.env.db.table("account.tax")
            out: list[int] = []
            for t in taxes:
                kind = tax_table[t].get("type_tax_use")
                out += [r for r in replacements if tax_table[r].get("type_tax_use") == kind]
            return list(dict.fromkeys(out))
        mapping = self.env.db.table("account.fiscal.position.tax")
        result: list[int] = []
        for t in taxes:
            rows = [
                r
                for r in mapping.values()
                if r.get("position_id") == position and r.get("tax_src_id") == t
            ]
            if not rows:
                result.append(t)
            result += [r["tax_dest_id"] for r in rows if r.get("tax_dest_id")]
        return list(dict.fromkeys(result))


class AccountFiscalPositionTax(Model):
    _name = "account.fiscal.position.tax"
    _description = "Tax Mapping of Fiscal Position"
    _versions = (17, 18)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "position_id": f.Many2one(
                "account.fiscal.position",
                "Fiscal Position",
                required=True,
                index=True,
                ondelete="cascade",
            ),
            "tax_src_id": f.Many2one("account.tax", "Tax on Product", required=True),
            "tax_dest_id": f.Many2one("account.tax", "Tax to Apply"),
        }


class AccountPaymentTerm(Model):
    _name = "account.payment.term"
    _description = "Payment Terms"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Payment Terms", required=True),
            "sequence": f.Integer("Sequence", default=10),
            "active": f.Boolean("Active", default=True),
            "company_id": f.Many2one("res.company", "Company"),
            "days": f.Integer(
                "Days",
                default=0,
                help="Emulator: the due date is the invoice date plus these days.",
            ),
        }


MODELS: list[type[Model]] = [
    AccountAccount,
    AccountJournal,
    AccountTax,
    AccountFiscalPosition,
    AccountFiscalPositionTax,
    AccountPaymentTerm,
]
