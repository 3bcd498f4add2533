"""Writing: ``create``, ``write``, ``unlink``, ``copy``, x2many commands, defaults, required
fields, foreign keys, ``ondelete``, company consistency, and the hooks business models use.

Hooks (all no-ops here): ``_prepare_create(vals_list)`` (before defaults, may change the
values), ``_after_create(ids, vals_list)``, ``_prepare_write(ids, vals)``,
``_after_write(ids, vals)``, ``_before_unlink(ids)``, ``_check_constraints(ids, names)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import Row, public, public_model
from lead2cash.emulators.odoo.orm.read import ReadMixin, ids_of

_MAGIC = ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date")


class WriteMixin(ReadMixin):
    """Create, write, unlink."""

    # -- hooks -------------------------------------------------------------------------------

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        return None

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        return None

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        return None

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        return None

    def _before_unlink(self, ids: list[int]) -> None:
        return None

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        return None

    # -- public API --------------------------------------------------------------------------

    @public_model
    def create(self, vals_list: Any) -> list[int]:
        """``create(vals)`` or ``create([vals, ...])``; the service returns an int for a dict."""
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else vals_list
        if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
            raise errors.type_error("create() takes a dict or a list of dicts")
        self._check_model_access("create")
        ids = self._create(items)
        self._check_rules(ids, "create")
        return ids

    @public
    def write(self, ids: Sequence[int], vals: dict[str, Any]) -> bool:
        if not isinstance(vals, dict):
            raise errors.type_error("write() argument 'vals' must be a dict")
        record_ids = ids_of(ids)
        if not record_ids:
            return True
        self._check_model_access("write")
        self._check_known(vals, write=True)
        missing = [i for i in record_ids if i not in self._table()]
        if missing:
            raise self._missing(missing)
        self._check_rules(record_ids, "write")
        self._check_field_access([k for k in vals if k in self._fields], "write")
        self._write(record_ids, vals)
        return True

    @public
    def unlink(self, ids: Sequence[int]) -> bool:
        record_ids = ids_of(ids)
        if not record_ids:
            return True
        self._check_model_access("unlink")
        missing = [i for i in record_ids if i not in self._table()]
        if missing:
            raise self._missing(missing)
        self._check_rules(record_ids, "unlink")
        self._unlink(record_ids)
        return True

    @public
    def copy(self, ids: Sequence[int], default: dict[str, Any] | None = None) -> list[int]:
        record_ids = ids_of(ids)
        self._check_model_access("create")
        new: list[int] = []
        for rid in record_ids:
            row = self._row(rid)
            vals: dict[str, Any] = {}
            for name, field in self._fields.items():
                if name in _MAGIC or not field.store or not field.copy:
                    continue
                if isinstance(field, f.Many2many):
                    vals[name] = [(6, 0, list(row.get(name) or ()))]
                elif field.type in ("float", "monetary") and row.get(name) is not None:
                    vals[name] = float(row[name])
                elif row.get(name) is not None:
                    vals[name] = row[name]
            if "name" in vals and isinstance(vals["name"], str) and self._name != "res.users":
                vals["name"] = f"{vals['name']} (copy)"
            vals.update(default or {})
            new += self._create([vals])
        return new

    # -- internals ---------------------------------------------------------------------------

    def _check_known(self, vals: dict[str, Any], *, write: bool) -> None:
        for key in vals:
            if key not in self._fields:
                raise errors.value_error(f"Invalid field {key!r} in {self._name!r}")

    def _create(self, vals_list: Sequence[dict[str, Any]]) -> list[int]:
        items = [dict(v) for v in vals_list]
        for vals in items:
            self._check_known(vals, write=False)
        self._prepare_create(items)
        env = self.env
        db = env.db
        now = env.now_text()
        ids: list[int] = []
        deferred: list[tuple[int, f.Field, Any]] = []
        for vals in items:
            row: Row = {}
            pending: list[tuple[f.Field, Any]] = []
            for name, field in self._fields.items():
                if name in _MAGIC or field.related is not None:
                    continue
                if not field.store and not isinstance(field, f.One2many | f.Many2many):
                    continue
                if field.compute is not None and not field.store:
                    continue
                if name in vals:
                    value = vals[name]
                else:
                    found, value = self._default_value(name, field)
                    if not found:
                        continue
                if isinstance(field, f.One2many | f.Many2many):
                    pending.append((field, value))
                elif field.store:
                    row[name] = self._convert(field, value)
            self._check_required(row)
            if self._log_access:
                row.update(create_uid=env.uid, create_date=now, write_uid=env.uid, write_date=now)
            rid = db.new_id(self._name)
            db.insert(self._name, rid, row)
            ids.append(rid)
            deferred += [(rid, fld, v) for fld, v in pending]
        for rid, field, value in deferred:
            self._apply_x2many(rid, field, value)
        self._after_create(ids, items)
        names = {n for v in items for n in v} | {
            n for n, fld in self._fields.items() if fld.default is not None
        }
        self._check_constraints(ids, names)
        self._check_company(ids, names)
        return ids

    def _convert(self, field: f.Field, value: Any) -> Any:
        stored = field.to_storage(self.env, value)
        if (
            isinstance(field, f.Many2one)
            and stored is not None
            and stored not in self.env.db.table(field.comodel)
        ):
            raise errors.IntegrityViolation(
                "Another model is using the record you are trying to delete.\n\n"
                f"The troublemaker is: '{self._model_description}' ({self._name})\n"
                f"Thanks to the following constraint: '{field.string}' ({field.name})\n"
                "How about archiving the record instead?",
                field.name,
            )
        return stored

    def _check_required(self, row: Row) -> None:
        for name, field in self._fields.items():
            if not field.required or not field.store:
                continue
            if isinstance(field, f.One2many | f.Many2many):
                continue
            value = row.get(name)
            if value is None or (value == "" and field.type in ("char", "text")):
                raise errors.IntegrityViolation(
                    f"Missing required value for the field '{field.string}' ({name}).\n"
                    f"Model: '{self._model_description}' ({self._name})\n"
                    "- create/update: a mandatory field is not set\n"
                    "- delete: another model requires the record being deleted, you can "
                    "archive it instead\n",
                    name,
                )

    def _write(self, ids: list[int], vals: dict[str, Any]) -> None:
        vals = dict(vals)
        self._check_known(vals, write=True)
        self._prepare_write(ids, vals)
        env = self.env
        scalar: Row = {}
        relational: list[tuple[f.Field, Any]] = []
        delegated: dict[str, dict[str, Any]] = {}
        for name, value in vals.items():
            field = self._fields[name]
            if name in ("id", "display_name"):
                continue
            if field.related is not None:
                via, target = field.related.split(".", 1)
                if "." not in target:
                    delegated.setdefault(via, {})[target] = value
                continue
            if field.compute is not None and not field.store:
                continue
            if isinstance(field, f.One2many | f.Many2many):
                relational.append((field, value))
            elif field.store:
                scalar[name] = self._convert(field, value)
        if self._log_access:
            scalar.update(write_uid=env.uid, write_date=env.now_text())
        for rid in ids:
            row = self._row(rid)
            self.env.db.set(self._name, rid, scalar)
            self._check_required(row)
        for field, value in relational:
            for rid in ids:
                self._apply_x2many(rid, field, value)
        for via, target_vals in delegated.items():
            link = self._fields[via]
            assert isinstance(link, f.Many2one)
            targets = sorted({v for v in self._value_map(via, ids).values() if v})
            if targets:
                self.env[link.comodel]._write(targets, target_vals)
        self._after_write(ids, vals)
        self._check_constraints(ids, set(vals))
        self._check_company(ids, set(vals))

    def _store(self, ids: Iterable[int], values: Row) -> list[int]:
        """Set computed stored values; bumps ``write_date`` of the records that changed."""
        changed: list[int] = []
        table = self._table()
        for rid in ids:
            row = table.get(rid)
            if row is None:
                continue
            diff = {k: v for k, v in values.items() if row.get(k) != v}
            if not diff:
                continue
            if self._log_access:
                diff["write_date"] = self.env.now_text()
            self.env.db.set(self._name, rid, diff)
            changed.append(rid)
        return changed

    def _unlink(self, ids: list[int]) -> None:
        self._before_unlink(ids)
        server = self.env.server
        doomed = set(ids)
        for comodel, fname, ondelete in server.references.get(self._name, ()):
            table = self.env.db.table(comodel)
            index = self.env.db.index(comodel, fname)
            if index is not None:
                holders = sorted({h for i in doomed for h in index.get(i, ())})
            else:
                holders = sorted(h for h, row in table.items() if row.get(fname) in doomed)
            if comodel == self._name:
                holders = [h for h in holders if h not in doomed]
            if not holders:
                continue
            if ondelete == "cascade":
                self.env.sudo()[comodel]._unlink(holders)
            elif ondelete == "restrict":
                description = self.env[comodel]._model_description
                raise errors.IntegrityViolation(
                    "Another model is using the record you are trying to delete.\n\n"
                    f"The troublemaker is: '{description}' ({comodel})\n"
                    f"Thanks to the following constraint: '{fname}'\n"
                    "How about archiving the record instead?",
                    fname,
                )
            else:
                for h in holders:
                    if h in table:
                        self.env.db.set(comodel, h, {fname: None})
        for rid in ids:
            if rid in self._table():
                self.env.db.delete(self._name, rid)
        server.drop_xmlids(self._name, ids)

    def _apply_x2many(self, rid: int, field: f.Field, value: Any) -> None:
        commands = f.x2many_commands(field, value)
        assert isinstance(field, f.One2many | f.Many2many)
        comodel = self.env[field.comodel]
        if isinstance(field, f.One2many):
            self._apply_one2many(rid, field, comodel, commands)
            return
        current = list(self._table()[rid].get(field.name) or ())
        for cmd in commands:
            code = cmd[0]
            if code == 0:
                current += comodel._create([dict(cmd[2] or {})])
            elif code == 1:
                comodel._write([cmd[1]], dict(cmd[2] or {}))
                if cmd[1] not in current:
                    current.append(cmd[1])
            elif code == 2:
                comodel._unlink([cmd[1]])
                current = [c for c in current if c != cmd[1]]
            elif code == 3:
                current = [c for c in current if c != cmd[1]]
            elif code == 4:
                if cmd[1] not in comodel._table():
                    raise comodel._missing([cmd[1]])
                if cmd[1] not in current:
                    current.append(cmd[1])
            elif code == 5:
                current = []
            elif code == 6:
                targets = [int(x) for x in (cmd[2] or [])]
                absent = [x for x in targets if x not in comodel._table()]
                if absent:
                    raise comodel._missing(absent)
                current = list(dict.fromkeys(targets))
        self.env.db.set(self._name, rid, {field.name: tuple(current)})

    def _apply_one2many(
        self, rid: int, field: f.One2many, comodel: Any, commands: list[tuple[Any, ...]]
    ) -> None:
        inverse = field.inverse_name
        inverse_field = comodel._fields[inverse]
        cascade = getattr(inverse_field, "ondelete", "") == "cascade" or inverse_field.required
        for cmd in commands:
            code = cmd[0]
            if code == 0:
                comodel._create([{**dict(cmd[2] or {}), inverse: rid}])
            elif code == 1:
                comodel._write([cmd[1]], dict(cmd[2] or {}))
            elif code == 2:
                comodel._unlink([cmd[1]])
            elif code in (3, 5, 6):
                current = self._children(field.comodel, inverse, rid)
                if code == 3:
                    drop = [cmd[1]]
                elif code == 5:
                    drop = current
                else:
                    keep = {int(x) for x in (cmd[2] or [])}
                    drop = [c for c in current if c not in keep]
                    link = [x for x in keep if x not in current]
                    if link:
                        comodel._write(sorted(link), {inverse: rid})
                if drop:
                    if cascade:
                        comodel._unlink(drop)
                    else:
                        comodel._write(drop, {inverse: False})
            elif code == 4:
                comodel._write([cmd[1]], {inverse: rid})

    def _check_company(self, ids: list[int], names: set[str]) -> None:
        if "company_id" not in self._fields:
            return
        checked = [n for n in self._company_checked if n in names or "company_id" in names]
        if not checked:
            return
        env = self.env.sudo()
        problems: list[str] = []
        for rid in ids:
            row = self._table()[rid]
            company = row.get("company_id")
            if not company:
                continue
            for name in checked:
                field = self._fields[name]
                target = row.get(name)
                if not target or not isinstance(field, f.Many2one):
                    continue
                target_row = env.db.table(field.comodel).get(target)
                other = target_row.get("company_id") if target_row else None
                if other and other != company:
                    problems.append(self._company_message(rid, company, field, target))
        if not problems:
            return
        if self.env.spec.major >= 19:
            head = "Uh-oh! You’ve got some company inconsistencies here:"  # noqa: RUF001
            tail = ["To avoid a mess, no company crossover is allowed!"]
        else:
            head, tail = "Incompatible companies on records:", []
        raise errors.UserError("\n".join([head, *problems[:5], *tail]))

    def _company_message(self, rid: int, company: int, field: f.Many2one, target: int) -> str:
        env = self.env.sudo()
        record = env[self._name]._display_names([rid]).get(rid, "")
        company_name = env["res.company"]._display_names([company]).get(company, "")
        value = env[field.comodel]._display_names([target]).get(target, "")
        if self.env.spec.major >= 19:
            return (
                f"- “{record}” belongs to company “{company_name}” while “{field.string}” "
                f"({field.name}: {value!r}) belongs to another company."
            )
        return (
            f"- {record!r} belongs to company {company_name!r} and {field.string!r} "
            f"({field.name}: {value!r}) belongs to another company."
        )
