"""Field types: how a value is validated and stored, read back on the wire, and described by
``fields_get``.

Storage values: ``None`` when empty; ``str`` for char/text/html/selection and for dates
(``YYYY-MM-DD``) and datetimes (``YYYY-MM-DD HH:MM:SS``, naive UTC); ``Decimal`` for float and
monetary; ``int`` for integer and many2one; ``bool`` for boolean; ``tuple[int, ...]`` for
many2many; one2many is never stored (it is the inverse of a many2one). On the wire (``read``),
empty values are ``False``, integers ``0``, floats ``0.0``, many2one ``[id, display_name]`` (or
the bare id with ``load`` other than ``'_classic_read'``), x2many lists of ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from lead2cash.emulators.odoo import errors

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.env import Env

Selection = list[tuple[str, str]]
SelectionSpec = Selection | Callable[["Env"], Selection]
Default = Any | Callable[["Env"], Any]


class Field:
    """One field of a model."""

    type = "char"

    def __init__(
        self,
        string: str = "",
        *,
        required: bool = False,
        readonly: bool = False,
        store: bool = True,
        index: bool = False,
        default: Default = None,
        compute: str | None = None,
        help: str = "",
        groups: str | None = None,
        company_dependent: bool = False,
        copy: bool = True,
        searchable: bool | None = None,
        related: str | None = None,
    ) -> None:
        self.string = string
        self.required = required
        self.readonly = readonly
        self.store = store
        self.index = index
        self.default = default
        self.compute = compute
        self.help = help
        self.groups = groups
        self.company_dependent = company_dependent
        self.copy = copy
        self._searchable = searchable
        self.related = related
        if related is not None:
            self.store = False
        self.name = ""
        self.model_name = ""

    def bind(self, model_name: str, name: str) -> None:
        self.name = name
        self.model_name = model_name
        if not self.string:
            self.string = name.replace("_id", "").replace("_", " ").strip().title() or name

    def __repr__(self) -> str:
        return f"{self.model_name}.{self.name}"

    @property
    def relational(self) -> bool:
        return False

    @property
    def searchable(self) -> bool:
        return self.store or self.related is not None or self._searchable is True

    # -- values ------------------------------------------------------------------------------

    def wrong(self, value: Any) -> errors.PythonError:
        return errors.value_error(f"Wrong value for {self}: {value!r}")

    def to_storage(self, env: Env, value: Any) -> Any:
        """A value sent by a client (create/write/domain) as storage; ValueError if wrong."""
        if value is None or value is False:
            return None
        if isinstance(value, str):
            return value
        return str(value)

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return False if value is None else value

    def empty_read(self) -> Any:
        return False

    # -- description -------------------------------------------------------------------------

    def describe(self, env: Env) -> dict[str, Any]:
        desc: dict[str, Any] = {
            "type": self.type,
            "string": self.string,
            "help": self.help,
            "required": self.required,
            "readonly": self.readonly or (self.compute is not None and not self.store),
            **({"related": self.related} if self.related else {}),
            "store": self.store,
            "searchable": self.searchable,
            "sortable": self.store,
            "groupable": self.store,
            "exportable": True,
            "manual": False,
            "company_dependent": self.company_dependent,
            "change_default": False,
            "depends": [],
            "name": self.name,
        }
        if self.type in ("char", "text", "html", "selection"):
            desc["translate"] = False
        return desc


class Char(Field):
    type = "char"


class Text(Field):
    type = "text"


class Html(Field):
    type = "html"


class Binary(Field):
    type = "binary"


class Boolean(Field):
    type = "boolean"

    def to_storage(self, env: Env, value: Any) -> Any:
        return bool(value)

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return bool(value)

    def empty_read(self) -> Any:
        return False


class Integer(Field):
    type = "integer"

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self.wrong(value) from None

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return int(value or 0)

    def empty_read(self) -> Any:
        return 0


class Float(Field):
    type = "float"

    def __init__(self, string: str = "", *, digits: int | None = None, **kw: Any) -> None:
        super().__init__(string, **kw)
        self.digits = digits

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        try:
            if isinstance(value, float):
                number = Decimal(repr(value))
            elif isinstance(value, Decimal):
                number = value
            else:
                number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise self.wrong(value) from None
        if not number.is_finite():
            raise self.wrong(value)
        if self.digits is not None:
            number = round_to(number, Decimal(1).scaleb(-self.digits))
        return number

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return float(value or 0)

    def empty_read(self) -> Any:
        return 0.0

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        if self.digits is not None:
            desc["digits"] = [16, self.digits]
        return desc


class Monetary(Float):
    type = "monetary"

    def __init__(self, string: str = "", *, currency_field: str = "currency_id", **kw: Any):
        super().__init__(string, **kw)
        self.currency_field = currency_field

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        desc["currency_field"] = self.currency_field
        return desc


class Date(Field):
    type = "date"

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                raise errors.value_error(
                    f"time data {value!r} does not match format '%Y-%m-%d'"
                ) from None
        raise self.wrong(value)


class Datetime(Field):
    type = "datetime"

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, dt.date):
            return f"{value.isoformat()} 00:00:00"
        if isinstance(value, str):
            text = value.strip()
            if len(text) == 10:
                text += " 00:00:00"
            try:
                parsed = dt.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
            except ValueError:
                raise errors.value_error(
                    f"time data {value!r} does not match format '%Y-%m-%d %H:%M:%S'"
                ) from None
            return parsed.strftime("%Y-%m-%d %H:%M:%S")
        raise self.wrong(value)


class SelectionField(Field):
    type = "selection"

    def __init__(self, selection: SelectionSpec, string: str = "", **kw: Any) -> None:
        super().__init__(string, **kw)
        self.selection = selection

    def options(self, env: Env) -> Selection:
        return self.selection(env) if callable(self.selection) else list(self.selection)

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        if value not in {k for k, _ in self.options(env)}:
            raise self.wrong(value)
        return value

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        desc["selection"] = [[k, v] for k, v in self.options(env)]
        return desc


class Json(Field):
    """``analytic_distribution`` and the like: a JSON object, stored as given."""

    type = "json"

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        if not isinstance(value, dict):
            raise self.wrong(value)
        return dict(value)


class _Relational(Field):
    def __init__(self, comodel: str, string: str = "", **kw: Any) -> None:
        self.domain: list[Any] = kw.pop("domain", [])
        super().__init__(string, **kw)
        self.comodel = comodel

    @property
    def relational(self) -> bool:
        return True

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        desc["relation"] = self.comodel
        desc["domain"] = self.domain
        desc["context"] = {}
        return desc


class Many2one(_Relational):
    type = "many2one"

    def __init__(self, comodel: str, string: str = "", **kw: Any) -> None:
        self.ondelete: str = kw.pop("ondelete", "set null")
        super().__init__(comodel, string, **kw)

    def to_storage(self, env: Env, value: Any) -> Any:
        if value is None or value is False:
            return None
        if isinstance(value, list | tuple) and value:
            value = value[0]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong(value)
        return value

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        if value is None:
            return False
        if load == "_classic_read":
            return [value, env.display_name(self.comodel, value)]
        return value


class One2many(_Relational):
    type = "one2many"

    def __init__(self, comodel: str, inverse_name: str, string: str = "", **kw: Any) -> None:
        kw.setdefault("store", False)
        super().__init__(comodel, string, **kw)
        self.inverse_name = inverse_name

    @property
    def searchable(self) -> bool:
        return True

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return list(value or ())

    def empty_read(self) -> Any:
        return []

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        desc["relation_field"] = self.inverse_name
        desc["sortable"] = False
        desc["groupable"] = False
        return desc


class Many2many(_Relational):
    type = "many2many"

    def to_read(self, env: Env, value: Any, load: str | None) -> Any:
        return list(value or ())

    def empty_read(self) -> Any:
        return []

    def describe(self, env: Env) -> dict[str, Any]:
        desc = super().describe(env)
        desc["sortable"] = False
        return desc


def round_to(value: Decimal, quantum: Decimal) -> Decimal:
    """Odoo's ``float_round`` (half-up) on a Decimal, to a multiple of ``quantum``."""
    if not quantum:
        return value
    units = (value / quantum).to_integral_value(rounding=ROUND_HALF_UP)
    exponent = quantum.as_tuple().exponent
    result = units * quantum
    if isinstance(exponent, int):
        return result.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return result


def x2many_commands(field: Field, value: Any) -> list[tuple[Any, ...]]:
    """Normalize an x2many value (commands, or a plain list of ids) to command tuples."""
    if value is None or value is False:
        return [(5, 0, 0)]
    if not isinstance(value, list | tuple):
        raise field.wrong(value)
    commands: list[tuple[Any, ...]] = []
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return [(6, 0, list(value))]
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            commands.append((4, item, 0))
            continue
        if not isinstance(item, list | tuple) or not item:
            raise field.wrong(value)
        code = item[0]
        if code not in (0, 1, 2, 3, 4, 5, 6):
            raise field.wrong(value)
        commands.append(tuple(item) + (0,) * (3 - len(item)))
    return commands


def field_sequence(values: Sequence[Field]) -> dict[str, Field]:
    return {f.name: f for f in values}
