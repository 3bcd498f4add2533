"""CRM search (reference §1.3): filter groups (OR of ANDs), sorts, free-text query, paging by
offset (``after``), at most 200 per page and never past the 10,000th result.

Values are compared by the property's type: numbers as decimals, datetimes and dates as epoch
milliseconds (a filter value may be epoch ms or ISO 8601), booleans and text case-insensitively.
A record without the property matches only ``NEQ``, ``NOT_IN``, ``NOT_HAS_PROPERTY`` and
``NOT_CONTAINS_TOKEN``. Without sorts, results come in id order.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lead2cash.emulators.hubspot.errors import HubSpotError, invalid
from lead2cash.emulators.hubspot.model import (
    PropertyDef,
    Record,
    TypeInfo,
    parse_ms,
    parse_number,
)

MAX_GROUPS = 6
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
MAX_QUERY = 3000
DEFAULT_LIMIT = 10
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
_TOKEN_SPLIT = re.compile(r"[\s,;:/@.\-_]+")

Predicate = Callable[[Record], bool]
ValueOf = Callable[[Record, str], str | None]


@dataclass(frozen=True)
class SearchSpec:
    groups: list[list[dict[str, Any]]]
    sorts: list[tuple[str, bool]]
    properties: list[str] | None
    limit: int
    after: int
    query: str | None


def parse_request(body: Any, *, max_limit: int) -> SearchSpec:
    """The search body, checked as HubSpot checks it (400 ``VALIDATION_ERROR`` otherwise)."""
    if not isinstance(body, dict):
        raise invalid("Invalid input JSON: the search request must be an object")
    groups_raw = body.get("filterGroups") or []
    if not isinstance(groups_raw, list) or len(groups_raw) > MAX_GROUPS:
        raise invalid(f"Too many filter groups: at most {MAX_GROUPS} are allowed")
    groups: list[list[dict[str, Any]]] = []
    total = 0
    for group in groups_raw:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or not filters:
            raise invalid("Each filter group needs at least one filter")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise invalid(f"Too many filters in a group: at most {MAX_FILTERS_PER_GROUP}")
        total += len(filters)
        groups.append([f for f in filters if isinstance(f, dict)])
    if total > MAX_FILTERS:
        raise invalid(f"Too many filters: at most {MAX_FILTERS} in all")
    limit = body.get("limit")
    limit = DEFAULT_LIMIT if limit is None else _int(limit, "limit")
    if not 0 <= limit <= max_limit:
        raise invalid(f"limit must be between 0 and {max_limit}; got {limit}")
    after = body.get("after")
    offset = 0 if after in (None, "") else _int(after, "after")
    query = body.get("query")
    if query is not None and len(str(query)) > MAX_QUERY:
        raise invalid(f"query is longer than {MAX_QUERY} characters")
    props = body.get("properties")
    return SearchSpec(
        groups,
        [_sort(s) for s in body.get("sorts") or []],
        [str(p) for p in props] if props else None,
        limit,
        offset,
        None if query in (None, "") else str(query),
    )


def _int(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise invalid(f"{name} must be an integer; got {value!r}") from exc


def _sort(item: Any) -> tuple[str, bool]:
    if isinstance(item, str):
        return (item[1:], True) if item.startswith("-") else (item, False)
    if isinstance(item, dict) and item.get("propertyName"):
        direction = str(item.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise invalid(f"unknown sort direction {direction!r}")
        return str(item["propertyName"]), direction == "DESCENDING"
    raise invalid(f"invalid sort {item!r}")


class Evaluator:
    """Compiles a search over one object type's records."""

    def __init__(self, info: TypeInfo, defs: dict[str, PropertyDef], value_of: ValueOf) -> None:
        self.info = info
        self.defs = defs
        self.value_of = value_of

    def _kind(self, name: str) -> str:
        prop = self.defs.get(name)
        if prop is None:
            raise invalid(f'Property "{name}" does not exist', context={"propertyName": [name]})
        return prop.type

    def key(self, name: str) -> Callable[[Record], Any]:
        """A function giving the comparable value of ``name`` on a record (``None`` if unset)."""
        if name == "hs_object_id":
            return lambda r: r.id
        if name == "createdate":
            return lambda r: r.created_ms
        if name == self.info.modified_property:
            return lambda r: r.updated_ms
        kind = self._kind(name)
        value_of = self.value_of

        def get(record: Record) -> Any:
            text = value_of(record, name)
            if text is None or text == "":
                return None
            return self._coerce(kind, text)

        return get

    @staticmethod
    def _coerce(kind: str, text: str) -> Any:
        if kind == "number":
            return parse_number(text)
        if kind in ("datetime", "date"):
            return parse_ms(text)
        return text.lower()

    def operand(self, name: str, text: Any) -> Any:
        kind = "number" if name == "hs_object_id" else self._kind(name)
        if name in ("createdate", self.info.modified_property):
            kind = "datetime"
        value = self._coerce(kind, str(text))
        if value is None:
            raise invalid(f"{text!r} is not a valid value for {name}")
        return value

    def compile(self, spec: SearchSpec) -> Predicate:
        groups = [[self._filter(f) for f in group] for group in spec.groups]
        text = spec.query.lower() if spec.query else None
        query_keys = [self.key(n) for n in self.info.query_properties if n in self.defs]

        def match(record: Record) -> bool:
            if record.archived_ms is not None:
                return False
            if text is not None and not any(text in str(k(record) or "") for k in query_keys):
                return False
            return not groups or any(all(f(record) for f in group) for group in groups)

        return match

    def _filter(self, item: dict[str, Any]) -> Predicate:
        name = str(item.get("propertyName", ""))
        op = str(item.get("operator", "EQ")).upper()
        if op not in OPERATORS:
            raise invalid(f"unknown operator {op!r}")
        if not name:
            raise invalid("a filter needs a propertyName")
        key = self.key(name)
        if op == "HAS_PROPERTY":
            return lambda r: key(r) is not None
        if op == "NOT_HAS_PROPERTY":
            return lambda r: key(r) is None
        if op in ("IN", "NOT_IN"):
            values = item.get("values")
            if not isinstance(values, list):
                raise invalid(f"{op} needs values")
            wanted = {self.operand(name, v) for v in values}
            if op == "IN":
                return lambda r: key(r) in wanted
            return lambda r: key(r) not in wanted
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            pattern = str(item.get("value", "")).lower()
            token_match = _token_matcher(pattern)
            if op == "CONTAINS_TOKEN":
                return lambda r: token_match(key(r))
            return lambda r: not token_match(key(r))
        if "value" not in item:
            raise invalid(f"{op} needs a value")
        value = self.operand(name, item["value"])
        if op == "BETWEEN":
            if "highValue" not in item:
                raise invalid("BETWEEN needs a highValue")
            high = self.operand(name, item["highValue"])
            return lambda r: (v := key(r)) is not None and value <= v <= high
        compare: dict[str, Callable[[Any], bool]] = {
            "EQ": lambda v: v == value,
            "LT": lambda v: v < value,
            "LTE": lambda v: v <= value,
            "GT": lambda v: v > value,
            "GTE": lambda v: v >= value,
        }
        if op == "NEQ":
            return lambda r: key(r) != value
        test = compare[op]
        return lambda r: (v := key(r)) is not None and test(v)

    def order(self, records: list[Record], sorts: list[tuple[str, bool]]) -> list[Record]:
        items = sorted(records, key=lambda r: r.id)
        for name, descending in reversed(sorts):
            key = self.key(name)
            present = [r for r in items if key(r) is not None]
            missing = [r for r in items if key(r) is None]
            present.sort(key=key, reverse=descending)
            items = present + missing
        return items


def _token_matcher(pattern: str) -> Callable[[Any], bool]:
    def match(value: Any) -> bool:
        if value is None:
            return False
        tokens = [t for t in _TOKEN_SPLIT.split(str(value).lower()) if t]
        if "*" in pattern:
            return any(fnmatch.fnmatchcase(t, pattern) for t in tokens) or fnmatch.fnmatchcase(
                str(value).lower(), pattern
            )
        return pattern in tokens or pattern == str(value).lower()

    return match


@dataclass(frozen=True)
class SearchPage:
    total: int
    records: list[Record]
    next_after: int | None
    #: The properties the request asked for (``None``: the defaults).
    properties: list[str] | None = None


def page(records: list[Record], spec: SearchSpec, *, cap: int) -> SearchPage:
    """One page of the ordered matches; 400 when ``after`` reaches the result cap."""
    if spec.after >= cap:
        raise HubSpotError(
            400,
            f"The search API returns at most {cap} results for a query; "
            f"after={spec.after} is past that. Narrow the query with filters.",
            "VALIDATION_ERROR",
            subCategory="crm.search.RESULT_WINDOW_EXCEEDED",
        )
    end = min(spec.after + spec.limit, cap)
    chunk = records[spec.after : end]
    following = spec.after + len(chunk)
    following_after = following if following < len(records) else None
    return SearchPage(len(records), chunk, following_after, spec.properties)
