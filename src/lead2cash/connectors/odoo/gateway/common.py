"""What every part of the gateway shares: the company scope of a call, reference resolution
(bindings, our own external ids, configuration records by external id or name) and the
conversion of Odoo floats to exact amounts.

References come from three places, in this order:

1. the hub's bindings (``lookup``: a :class:`~lead2cash.model.base.SourceRef` to an Odoo id,
   given by the flow; records the gateway *adopted* carry no external id of ours, so the
   binding is how later calls find them);
2. the deterministic external id of a record the hub created
   (``lead2cash.<system>_<kind>_<id>``), looked up with ``ir.model.data.check_object_reference``,
   which any user may call (``ir.model.data`` itself is closed to a least-privilege user);
3. configuration (the mapping names companies, products and employees by external id or name).

A reference that is simply not synced yet raises :class:`~lead2cash.errors.MissingReferenceError`
with the binding key the job waits for; a configuration record that Odoo does not have raises
:class:`~lead2cash.errors.ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.compat import Compat
from lead2cash.connectors.odoo.reader import ReferenceCache
from lead2cash.connectors.odoo.writer import ExternalIdWriter, RowResult, external_id
from lead2cash.mapping.engine import Mapper
from lead2cash.model.base import SourceRef
from lead2cash.model.money import Money, round_amount

#: The hub's binding lookup: the Odoo id a source record is bound to, or ``None``.
Lookup = Callable[[SourceRef], "int | None"]

_XMLID = re.compile(r"^[A-Za-z0-9_]+\.[A-Za-z0-9_.\-]+$")
_NOT_FOUND = re.compile(r"not found", re.IGNORECASE)


#: What happened to one source entry (time entry, expense).
Status = Literal["created", "updated", "unchanged", "deleted", "absent", "failed"]


@dataclass(frozen=True)
class EntryResult:
    """The outcome for one source entry: its Odoo id, or the classified error (a batch never
    fails as a whole for one entry's problem)."""

    key: str
    status: Status
    odoo_id: int | None = None
    error: errors.Lead2CashError | None = None
    submitted: bool = False
    sheet_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _no_binding(_ref: SourceRef) -> int | None:
    return None


@dataclass(frozen=True)
class Scope:
    """The company a call works in: every call carries ``allowed_company_ids=[company_id]``
    and records created for a company get ``company_id`` too (reference §3)."""

    company_id: int
    currency: str
    key: str | None = None

    @property
    def company_ids(self) -> list[int]:
        return [self.company_id]


def to_decimal(value: Any) -> Decimal:
    """An Odoo float (or int, or ``False``) as an exact Decimal: ``Decimal(str(x))``."""
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def to_money(value: Any, currency: str) -> Money:
    """An Odoo monetary float as Money rounded to the currency."""
    return Money(amount=round_amount(to_decimal(value), currency), currency=currency)


def quantize(value: Decimal, digits: int) -> Decimal:
    """``value`` rounded half-up to ``digits`` decimals (Odoo's float fields round so)."""
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def m2o(value: Any) -> int | None:
    """The id of a many2one as read (``[id, name]``, a bare id, or ``False``)."""
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def looks_like_xmlid(text: str) -> bool:
    return bool(_XMLID.match(text))


def own_xmlid(ref: SourceRef, kind: str, suffix: str | None = None) -> str:
    """The external id of the record the hub writes for ``ref`` (``suffix`` for a part of it,
    e.g. one line of an order)."""
    source_id = ref.external_id if suffix is None else f"{ref.external_id}/{suffix}"
    return external_id(ref.system, kind, source_id)


def row_error(result: RowResult, reference: str | None = None) -> errors.Lead2CashError:
    """The error of a failed ``load`` row; a dangling relation becomes a missing reference."""
    error = result.error
    if error is None:
        return errors.RejectedError(
            f"Odoo wrote nothing for {result.xmlid}", system="odoo", operation="load"
        )
    if isinstance(error, errors.NotFoundError) and reference:
        return errors.MissingReferenceError(error.message, reference=reference)
    return error


class Resolver:
    """Reference resolution and the shared Odoo helpers of one gateway."""

    def __init__(
        self,
        client: OdooClient,
        *,
        refs: ReferenceCache | None = None,
        lookup: Lookup | None = None,
        mapper: Mapper | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.client = client
        self.refs = refs or ReferenceCache(client)
        self.lookup: Lookup = lookup or _no_binding
        self.mapper = mapper
        self.writer = ExternalIdWriter(client, batch_size=batch_size)
        self._currencies: dict[str, int] = {}
        self._company_currency: dict[int, str] = {}
        self._digits: dict[tuple[str, str], int] = {}
        self._employees_by_email: dict[tuple[str, int], int] = {}

    @property
    def compat(self) -> Compat:
        return self.client.compat

    # -- companies and currencies ------------------------------------------------------------

    def scope(self, company_key: str) -> Scope:
        """The scope of a company key of the mapping (``companies:`` in mappings.yaml)."""
        if self.mapper is None:
            raise errors.ConfigError("a company key needs the mapping; build a Scope directly")
        spec = self.mapper.company(company_key)
        company_id = self.config_record("res.company", spec.odoo_company, what="company")
        return Scope(company_id, spec.currency, company_key)

    def company_currency(self, company_id: int) -> str:
        if company_id not in self._company_currency:
            rows = self.client.read("res.company", [company_id], ["currency_id"])
            if not rows:
                raise errors.ConfigError(f"res.company {company_id} is not visible to the hub")
            currency = rows[0]["currency_id"]
            self._company_currency[company_id] = str(currency[1]) if currency else ""
        return self._company_currency[company_id]

    def currency(self, code: str) -> int:
        """The id of an **active** currency (Odoo cannot sell or invoice in an inactive one)."""
        if code not in self._currencies:
            rows = self.client.search_read(
                "res.currency",
                [("name", "=", code)],
                ["name", "active"],
                context={"active_test": False},
            )
            if not rows:
                raise errors.ConfigError(f"currency {code} does not exist in Odoo", currency=code)
            if not rows[0]["active"]:
                raise errors.ConfigError(
                    f"currency {code} is not active in Odoo; activate it (Accounting > "
                    "Configuration > Currencies) before selling or invoicing in it",
                    currency=code,
                )
            self._currencies[code] = int(rows[0]["id"])
        return self._currencies[code]

    def digits(self, model: str, field: str, default: int = 2) -> int:
        """The decimals Odoo keeps for a float field (``fields_get`` ``digits``)."""
        key = (model, field)
        if key not in self._digits:
            found = self.client.fields_get(model, [field], attributes=("type", "digits"))
            spec = found.get(field, {}).get("digits")
            self._digits[key] = (
                int(spec[1]) if isinstance(spec, list | tuple) and len(spec) == 2 else default
            )
        return self._digits[key]

    # -- configuration records -----------------------------------------------------------------

    def config_record(
        self,
        model: str,
        text: str,
        *,
        what: str,
        domain: Sequence[Any] = (),
        company_id: int | None = None,
    ) -> int:
        """A configuration record named by external id or exact name (``ConfigError`` if Odoo
        has none)."""
        if looks_like_xmlid(text):
            try:
                return self.refs.by_xmlid(text, model)
            except errors.NotFoundError:
                pass  # a name that merely looks like an external id: try it as a name
        company = [] if company_id is None else [("company_id", "in", [False, company_id])]
        try:
            return self.refs.by_name(
                model,
                text,
                [*domain, *company],
                company_ids=None if company_id is None else [company_id],
            )
        except errors.NotFoundError as exc:
            raise errors.ConfigError(
                f"the {what} {text!r} of the mapping is not in Odoo ({model})", model=model
            ) from exc

    # -- our own records -------------------------------------------------------------------

    def own(self, xmlid: str) -> int | None:
        """The id of the record behind one of our external ids, or ``None`` (never cached:
        the gateway creates and deletes these records itself)."""
        module, name = xmlid.split(".", 1)
        try:
            result = self.client.execute_kw(
                "ir.model.data", "check_object_reference", [module, name]
            )
        except (errors.RejectedError, errors.NotFoundError) as exc:
            if _NOT_FOUND.search(exc.message):
                return None
            raise
        if not isinstance(result, list | tuple) or len(result) != 2:
            return None
        if not result[1]:
            raise errors.AuthError(
                f"external id {xmlid} names a {result[0]} record the integration user cannot see",
                system="odoo",
                operation="ir.model.data.check_object_reference",
            )
        return int(result[1])

    def bound_or_own(self, ref: SourceRef, kind: str) -> int | None:
        """The binding's Odoo id, else our external id's record, else ``None``."""
        bound = self.lookup(ref)
        if bound:
            return bound
        return self.own(own_xmlid(ref, kind))

    def partner(self, ref: SourceRef, kind: str = "customer") -> int:
        """The partner of a customer or contact (``MissingReferenceError`` until synced)."""
        found = self.bound_or_own(ref, kind)
        if found is None:
            raise errors.MissingReferenceError(
                f"customer {ref.key} is not synced to Odoo yet", reference=ref.key
            )
        return found

    def bound(self, ref: SourceRef, what: str) -> int:
        """A record only the hub's bindings know (e.g. the Odoo project of a time-tool
        project); ``MissingReferenceError`` until it is bound."""
        found = self.lookup(ref)
        if not found:
            raise errors.MissingReferenceError(
                f"{what} {ref.key} is not bound to an Odoo record yet", reference=ref.key
            )
        return found

    def employee(self, consultant: SourceRef, scope: Scope) -> int:
        """The employee of a source user: its binding, else the mapping's ``consultants``."""
        bound = self.lookup(consultant)
        if bound:
            return bound
        spec = None
        if self.mapper is not None:
            spec = self.mapper.consultant(consultant.system, consultant.external_id)
        if spec is not None:
            return self.config_record(
                "hr.employee", spec.employee, what="employee", company_id=scope.company_id
            )
        email = consultant.external_id.strip().lower()
        by_email = self.mapper is not None and self.mapper.spec.match_consultants_by_email
        if by_email and "@" in email:
            found = self._employee_by_email(email, scope)
            if found is not None:
                return found
        raise errors.MissingReferenceError(
            f"consultant {consultant.key} is not mapped to an Odoo employee"
            + (" (and no employee of the company has that work e-mail)" if by_email else ""),
            reference=consultant.key,
        )

    def _employee_by_email(self, email: str, scope: Scope) -> int | None:
        """The company's one employee whose work e-mail is ``email`` (``match_consultants_by_
        email``); two of them is a configuration error, none is ``None``."""
        cache_key = (email, scope.company_id)
        if cache_key not in self._employees_by_email:
            ids = self.client.search(
                "hr.employee",
                [("work_email", "=ilike", email), ("company_id", "in", [False, scope.company_id])],
                limit=2,
                company_ids=scope.company_ids,
            )
            if len(ids) > 1:
                raise errors.ConfigError(
                    f"two employees have the work e-mail {email}: map the consultant in "
                    "consultants (mappings.yaml)"
                )
            if not ids:
                return None
            self._employees_by_email[cache_key] = int(ids[0])
        return self._employees_by_email[cache_key]

    # -- small helpers -------------------------------------------------------------------------

    def read_one(
        self, model: str, record_id: int, fields: Sequence[str], scope: Scope
    ) -> dict[str, Any]:
        rows = self.client.read(model, [record_id], fields, company_ids=scope.company_ids)
        if not rows:
            raise errors.NotFoundError(
                f"{model} {record_id} does not exist or is not visible",
                system="odoo",
                operation=f"{model}.read",
            )
        return rows[0]

    def call(
        self,
        model: str,
        method: str,
        ids: Sequence[int],
        scope: Scope,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        """A record method (``action_*`` button) on ``ids`` in the scope's company."""
        return self.client.execute_kw(
            model, method, [list(ids)], context=context, company_ids=scope.company_ids
        )
