"""Runs a parsed SOQL query over the org's records and renders the rows as the REST API does.

Names are resolved case-insensitively against the schema (unknown columns and relationships
answer ``INVALID_FIELD``, unknown objects ``INVALID_TYPE``), and literals are type-checked
against their field the way Salesforce does (an unquoted date-time for a date-time field, a
quoted string for a text field ...). Parent relationship fields render as nested objects with
their own ``attributes`` (``null`` when the lookup is empty); child subqueries as
``{"totalSize", "done", "records"}`` (``null`` when there are no children).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, cast

from lead2cash.emulators.salesforce.ids import to18
from lead2cash.emulators.salesforce.schema import NUMBER_TYPES, TEXT_TYPES, FieldDef, ObjectDef
from lead2cash.emulators.salesforce.soql import (
    Comparison,
    Condition,
    Junction,
    Literal,
    Negation,
    Path,
    Query,
    SoqlError,
    date_range,
    located,
)
from lead2cash.emulators.salesforce.store import OrgData, Row

NO_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
NO_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True)
class Resolved:
    """A path resolved against the schema: lookup hops, then the final field."""

    hops: tuple[FieldDef, ...]
    field: FieldDef
    path: Path


@dataclass
class Result:
    """The rows of a query (rendered), or the count of a ``COUNT()`` query."""

    records: list[dict[str, Any]]
    total: int


class Executor:
    """Evaluates queries against ``data`` for one request (``now`` fixes date literals)."""

    def __init__(self, data: OrgData, *, now: datetime, version: str) -> None:
        self.data = data
        self.now = now
        self.version = version

    # -- resolution -------------------------------------------------------------------------

    def _error(self, query: Query, pos: int, code: str, reason: str) -> SoqlError:
        return SoqlError(code, located(query.text, pos, reason))

    def resolve(self, query: Query, obj: ObjectDef, path: Path) -> Resolved:
        hops: list[FieldDef] = []
        current = obj
        for part in path.parts[:-1]:
            lookup = current.relationship(part)
            if lookup is None or not lookup.reference_to:
                raise self._error(
                    query, path.pos, "INVALID_FIELD", NO_RELATIONSHIP.format(name=part)
                )
            target = self.data.schema.get(lookup.reference_to[0])
            assert target is not None
            hops.append(lookup)
            current = target
        final = current.get(path.parts[-1])
        if final is None:
            raise self._error(
                query,
                path.pos,
                "INVALID_FIELD",
                NO_COLUMN.format(name=path.text, entity=current.name),
            )
        return Resolved(tuple(hops), final, path)

    def value(self, row: Row, resolved: Resolved) -> Any:
        current: Row | None = row
        for hop in resolved.hops:
            assert current is not None
            current = self.data.live(current.get(hop.name))
            if current is None:
                return None
        assert current is not None
        return current.get(resolved.field.name)

    # -- conditions -------------------------------------------------------------------------

    def _check_literal(self, query: Query, f: FieldDef, op: str, lit: Literal) -> None:
        if lit.kind == "null":
            return
        expected: str
        if f.type in TEXT_TYPES:
            ok, expected = lit.kind == "string", "string and should be enclosed in quotes"
        elif f.type == "boolean":
            ok, expected = lit.kind == "boolean", "boolean and should not be enclosed in quotes"
        elif f.type in NUMBER_TYPES:
            ok, expected = lit.kind == "number", "number and should not be enclosed in quotes"
        elif f.type == "date":
            ok = lit.kind in ("date", "range")
            expected = "date and should not be enclosed in quotes"
        else:
            ok = lit.kind in ("datetime", "range")
            expected = "dateTime and should not be enclosed in quotes"
        if not ok:
            raise self._error(
                query,
                lit.pos,
                "INVALID_FIELD",
                f"value of filter criterion for field '{f.name}' must be of type {expected}",
            )
        if f.type in ("id", "reference") and to18(str(lit.value)) is None:
            raise self._error(
                query, lit.pos, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}"
            )
        if op == "LIKE" and f.type not in TEXT_TYPES - {"id", "reference"}:
            raise self._error(
                query,
                lit.pos,
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on {f.type} field",
            )
        if f.type == "boolean" and op not in ("=", "!="):
            raise self._error(
                query, lit.pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on boolean field"
            )

    def compile(self, query: Query, obj: ObjectDef, cond: Condition) -> Callable[[Row], bool]:
        if isinstance(cond, Junction):
            parts = [self.compile(query, obj, item) for item in cond.items]
            if cond.op == "AND":
                return lambda row: all(p(row) for p in parts)
            return lambda row: any(p(row) for p in parts)
        if isinstance(cond, Negation):
            inner = self.compile(query, obj, cond.item)
            return lambda row: not inner(row)
        resolved = self.resolve(query, obj, cond.path)
        for lit in cond.values:
            self._check_literal(query, resolved.field, cond.op, lit)
        test = self._test(resolved.field, cond)
        return lambda row: test(self.value(row, resolved))

    def _operand(self, f: FieldDef, lit: Literal) -> Any:
        if lit.kind == "range":
            keyword, n = cast(tuple[str, int | None], lit.value)
            return date_range(keyword, n, self.now)
        if lit.kind == "string":
            text = str(lit.value)
            return to18(text) if f.type in ("id", "reference") else text.casefold()
        if lit.kind == "date" and isinstance(lit.value, date):
            return datetime.combine(lit.value, time.min, UTC)
        return lit.value

    def _test(self, f: FieldDef, cond: Comparison) -> Callable[[Any], bool]:
        op = cond.op
        operands = [self._operand(f, lit) for lit in cond.values]

        def norm(value: Any) -> Any:
            if isinstance(value, str) and f.type not in ("id", "reference"):
                return value.casefold()
            if isinstance(value, date) and not isinstance(value, datetime):
                return datetime.combine(value, time.min, UTC)
            return value

        if op == "LIKE":
            pattern = _like(str(cond.values[0].value))
            return lambda v: v is not None and pattern.fullmatch(str(v)) is not None
        if op in ("IN", "NOTIN"):
            wanted = operands

            def within(v: Any) -> bool:
                if v is None:
                    return any(w is None for w in wanted)
                return any(_compare(norm(v), "=", w) for w in wanted)

            return within if op == "IN" else (lambda v: not within(v))
        operand = operands[0]
        if operand is None:
            if op == "=":
                return lambda v: v is None
            if op == "!=":
                return lambda v: v is not None
            return lambda v: False
        if op == "!=":
            return lambda v: v is None or not _compare(norm(v), "=", operand)
        return lambda v: v is not None and _compare(norm(v), op, operand)

    # -- execution --------------------------------------------------------------------------

    def execute(self, query: Query, *, include_deleted: bool = False) -> Result:
        obj = self.data.schema.get(query.sobject)
        if obj is None:
            raise self._error(
                query,
                query.sobject_pos,
                "INVALID_TYPE",
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use "
                "a custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        rows = self.data.rows(obj, include_deleted=include_deleted)
        return self.run(query, obj, rows)

    def run(self, query: Query, obj: ObjectDef, rows: list[Row]) -> Result:
        selected = [self.resolve(query, obj, p) for p in query.select if isinstance(p, Path)]
        subqueries: list[tuple[Query, ObjectDef, str, str]] = []
        for item in query.select:
            if isinstance(item, Query):
                rel = obj.child(item.sobject)
                if rel is None:
                    raise self._error(
                        query,
                        item.sobject_pos,
                        "INVALID_TYPE",
                        f"Didn't understand relationship '{item.sobject}' in FROM part of query "
                        "call. If you are attempting to use a custom relationship, be sure to "
                        "append the '__r' after the custom relationship name.",
                    )
                child = self.data.schema.get(rel.child)
                assert child is not None
                subqueries.append((item, child, rel.name, rel.field))
        if query.is_count and len(query.select) > 1:
            raise self._error(query, 0, "MALFORMED_QUERY", "COUNT() must be the only field")
        if query.where is not None:
            keep = self.compile(query, obj, query.where)
            rows = [r for r in rows if keep(r)]
        for order in reversed(query.order_by):
            resolved = self.resolve(query, obj, order.path)
            nulls = [r for r in rows if self.value(r, resolved) is None]
            present = [r for r in rows if self.value(r, resolved) is not None]
            present.sort(key=self._sorter(resolved), reverse=order.descending)
            rows = present + nulls if order.nulls_last else nulls + present
        if query.offset:
            rows = rows[query.offset :]
        if query.limit is not None:
            rows = rows[: query.limit]
        if query.is_count:
            return Result([], len(rows))
        rendered = []
        for row in rows:
            out = self.attributes(obj, row)
            for resolved_item in selected:
                self._put(out, row, resolved_item)
            for sub, child, rel_name, fk in subqueries:
                children = [r for r in self.data.rows(child) if r.get(fk) == row["Id"]]
                result = self.run(sub, child, children)
                out[rel_name] = (
                    {"totalSize": result.total, "done": True, "records": result.records}
                    if result.records
                    else None
                )
            rendered.append(out)
        return Result(rendered, len(rendered))

    def _sorter(self, resolved: Resolved) -> Callable[[Row], Any]:
        return lambda row: _sort_key(self.value(row, resolved))

    def attributes(self, obj: ObjectDef, row: Row) -> dict[str, Any]:
        url = f"/services/data/v{self.version}/sobjects/{obj.name}/{row['Id']}"
        return {"attributes": {"type": obj.name, "url": url}}

    def _put(self, out: dict[str, Any], row: Row, resolved: Resolved) -> None:
        target: dict[str, Any] = out
        current: Row | None = row
        for hop in resolved.hops:
            assert current is not None
            assert hop.relationship_name is not None
            parent_id = current.get(hop.name)
            found = self.data.find(parent_id)
            parent = None if found is None or found[1]["IsDeleted"] else found
            if parent is None:
                target[hop.relationship_name] = None
                return
            nested = target.get(hop.relationship_name)
            if not isinstance(nested, dict):
                nested = self.attributes(parent[0], parent[1])
                target[hop.relationship_name] = nested
            target, current = nested, parent[1]
        assert current is not None
        target[resolved.field.name] = current.get(resolved.field.name)


def _like(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _compare(value: Any, op: str, operand: Any) -> bool:
    if isinstance(operand, tuple):  # a date range [start, end)
        start, end = operand
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time.min, UTC)
        if op == "=":
            return bool(start <= value < end)
        if op == "<":
            return bool(value < start)
        if op == "<=":
            return bool(value < end)
        if op == ">":
            return bool(value >= end)
        return bool(value >= start)  # >=
    if isinstance(value, bool) or isinstance(operand, bool):
        return value is operand if op == "=" else False
    if isinstance(value, int | Decimal) and isinstance(operand, Decimal):
        value = Decimal(value)
    try:
        if op == "=":
            return bool(value == operand)
        if op == "<":
            return bool(value < operand)
        if op == "<=":
            return bool(value <= operand)
        if op == ">":
            return bool(value > operand)
        return bool(value >= operand)
    except TypeError:
        return False


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.min, UTC)
    if isinstance(value, bool):
        return int(value)
    return value
