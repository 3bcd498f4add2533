"""Money: currency rates and conversion, rounding to the currency, taxes on a line.

Amounts are ``Decimal`` throughout and rounded half-up to the currency's ``rounding`` (Odoo's
``float_round``); rates follow ``res.currency.rate`` (units of the currency per unit of the
company currency, latest rate on or before the date, company-specific rates first).
Taxes are computed per line and rounded per line (``round_per_line``, the default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.fields import round_to

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def dec(value: Any) -> Decimal:
    if value is None or value is False:
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def rounding(env: Env, currency_id: int | None) -> Decimal:
    if not currency_id:
        return Decimal("0.01")
    row = env.db.table("res.currency").get(currency_id) or {}
    return dec(row.get("rounding") or Decimal("0.01"))


def round_currency(env: Env, currency_id: int | None, amount: Decimal) -> Decimal:
    return round_to(amount, rounding(env, currency_id))


def is_zero(env: Env, currency_id: int | None, amount: Decimal) -> bool:
    return round_currency(env, currency_id, amount) == 0


def rate(env: Env, currency_id: int, date: str, company_id: int | None) -> Decimal:
    """Units of ``currency_id`` per unit of the company currency on ``date`` (1 if no rate)."""
    company_currency = None
    if company_id:
        company_currency = env.db.table("res.company")[company_id].get("currency_id")
    own = _raw_rate(env, currency_id, date, company_id)
    if company_currency and company_currency != currency_id:
        base = _raw_rate(env, company_currency, date, company_id)
        return own / base if base else own
    return own if company_currency != currency_id else ONE


def _raw_rate(env: Env, currency_id: int, date: str, company_id: int | None) -> Decimal:
    best: tuple[int, str, Decimal] | None = None
    for row in env.db.table("res.currency.rate").values():
        if row.get("currency_id") != currency_id or (row.get("name") or "") > date:
            continue
        owner = row.get("company_id")
        if owner and owner != company_id:
            continue
        key = (1 if owner else 0, row.get("name") or "", dec(row.get("rate")) or ONE)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else ONE


def convert(
    env: Env,
    amount: Decimal,
    from_currency: int,
    to_currency: int,
    company_id: int | None,
    date: str,
) -> Decimal:
    """``res.currency._convert``: rounded to the target currency."""
    if from_currency == to_currency:
        return round_currency(env, to_currency, amount)
    factor = rate(env, to_currency, date, company_id) / rate(env, from_currency, date, company_id)
    return round_currency(env, to_currency, amount * factor)


def split_included(
    env: Env, tax_ids: Iterable[int], total: Decimal, currency_id: int | None
) -> tuple[Decimal, Decimal]:
    """A tax-included total (an expense) split into untaxed amount and tax."""
    taxes = env.db.table("account.tax")
    rate = sum(
        (
            dec(taxes[t].get("amount"))
            for t in tax_ids
            if t in taxes and taxes[t].get("amount_type", "percent") == "percent"
        ),
        ZERO,
    )
    untaxed = round_currency(env, currency_id, total / (ONE + rate / HUNDRED))
    return untaxed, total - untaxed


@dataclass(frozen=True)
class LineAmounts:
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    env: Env,
    tax_ids: Iterable[int],
    price_unit: Decimal,
    quantity: Decimal,
    discount: Decimal,
    currency_id: int | None,
) -> LineAmounts:
    """Subtotal, tax and total of one line (taxes computed and rounded per line)."""
    unit = price_unit * (ONE - discount / HUNDRED)
    gross = unit * quantity
    taxes = env.db.table("account.tax")
    included = ZERO
    rates_included = ZERO
    excluded: list[dict[str, Any]] = []
    for tid in tax_ids:
        tax = taxes.get(tid)
        if tax is None:
            continue
        if tax.get("price_include") and tax.get("amount_type", "percent") == "percent":
            rates_included += dec(tax.get("amount"))
        elif tax.get("price_include"):
            included += dec(tax.get("amount")) * quantity
        else:
            excluded.append(tax)
    base = (gross - included) / (ONE + rates_included / HUNDRED) if rates_included else gross
    base = round_currency(env, currency_id, base)
    tax_total = (
        round_currency(env, currency_id, gross - base) if rates_included or included else ZERO
    )
    for tax in excluded:
        if tax.get("amount_type", "percent") == "fixed":
            amount = dec(tax.get("amount")) * quantity
        else:
            amount = base * dec(tax.get("amount")) / HUNDRED
        tax_total += round_currency(env, currency_id, amount)
    return LineAmounts(base, tax_total, base + tax_total)
