"""The server: one database of one Odoo version, its bound model classes, access control,
external ids (``ir.model.data``), the clock, and deferred recomputations.

Stored computed values that depend on many rows (a sale line's delivered quantity is the sum
of its timesheets) are recomputed once per call: business code marks ``(model, method, ids)``
with :meth:`Server.mark` and :meth:`Server.flush` runs them before any read and before the
call commits, as Odoo's ORM flushes its recompute queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lead2cash.emulators.odoo.auth import Credentials
from lead2cash.emulators.odoo.orm.access import AccessControl
from lead2cash.emulators.odoo.orm.database import Database
from lead2cash.emulators.odoo.orm.env import SUPERUSER_ID, Env
from lead2cash.emulators.odoo.orm.fields import Many2one, One2many
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.versions import VersionSpec

IMD = "ir.model.data"


class Clock:
    """The emulator's clock: real UTC time, optionally shifted or frozen (control API)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)
        self.frozen: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """Naive UTC, whole seconds (Odoo's ``fields.Datetime.now()``)."""
        if self.frozen is not None:
            return self.frozen
        current = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        return current + self.offset

    def set(self, when: dt.datetime, *, frozen: bool) -> None:
        naive = when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        if frozen:
            self.frozen = naive
            self.offset = dt.timedelta(0)
        else:
            self.frozen = None
            self.offset = naive - dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def advance(self, seconds: float) -> None:
        delta = dt.timedelta(seconds=seconds)
        if self.frozen is not None:
            self.frozen += delta
        else:
            self.offset += delta

    def reset(self) -> None:
        self.offset = dt.timedelta(0)
        self.frozen = None


class Server:
    """One emulated database: schema for ``spec``, rows, access rules, xmlids."""

    def __init__(self, spec: VersionSpec, db_name: str, classes: Iterable[type[Model]]) -> None:
        self.spec = spec
        self.db = Database(db_name)
        self.models: dict[str, type[Model]] = {}
        for cls in classes:
            if spec.major not in cls._versions:
                continue
            bound = type(cls.__name__, (cls,), {"_fields": cls._all_fields(spec)})
            self.models[cls._name] = bound
        indexed: dict[str, set[str]] = {name: set() for name in self.models}
        self.references: dict[str, list[tuple[str, str, str]]] = {}
        for name, cls in self.models.items():
            for fname, field in cls._fields.items():
                if field.index and field.store:
                    indexed[name].add(fname)
                if isinstance(field, One2many) and field.comodel in indexed:
                    indexed[field.comodel].add(field.inverse_name)
                if isinstance(field, Many2one) and field.store:
                    self.references.setdefault(field.comodel, []).append(
                        (name, fname, field.ondelete)
                    )
        for name in self.models:
            self.db.ensure_table(name, sorted(indexed[name]))
        self.access = AccessControl()
        self.credentials = Credentials()
        self.clock = Clock()
        #: Feature switches (``milestones``: 19's global Milestones setting).
        self.settings: dict[str, Any] = {"milestones": True}
        self._todo: dict[tuple[str, str], set[int]] = {}
        self._flushing = False

    def env(self, uid: int = SUPERUSER_ID, context: Mapping[str, Any] | None = None) -> Env:
        return Env(self, uid, context)

    # -- external ids ------------------------------------------------------------------------

    def xmlid_lookup(self, xmlid: str) -> tuple[str, int, int] | None:
        """``(model, res_id, imd_id)`` of ``module.name``, or None."""
        module, _, name = xmlid.partition(".")
        index = self.db.index(IMD, "name") or {}
        table = self.db.table(IMD)
        for imd_id in index.get(name, ()):
            row = table[imd_id]
            if row["module"] == module:
                return str(row["model"]), int(row["res_id"]), imd_id
        return None

    def set_xmlid(
        self, module: str, name: str, model: str, res_id: int, *, noupdate: bool = False
    ) -> int:
        found = self.xmlid_lookup(f"{module}.{name}")
        if found is not None:
            self.db.set(IMD, found[2], {"model": model, "res_id": res_id})
            return found[2]
        now = self.clock.now().strftime("%Y-%m-%d %H:%M:%S")
        imd_id = self.db.new_id(IMD)
        row = {
            "module": module,
            "name": name,
            "model": model,
            "res_id": res_id,
            "noupdate": noupdate,
            "create_uid": SUPERUSER_ID,
            "create_date": now,
            "write_uid": SUPERUSER_ID,
            "write_date": now,
        }
        self.db.insert(IMD, imd_id, row)
        return imd_id

    def drop_xmlid(self, xmlid: str) -> None:
        found = self.xmlid_lookup(xmlid)
        if found is not None:
            self.db.delete(IMD, found[2])

    def drop_xmlids(self, model: str, ids: Sequence[int]) -> None:
        if model == IMD:
            return
        index = self.db.index(IMD, "res_id") or {}
        table = self.db.table(IMD)
        for rid in ids:
            for imd_id in sorted(index.get(rid, ())):
                if table[imd_id]["model"] == model:
                    self.db.delete(IMD, imd_id)

    def xmlids_of(self, model: str, res_id: int) -> list[str]:
        index = self.db.index(IMD, "res_id") or {}
        table = self.db.table(IMD)
        return sorted(
            f"{table[i]['module']}.{table[i]['name']}"
            for i in index.get(res_id, ())
            if table[i]["model"] == model
        )

    def group_xmlid(self, gid: int) -> str | None:
        found = self.xmlids_of("res.groups", gid)
        return found[0] if found else None

    # -- deferred recomputation --------------------------------------------------------------

    def mark(self, model: str, method: str, ids: Iterable[int]) -> None:
        """Recompute ``model.method(ids)`` before the next read or the end of the call."""
        self._todo.setdefault((model, method), set()).update(ids)

    def flush(self) -> None:
        if self._flushing:
            return
        self._flushing = True
        try:
            while self._todo:
                (model, method), ids = next(iter(self._todo.items()))
                del self._todo[(model, method)]
                recs = self.env()[model]
                existing = [i for i in sorted(ids) if i in recs._table()]
                if existing:
                    getattr(recs, method)(existing)
        finally:
            self._flushing = False

    def discard_todo(self) -> None:
        self._todo.clear()
