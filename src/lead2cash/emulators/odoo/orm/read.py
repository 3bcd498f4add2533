"""Reading: access rights and record rules, ``search`` and friends, ``read``, ``fields_get``,
``name_search``, ``default_get``, ``check_access_rights``, and result ordering."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import domain as dom
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import ModelCore, public, public_model, readonly

_OPERATIONS = ("read", "write", "create", "unlink")


class ReadMixin(ModelCore):
    """Search and read, with Odoo's access rules."""

    # -- access ------------------------------------------------------------------------------

    def _check_model_access(self, operation: str) -> None:
        self.env.server.access.check(self.env, self._name, operation, self._model_description)

    def _rule_domain(self) -> list[Any] | None:
        """The multi-company record rule (``company_id`` false or in ``env.companies``)."""
        field = self._fields.get("company_id")
        if field is None or not field.store or field.type != "many2one":
            return None
        return ["|", ("company_id", "=", False), ("company_id", "in", self.env.company_ids)]

    def _check_rules(self, ids: Sequence[int], operation: str) -> None:
        if self.env.su or not ids:
            return
        rule = self._rule_domain()
        if rule is None:
            return
        allowed = dom.Evaluator(self).search(dom.parse(rule), set(ids))
        forbidden = [i for i in ids if i not in allowed]
        if forbidden:
            names = self.sudo()._display_names(forbidden[:6])
            listed = "\n".join(f"- {names.get(i, i)} ({self._name}: {i})" for i in forbidden[:6])
            verb = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
            raise errors.AccessError(
                "Due to security restrictions, you are not allowed to "
                f"{verb[operation]} '{self._model_description}' ({self._name}) records.\n\n"
                f"Records: {listed}\nUser: {self.env.uid}\n\n"
                "This restriction is due to the following rules:\n"
                f"- {self._model_description} multi-company\n\n"
                "Note: this might be a multi-company issue. Switching company may help "
                "- in Odoo, not in real life!\n\n"
                "Contact your administrator to request access if necessary."
            )

    def _field_allowed(self, field: f.Field) -> bool:
        if field.groups is None or self.env.su:
            return True
        return any(self.env.has_group(g.strip()) for g in field.groups.split(","))

    def _check_field_access(self, names: Iterable[str], operation: str) -> None:
        denied = [n for n in names if not self._field_allowed(self._fields[n])]
        if denied:
            lines = "\n".join(
                f"- {n} (allowed for groups {self._fields[n].groups!r})" for n in denied
            )
            raise errors.AccessError(
                "The requested operation can not be completed due to security restrictions.\n\n"
                f"Document type: {self._model_description} ({self._name})\n"
                f"Operation: {operation}\nUser: {self.env.uid}\nFields:\n{lines}"
            )

    # -- search ------------------------------------------------------------------------------

    def _active_domain(self, domain: list[Any]) -> list[Any]:
        if "active" not in self._fields or not self.env.context.get("active_test", True):
            return domain
        for term in domain:
            if isinstance(term, list | tuple) and term and term[0] == "active":
                return domain
        return dom.conjunction(domain, [("active", "=", True)])

    def _search(
        self,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """Ids matching ``domain`` (active filter and record rules applied), sorted, sliced."""
        self.env.server.flush()
        normalized = self._active_domain(dom.normalize(domain))
        if not self.env.su:
            rule = self._rule_domain()
            if rule is not None:
                normalized = dom.conjunction(normalized, rule)
        found = dom.Evaluator(self).search(dom.parse(normalized))
        ordered = self._sort(found, order)
        if offset:
            ordered = ordered[int(offset) :]
        if limit is not None and limit is not False:
            ordered = ordered[: int(limit)]
        return ordered

    def _search_ids(self, domain: Any) -> set[int]:
        """Matching ids for a sub-query (``any``, dotted paths): active filter, no rules."""
        normalized = self._active_domain(dom.normalize(domain))
        return dom.Evaluator(self).search(dom.parse(normalized))

    def _name_search_ids(self, name: str, operator: str) -> list[tuple[int, str]]:
        table = self._table()
        names = self._display_names(table.keys())
        if operator in ("=", "!="):
            hit = [(i, n) for i, n in names.items() if (n == name) == (operator == "=")]
        else:
            test = dom._like_test(operator, name)
            hit = [(i, n) for i, n in names.items() if test(n)]
        return hit

    @public_model
    @readonly
    def search(
        self,
        domain: Any,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        self._check_model_access("read")
        return self._search(domain, offset, limit, order)

    @public_model
    @readonly
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self._check_model_access("read")
        return len(self._search(domain, 0, limit, "id"))

    @public_model
    @readonly
    def search_read(
        self,
        domain: Any = None,
        fields: Sequence[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        load: str | None = "_classic_read",
    ) -> list[dict[str, Any]]:
        self._check_model_access("read")
        names = self._fields_to_read(fields)
        ids = self._search(domain or [], offset, limit, order)
        return self._read_format(ids, names, load)

    @public
    @readonly
    def read(
        self,
        ids: Sequence[int],
        fields: Sequence[str] | None = None,
        load: str | None = "_classic_read",
    ) -> list[dict[str, Any]]:
        self._check_model_access("read")
        names = self._fields_to_read(fields)
        existing = self._existing(_ids(ids))
        self._check_rules(existing, "read")
        return self._read_format(existing, names, load)

    def _fields_to_read(self, fields: Sequence[str] | None) -> list[str]:
        if not fields:
            return [n for n, fld in self._fields.items() if self._field_allowed(fld)]
        names = list(dict.fromkeys(fields))
        for n in names:
            if n not in self._fields:
                if self.env.spec.major <= 17:
                    raise errors.value_error(f"Invalid field {n!r} on model {self._name!r}")
                raise errors.value_error(f"Invalid field {n!r} on {self._name!r}")
        self._check_field_access(names, "read")
        return names

    def _read_format(
        self, ids: Sequence[int], names: Sequence[str], load: str | None
    ) -> list[dict[str, Any]]:
        self.env.server.flush()
        rows: list[dict[str, Any]] = [{"id": i} for i in ids]
        env = self.env
        for name in names:
            if name == "id":
                continue
            field = self._fields[name]
            values = self._value_map(name, ids)
            if field.type == "many2one" and load == "_classic_read":
                assert isinstance(field, f.Many2one)
                targets = {v for v in values.values() if v}
                labels = env.sudo()[field.comodel]._display_names(targets) if targets else {}
                for row in rows:
                    v = values.get(row["id"])
                    row[name] = [v, labels.get(v, "")] if v else False
                continue
            for row in rows:
                row[name] = field.to_read(env, values.get(row["id"]), load)
        return rows

    # -- ordering ----------------------------------------------------------------------------

    def _sort(self, ids: Iterable[int], order: str | None) -> list[int]:
        result = sorted(ids)
        spec = self._parse_order(order or self._order)
        for name, descending in reversed(spec):
            if name == "id":
                result.sort(reverse=descending)
                continue
            key = self._sort_key(name, result)
            result.sort(key=key, reverse=descending)
        return result

    def _parse_order(self, order: str) -> list[tuple[str, bool]]:
        spec: list[tuple[str, bool]] = []
        for part in order.split(","):
            words = part.strip().split()
            if not words:
                continue
            name = words[0].strip('"')
            if name not in self._fields:
                raise errors.value_error(f"Invalid field {name!r} on model {self._name!r}")
            descending = len(words) > 1 and words[1].lower() == "desc"
            spec.append((name, descending))
        return spec

    def _sort_key(self, name: str, ids: list[int]) -> Callable[[int], Any]:
        field = self._fields[name]
        values = self._value_map(name, ids)
        if field.type == "many2one":
            assert isinstance(field, f.Many2one)
            targets = {v for v in values.values() if v}
            labels = self.env.sudo()[field.comodel]._display_names(targets)
            values = {i: labels.get(v) if v else None for i, v in values.items()}

        def key(i: int) -> tuple[int, Any]:
            v = values.get(i)
            if v is None or v is False:
                return (1, "")
            if isinstance(v, str):
                return (0, (v.casefold(), v))
            if isinstance(v, bool):
                return (0, int(v))
            if isinstance(v, int | Decimal):
                return (0, v)
            return (0, str(v))

        return key

    # -- metadata ----------------------------------------------------------------------------

    @public_model
    @readonly
    def fields_get(
        self, allfields: Sequence[str] | None = None, attributes: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            if not self._field_allowed(field):
                continue
            desc = field.describe(self.env)
            if attributes is not None:
                desc = {k: v for k, v in desc.items() if k in attributes}
            result[name] = desc
        return result

    @public_model
    @readonly
    def name_search(
        self,
        name: str = "",
        domain: Any = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[list[Any]]:
        self._check_model_access("read")
        full = list(domain or [])
        if name or operator not in ("ilike", "like"):
            names = self._name_search_fields()
            terms: list[Any] = ["|"] * (len(names) - 1)
            terms += [(n, operator, name) for n in names]
            full = dom.conjunction(full, terms)
        ids = self._search(full, 0, limit, None)
        names = self.sudo()._display_names(ids)
        return [[i, names.get(i, "")] for i in ids]

    def _name_search_fields(self) -> tuple[str, ...]:
        return ("display_name",)

    @public
    @readonly
    def name_get(self, ids: Sequence[int]) -> list[list[Any]]:
        """Odoo 17 only (removed in 18)."""
        self._check_model_access("read")
        existing = self._existing(_ids(ids))
        names = self._display_names(existing)
        return [[i, names.get(i, "")] for i in existing]

    @public_model
    def default_get(self, fields: Sequence[str]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name in fields:
            field = self._fields.get(name)
            if field is None:
                continue
            found, value = self._default_value(name, field)
            if not found:
                continue
            if field.type in ("one2many", "many2many"):
                result[name] = [(6, 0, list(value or ()))] if value else []
            else:
                result[name] = field.to_read(self.env, value, None)
        return result

    def _default_value(self, name: str, field: f.Field) -> tuple[bool, Any]:
        key = f"default_{name}"
        if key in self.env.context:
            value = self.env.context[key]
            if field.type in ("one2many", "many2many"):
                return True, value
            return True, field.to_storage(self.env, value)
        default = field.default
        if default is None:
            return False, None
        value = default(self.env) if callable(default) else default
        return True, value

    @public_model
    @readonly
    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        if operation not in _OPERATIONS:
            raise errors.PythonError("AssertionError", "Invalid access mode")
        if raise_exception:
            self._check_model_access(operation)
            return True
        return self.env.server.access.allowed(self.env, self._name, operation)

    @public
    @readonly
    def has_access(self, ids: Sequence[int], operation: str) -> bool:
        if operation not in _OPERATIONS:
            raise errors.PythonError("AssertionError", "Invalid access mode")
        if not self.env.server.access.allowed(self.env, self._name, operation):
            return False
        try:
            self._check_rules(self._existing(_ids(ids)), operation)
        except errors.AccessError:
            return False
        return True

    @public
    @readonly
    def exists(self, ids: Sequence[int]) -> list[int]:
        return self._existing(_ids(ids))


def _ids(ids: Any) -> list[int]:
    if isinstance(ids, bool):
        raise errors.value_error(f"Invalid ids {ids!r}")
    if isinstance(ids, int):
        return [ids]
    if not isinstance(ids, list | tuple):
        raise errors.value_error(f"Invalid ids {ids!r}")
    out: list[int] = []
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int):
            raise errors.value_error(f"Invalid id {i!r}")
        out.append(i)
    return out


ids_of = _ids
