"""``Model.load(fields, data)``: Odoo's importer, as in ``odoo/orm/models.py`` (19) and
``odoo/models.py`` (17/18), with the converters of ``ir_fields.py``.

- Columns: ``id`` (external id; ``__import__.`` is prefixed when it has no dot), ``.id``
  (database id), plain fields, and ``field/id``, ``field/.id`` or ``field`` (display name) for
  relations; every cell is text, as read from a CSV file.
- Rows are converted one by one; a conversion problem is logged as a message (``rows``,
  ``record``, ``field``, ``message``, ``moreinfo``, ``field_name``) and the field is left out.
- Records are written in batches (a batch is flushed when a later row refers by external id
  to a record of the batch): existing external ids are updated, new ones created, in one
  savepoint; if that fails, row by row, each failure becoming a message. 18/19 then insert
  the batch's UserError message first, with the first row's position.
- If any message is an error, the whole call is rolled back and ``ids`` is ``False``.
- The answer is ``{"ids": [...] | False, "messages": [...], "nextrow": 0}``.

Not emulated: one2many sub-rows spread over continuation lines, properties columns, the
``import_file``/``import_skip_records``/``name_create_enabled_fields`` options.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.model import Model

_TRUES = {"1", "true", "yes"}
_FALSES = {"", "0", "false", "no"}


class _ConversionError(Exception):
    def __init__(self, message: str, info: dict[str, Any] | None = None, warning: bool = False):
        super().__init__(message)
        self.message = message
        self.info = info or {}
        self.warning = warning


def fix_path(name: str) -> list[str]:
    """``fix_import_export_id_paths``: ``partner_id/id``, ``partner_id:id``, ``partner_id.id``."""
    fixed = re.sub(r"([^/])\.id", r"\1/.id", name)
    fixed = re.sub(r"([^/]):id", r"\1/id", fixed)
    return fixed.split("/")


class Loader:
    """One ``load`` call."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.env = model.env
        self.module = str(model.env.context.get("module", "__import__"))
        self.messages: list[dict[str, Any]] = []
        self.ids: list[int] = []
        self.batch: list[tuple[str | None, dict[str, Any], dict[str, Any]]] = []
        self.batch_xmlids: set[str] = set()

    def run(self, fields: Any, data: Any) -> dict[str, Any]:
        if not isinstance(fields, list | tuple) or not isinstance(data, list | tuple):
            raise errors.type_error("load() takes a list of fields and a list of rows")
        paths = [fix_path(str(name)) for name in fields]
        for path in paths:
            head = path[0]
            if head in ("id", ".id") or not head:
                continue
            if head not in self.model._fields:
                raise errors.value_error(f"Invalid field name {head!r}")
        db = self.env.db
        mark = db.mark()
        for index, row in enumerate(data):
            cells = list(row) + [""] * (len(paths) - len(row))
            info = {"rows": {"from": index, "to": index}, "record": index}
            xid, dbid, values = self._convert(paths, cells, index, info)
            if xid:
                xid = xid if "." in xid else f"{self.module}.{xid}"
                self.batch_xmlids.add(xid)
            elif dbid:
                values["id"] = dbid
            self.batch.append((xid, values, info))
        self._flush()
        ids: list[int] | bool = self.ids
        if any(m.get("type") == "error" for m in self.messages):
            db.rollback_to(mark)
            self.env.server.discard_todo()
            ids = False
        return {"ids": ids, "messages": self.messages, "nextrow": 0}

    # -- conversion --------------------------------------------------------------------------

    def _convert(
        self, paths: list[list[str]], cells: list[Any], index: int, info: dict[str, Any]
    ) -> tuple[str | None, int | None, dict[str, Any]]:
        xid: str | None = None
        dbid: int | None = None
        values: dict[str, Any] = {}
        relations: dict[str, list[tuple[str | None, Any]]] = {}
        for path, cell in zip(paths, cells, strict=False):
            head = path[0]
            if head == "id" and len(path) == 1:
                xid = str(cell) if cell else None
                continue
            if head == ".id" and len(path) == 1:
                if cell:
                    dbid = self._dbid(cell, index, info)
                continue
            field = self.model._fields[head]
            if field.relational:
                relations.setdefault(head, []).append((path[1] if len(path) > 1 else None, cell))
                continue
            self._convert_cell(field, None, cell, values, index, info)
        for head, cells_of in relations.items():
            field = self.model._fields[head]
            present = [(sub, cell) for sub, cell in cells_of if cell]
            if len(cells_of) > 1 and present:
                # One sub-record per row holds every column of the relation (_extract_records).
                self._log(
                    info,
                    index,
                    field,
                    _ConversionError(
                        "Ambiguous specification for field '%(field)s', only provide one of "
                        "name, external id or database id"
                    ),
                )
                continue
            sub, cell = present[0] if present else cells_of[0]
            self._convert_cell(field, sub, cell, values, index, info)
        return xid, dbid, values

    def _convert_cell(
        self,
        field: f.Field,
        sub: str | None,
        cell: Any,
        values: dict[str, Any],
        index: int,
        info: dict[str, Any],
    ) -> None:
        try:
            value, warnings = self._value(field, sub, cell)
        except _ConversionError as exc:
            self._log(info, index, field, exc)
            return
        for w in warnings:
            self._log(info, index, field, w)
        values[field.name] = value

    def _dbid(self, text: Any, index: int, info: dict[str, Any]) -> int | None:
        try:
            value = int(text)
        except (TypeError, ValueError):
            value = -1
        if value not in self.model._table():
            self.messages.append(
                {
                    **info,
                    "type": "error",
                    "record": index,
                    "field": ".id",
                    "message": f"Unknown database identifier '{text}'",
                }
            )
            return None
        return value

    def _log(self, info: dict[str, Any], index: int, field: f.Field, exc: _ConversionError) -> None:
        label = field.string
        message = exc.message.replace("%(field)s", label).replace("%%", "%")
        entry = {
            **info,
            "type": "warning" if exc.warning else "error",
            "record": index,
            "field": field.name,
            "message": message,
        }
        entry.update(exc.info)
        entry["field_name"] = label
        self.messages.append(entry)

    def _value(self, field: f.Field, sub: str | None, cell: Any) -> tuple[Any, list[Any]]:
        if not cell:
            return False, []
        if not isinstance(cell, str):
            # Odoo's converters call str methods on the cell: a JSON true or a number in a
            # boolean, selection or relation column fails the whole call like this.
            if field.type in ("boolean", "selection") or field.relational:
                kind_name = type(cell).__name__
                raise errors.PythonError(
                    "AttributeError", f"'{kind_name}' object has no attribute 'lower'"
                )
            cell = str(cell)
        text: str = cell
        if field.relational:
            return self._relation(field, sub or None, text)
        kind = field.type
        if kind == "boolean":
            low = text.lower()
            if low in _TRUES:
                return True, []
            if low in _FALSES:
                return False, []
            return True, [
                _ConversionError(
                    f"Unknown value '{_esc(text)}' for boolean field '%(field)s'",
                    {"moreinfo": "Use '1' for yes and '0' for no"},
                    warning=True,
                )
            ]
        if kind == "integer":
            try:
                return int(text), []
            except ValueError:
                raise _ConversionError(
                    f"'{_esc(text)}' does not seem to be an integer for field '%(field)s'"
                ) from None
        if kind in ("float", "monetary"):
            try:
                number = Decimal(text.strip())
                float(text)
            except (InvalidOperation, ValueError):
                raise _ConversionError(
                    f"'{_esc(text)}' does not seem to be a number for field '%(field)s'"
                ) from None
            return str(number), []
        if kind == "date":
            try:
                return dt.date.fromisoformat(text.strip()[:10]).isoformat(), []
            except ValueError:
                raise _ConversionError(
                    f"'{_esc(text)}' does not seem to be a valid date for field '%(field)s'",
                    {"moreinfo": "Use the format '2012-12-31'"},
                ) from None
        if kind == "datetime":
            return self._datetime(text), []
        if kind == "json":  # ir_fields._str_to_json
            try:
                return json.loads(text), []
            except ValueError:
                raise _ConversionError(
                    f"'{_esc(text)}' does not seem to be a valid JSON for field '%(field)s'"
                ) from None
        if kind == "selection":
            assert isinstance(field, f.SelectionField)
            options = field.options(self.env)
            for key, label in options:
                if text.lower() in (str(key).lower(), label.lower()):
                    return key, []
            raise _ConversionError(
                f"Value '{_esc(text)}' not found in selection field '%(field)s'",
                {"moreinfo": [label or str(key) for key, label in options if label or key]},
            )
        return text, []

    def _datetime(self, text: str) -> str:
        try:
            parsed = dt.datetime.strptime(text.strip()[:19], "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            try:
                parsed = dt.datetime.strptime(text.strip()[:10], "%Y-%m-%d")  # noqa: DTZ007
            except ValueError:
                raise _ConversionError(
                    f"'{_esc(text)}' does not seem to be a valid datetime for field '%(field)s'",
                    {"moreinfo": "Use the format '2012-12-31 23:59:59'"},
                ) from None
        tz_name = self.env.context.get("tz") or self.env.user.get("tz") or "UTC"
        try:
            zone = zoneinfo.ZoneInfo(str(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return parsed.replace(tzinfo=zone).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def _relation(self, field: f.Field, sub: str | None, text: str) -> tuple[Any, list[Any]]:
        assert isinstance(field, f._Relational)
        if field.type == "many2one":
            return self._reference(field, sub, text)
        ids: list[int] = []
        warnings: list[Any] = []
        for part in text.split(","):
            found, ws = self._reference(field, sub, part.strip())
            warnings += ws
            if found:
                ids.append(found)
        return [(6, 0, ids)], warnings

    def _reference(self, field: f._Relational, sub: str | None, text: str) -> tuple[Any, list[Any]]:
        comodel = self.env[field.comodel]
        if sub == ".id":
            kind = "database id"
            if text.lower() in _FALSES:
                return False, []
            try:
                tentative = int(text)
            except ValueError:
                raise _ConversionError(
                    f"Invalid database id '{_esc(text)}' for the field '%(field)s'",
                    {"moreinfo": _action(field)},
                ) from None
            if tentative in comodel._table():
                return tentative, []
        elif sub == "id":
            kind = "external id"
            if text.lower() in _FALSES:
                return False, []
            xmlid = text if "." in text else f"{self.module}.{text}"
            if xmlid in self.batch_xmlids:
                self._flush()
            found = self.env.server.xmlid_lookup(xmlid)
            if found is not None and found[0] != field.comodel:
                raise _ConversionError(
                    f"Invalid external ID {xmlid}: expected model {field.comodel!r}, "
                    f"found {found[0]!r}"
                )
            if found is not None and found[1] in comodel._table():
                return found[1], []
        elif sub is None:
            kind = "name"
            if text == "":
                return False, []
            self._flush()
            matches = comodel.with_active_test(True)._name_search_ids(text, "=")
            if matches:
                warnings: list[Any] = []
                if len(matches) > 1:
                    warnings.append(
                        _ConversionError(
                            f'Found multiple matches for value "{_esc(text)}" in field '
                            f'"%(field)s" ({len(matches)} matches)',
                            warning=True,
                        )
                    )
                return matches[0][0], warnings
        else:
            raise _ConversionError(f"Unknown sub-field “{sub}”")
        raise _ConversionError(
            f"No matching record found for {kind} '{_esc(text)}' in field '%(field)s'",
            {"moreinfo": _action(field)},
        )

    # -- writing -----------------------------------------------------------------------------

    def _flush(self) -> None:
        if not self.batch:
            return
        data = list(self.batch)
        self.batch.clear()
        self.batch_xmlids.clear()
        db = self.env.db
        server = self.env.server
        batch_error: dict[str, Any] | None = None
        server.flush()  # recomputations of earlier rows must not be undone with this batch
        mark = db.mark()
        try:
            self.ids += self._load_records(data)
            server.flush()
            return
        except errors.UserError as exc:
            db.rollback_to(mark)
            self.env.server.discard_todo()
            batch_error = {**data[0][2], "type": "error", "message": exc.message}
        except (errors.OdooError, errors.IntegrityViolation):
            db.rollback_to(mark)
            self.env.server.discard_todo()
        failures = 0
        for i, item in enumerate(data, 1):
            mark = db.mark()
            info = item[2]
            try:
                self.ids += self._load_records([item])
                self.env.server.flush()
            except errors.IntegrityViolation as exc:
                db.rollback_to(mark)
                self.env.server.discard_todo()
                entry = {**info, "type": "error", "message": exc.message}
                if exc.field:
                    entry["field"] = exc.field
                self.messages.append(entry)
                failures += 1
            except errors.UserError as exc:
                db.rollback_to(mark)
                self.env.server.discard_todo()
                self.messages.append({**info, "type": "error", "message": exc.message})
                failures += 1
            except errors.OdooError as exc:
                db.rollback_to(mark)
                self.env.server.discard_todo()
                kind = exc.odoo_name.removeprefix("builtins.")
                self.messages.append(
                    {
                        **info,
                        "type": "error",
                        "message": f"Unknown error during import: <class '{kind}'>: {exc.message}",
                        "moreinfo": "Resolve other errors first",
                    }
                )
                failures += 1
            if failures >= 10 and failures >= i / 10:
                self.messages.append(
                    {
                        "type": "warning",
                        "message": "Found more than 10 errors and more than one error per 10 "
                        "records, interrupted to avoid showing too many errors.",
                    }
                )
                break
        if (
            failures
            and batch_error is not None
            and self.env.spec.load_reports_batch_error
            and batch_error not in self.messages
        ):
            self.messages.insert(0, batch_error)

    def _load_records(
        self, data: list[tuple[str | None, dict[str, Any], dict[str, Any]]]
    ) -> list[int]:
        model = self.model
        server = self.env.server
        table = model._table()
        to_create: list[tuple[str | None, dict[str, Any]]] = []
        result: dict[int, int] = {}
        for position, (xid, values, _info) in enumerate(data):
            if not xid:
                if values.get("id"):
                    rid = int(values.pop("id"))
                    model._write([rid], values)
                    result[position] = rid
                else:
                    to_create.append((None, values))
                continue
            found = server.xmlid_lookup(xid)
            if found is not None and found[0] != model._name:
                raise errors.ValidationError(
                    f"For external id {xid} when trying to create/update a record of model "
                    f"{model._name} found record of different model {found[0]} ({found[2]})"
                )
            if found is not None and found[1] in table:
                model._write([found[1]], values)
                result[position] = found[1]
                continue
            if found is not None:
                server.drop_xmlid(xid)
            to_create.append((xid, values))
        if to_create:
            new_ids = model._create([values for _, values in to_create])
            for (xid, _values), rid in zip(to_create, new_ids, strict=True):
                if xid:
                    module, name = xid.split(".", 1)
                    server.set_xmlid(module, name, model._name, rid)
            positions = [p for p, (xid, values, _i) in enumerate(data) if p not in result]
            for p, rid in zip(positions, new_ids, strict=True):
                result[p] = rid
        return [result[p] for p in range(len(data))]


def _esc(text: str) -> str:
    return text.replace("%", "%%")


def _action(field: f._Relational) -> dict[str, Any]:
    return {
        "name": "Possible Values",
        "type": "ir.actions.act_window",
        "target": "new",
        "view_mode": "list,form",
        "views": [[False, "list"], [False, "form"]],
        "context": {"create": False},
        "help": "See all possible values",
        "res_model": field.comodel,
    }
