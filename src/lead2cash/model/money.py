"""Money: a Decimal amount and an ISO 4217 currency, rounded by that currency's minor unit.

Never a float. Arithmetic across currencies is refused. Rounding is half-up, as Odoo rounds
monetary amounts (``float_round`` with the currency's ``rounding``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

#: Currencies whose minor unit is not 2 digits (ISO 4217). Every other code rounds to cents.
MINOR_UNITS: dict[str, int] = {
    "BHD": 3,
    "BIF": 0,
    "CLF": 4,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "UYW": 4,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}

#: The ISO 4217 codes the hub accepts (active codes; extend with care).
ISO_4217: frozenset[str] = frozenset(
    """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
BZD CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI UYU
UYW UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
""".split()  # noqa: SIM905 - a table is easier to read and check
)


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if code not in ISO_4217:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


def to_decimal(value: Any) -> Decimal:
    """A Decimal from a Decimal, int or string; floats are refused (they already lost cents)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, float):
        raise ValueError("amounts must not be floats; pass a string or Decimal")
    try:
        result = Decimal(value) if isinstance(value, int | str) else value
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not isinstance(result, Decimal) or not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


StrictDecimal = Annotated[Decimal, BeforeValidator(to_decimal)]
Currency = Annotated[str, BeforeValidator(check_currency)]


class Money(BaseModel):
    """An amount in a currency. Immutable; ``+``/``-`` need the same currency."""

    model_config = ConfigDict(frozen=True)

    amount: StrictDecimal
    currency: Currency

    @classmethod
    def of(cls, amount: Any, currency: str) -> Money:
        return cls(amount=amount, currency=currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=Decimal(0), currency=currency)

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit."""
        return Money(amount=round_amount(self.amount, self.currency), currency=self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply money by a Decimal, not a float")
        return Money(amount=self.amount * Decimal(factor), currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __str__(self) -> str:
        return f"{round_amount(self.amount, self.currency)} {self.currency}"


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to ``currency``'s minor unit (2 digits unless ISO says so)."""
    quantum = Decimal(1).scaleb(-minor_unit(currency))
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def sum_money(items: list[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
