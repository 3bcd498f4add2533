"""The model core: declaration (fields per version), value access, display names.

A model class declares its fields in :meth:`ModelCore._define_fields`, which receives the
:class:`~lead2cash.emulators.odoo.versions.VersionSpec`, so a field renamed between versions is
declared under its version's name. :class:`~lead2cash.emulators.odoo.orm.registry.Server`
binds a subclass per server (``_fields`` filled in), so several versions live side by side.

Methods exposed over RPC are marked with :func:`public` (record methods: ids first) or
:func:`public_model` (``@api.model``: no ids); :func:`private` marks a public-looking method
that 18+ forbids remotely (``@api.private``). Everything else is not callable remotely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.database import Table

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.env import Env
    from lead2cash.emulators.odoo.versions import VersionSpec

F = TypeVar("F", bound=Callable[..., Any])
Row = dict[str, Any]


def public(func: F) -> F:
    """A record method callable over RPC (ids come first)."""
    func._rpc = "record"  # type: ignore[attr-defined]
    return func


def public_model(func: F) -> F:
    """An ``@api.model`` method callable over RPC (no ids)."""
    func._rpc = "model"  # type: ignore[attr-defined]
    return func


def private(func: F) -> F:
    """A method 18+ declare ``@api.private``: refused remotely from 18 on."""
    func._rpc = "private"  # type: ignore[attr-defined]
    return func


def readonly(func: F) -> F:
    """``@api.readonly``: runs without a write transaction."""
    func._readonly = True  # type: ignore[attr-defined]
    return func


class ModelCore:
    """Declaration and value access shared by every model."""

    _name: ClassVar[str] = ""
    _description: ClassVar[str] = ""
    _rec_name: ClassVar[str | None] = "name"
    _order: ClassVar[str] = "id"
    _parent_name: ClassVar[str | None] = None
    _log_access: ClassVar[bool] = True
    _transient: ClassVar[bool] = False
    _versions: ClassVar[tuple[int, ...]] = (17, 18, 19)
    #: many2one fields whose target must belong to the record's company (_check_company_auto)
    _company_checked: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[dict[str, f.Field]] = {}

    def __init__(self, env: Env) -> None:
        self.env = env

    # -- declaration -------------------------------------------------------------------------

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        """The model's own fields for ``spec`` (magic fields are added by the registry)."""
        return {}

    @classmethod
    def _all_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        defined: dict[str, f.Field] = {"id": f.Integer("ID", readonly=True)}
        defined.update(cls._define_fields(spec))
        defined["display_name"] = f.Char(
            "Display Name", store=False, compute="_compute_display_name", searchable=True
        )
        if cls._log_access:
            defined.update(
                create_uid=f.Many2one("res.users", "Created by", readonly=True),
                create_date=f.Datetime("Created on", readonly=True),
                write_uid=f.Many2one("res.users", "Last Updated by", readonly=True),
                write_date=f.Datetime("Last Updated on", readonly=True),
            )
        for name, field in defined.items():
            field.bind(cls._name, name)
        return defined

    # -- environment -------------------------------------------------------------------------

    def with_env(self, env: Env) -> Any:
        return type(self)(env)

    def sudo(self) -> Any:
        return self.with_env(self.env.sudo())

    def with_context(self, values: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.with_env(self.env.with_context(values, **extra))

    def with_active_test(self, flag: bool) -> Any:
        return self.with_context(active_test=flag)

    # -- rows --------------------------------------------------------------------------------

    def _table(self) -> Table:
        return self.env.db.table(self._name)

    def _row(self, record_id: int) -> Row:
        row = self._table().get(record_id)
        if row is None:
            raise self._missing([record_id])
        return row

    def _missing(self, ids: Iterable[int]) -> errors.MissingError:
        shown = ", ".join(str(i) for i in ids)
        return errors.MissingError(
            "Record does not exist or has been deleted.\n"
            f"(Record: {self._name}({shown},), User: {self.env.uid})"
        )

    def _existing(self, ids: Iterable[int]) -> list[int]:
        table = self._table()
        return [i for i in ids if i in table]

    def _get(self, record_id: int, name: str) -> Any:
        return self._value_map(name, [record_id]).get(record_id)

    def _value_map(self, name: str, ids: Iterable[int]) -> dict[int, Any]:
        """Storage values of field ``name`` for ``ids`` (computed fields computed)."""
        field = self._fields[name]
        table = self._table()
        if name == "id":
            return {i: i for i in ids if i in table}
        if field.related is not None:
            return self._related_map(field, ids)
        if field.compute is not None and not field.store:
            wanted = [i for i in ids if i in table]
            method: Callable[[list[int]], dict[int, Any]] = getattr(self, field.compute)
            return method(wanted) if wanted else {}
        if isinstance(field, f.One2many):
            return self._one2many_map(field, ids)
        return {i: table[i].get(name) for i in ids if i in table}

    def _related_map(self, field: f.Field, ids: Iterable[int]) -> dict[int, Any]:
        assert field.related is not None
        via, target = field.related.split(".", 1)
        links = self._value_map(via, ids)
        link_field = self._fields[via]
        assert isinstance(link_field, f.Many2one)
        comodel = self.env[link_field.comodel]
        values = comodel._value_map(target, {v for v in links.values() if v})
        return {i: values.get(v) if v else None for i, v in links.items()}

    def _one2many_map(self, field: f.One2many, ids: Iterable[int]) -> dict[int, Any]:
        env = self.env
        wanted = [i for i in ids if i in self._table()]
        index = env.db.index(field.comodel, field.inverse_name)
        comodel = env[field.comodel]
        co_table = comodel._table()
        active = "active" in comodel._fields and env.context.get("active_test", True)
        result: dict[int, Any] = {}
        if index is not None:
            for i in wanted:
                members = index.get(i, ())
                result[i] = tuple(
                    sorted(m for m in members if not active or co_table[m].get("active"))
                )
            return result
        groups: dict[int, list[int]] = {i: [] for i in wanted}
        for cid, row in co_table.items():
            owner = row.get(field.inverse_name)
            if owner in groups and (not active or row.get("active")):
                groups[owner].append(cid)
        return {i: tuple(sorted(v)) for i, v in groups.items()}

    def _children(self, comodel: str, inverse: str, record_id: int) -> list[int]:
        """Ids of ``comodel`` records whose ``inverse`` many2one points at ``record_id``."""
        index = self.env.db.index(comodel, inverse)
        if index is not None:
            return sorted(index.get(record_id, ()))
        table = self.env.db.table(comodel)
        return sorted(i for i, row in table.items() if row.get(inverse) == record_id)

    # -- names -------------------------------------------------------------------------------

    def _display_names(self, ids: Iterable[int]) -> dict[int, str]:
        result: dict[int, str] = self._compute_display_name(list(ids))
        return result

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        rec_name = self._rec_name
        out: dict[int, str] = {}
        for i in ids:
            row = table.get(i)
            if row is None:
                continue
            value = row.get(rec_name) if rec_name else None
            out[i] = str(value) if value else f"{self._name},{i}"
        return out

    @property
    def _model_description(self) -> str:
        return self._description or self._name
