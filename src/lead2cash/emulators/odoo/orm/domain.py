"""Search domains: Polish-notation parsing (implicit ``&``) and set-based evaluation.

Operators: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``=?``, ``in``, ``not in``, ``like``,
``not like``, ``ilike``, ``not ilike``, ``=like``, ``=ilike``, ``child_of``, ``parent_of``,
``any``, ``not any``; dotted paths through relational fields (``partner_id.name``) are read as
``any`` on the relation, as Odoo 17+ does. Semantics follow Odoo's SQL: negative operators
(``!=``, ``not in``, ``not ilike``) also match empty values; ``= False`` matches empty values;
comparisons never match empty values.

A leaf ``(field, '=' | 'in', value)`` on an indexed stored field, or on ``id``, is answered from
the index; every other leaf filters the candidate ids, so an ``&`` of an indexed leaf and other
leaves stays proportional to the indexed leaf's matches (10,000 timesheets of one project).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.core import ModelCore as Model

OPERATORS = {
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=?",
    "in",
    "not in",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "=like",
    "=ilike",
    "child_of",
    "parent_of",
    "any",
    "not any",
}
_ALIASES = {"<>": "!=", "==": "="}
_ARITY = {"&": 2, "|": 2, "!": 1}
_NEGATIVE = {"!=", "not in", "not like", "not ilike", "not any"}


@dataclass(frozen=True)
class Leaf:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class Node:
    kind: str  # "and" | "or" | "not" | "true" | "false"
    children: tuple[Any, ...] = ()


TRUE = Node("true")
FALSE = Node("false")


def normalize(domain: Any) -> list[Any]:
    """Odoo's ``normalize_domain``: explicit ``&`` operators, leaves as tuples."""
    if domain is None or domain is False:
        return []
    if not isinstance(domain, list | tuple):
        raise errors.value_error(f"Invalid domain: {domain!r}")
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result.insert(0, "&")
            expected = 1
        if isinstance(token, Leaf | Node):
            expected -= 1
            result.append(token)
        elif isinstance(token, list | tuple):
            expected -= 1
            result.append(_leaf(token))
        elif token in _ARITY:
            expected += _ARITY[token] - 1
            result.append(token)
        else:
            raise errors.value_error(f"Invalid domain term {token!r}")
    if expected and domain:
        raise errors.value_error(f"Domain {list(domain)!r} is syntactically not correct.")
    return result


def _leaf(token: list[Any] | tuple[Any, ...]) -> Leaf | Node:
    if len(token) != 3:
        raise errors.value_error(f"Invalid leaf {token!r}")
    left, op, right = token
    if left == 1 and op == "=" and right == 1:
        return TRUE
    if left == 0 and op == "=" and right == 1:
        return FALSE
    if not isinstance(op, str) or not isinstance(left, str):
        raise errors.value_error(f"Invalid leaf {tuple(token)!r}")
    op = _ALIASES.get(op.lower(), op.lower())
    if op not in OPERATORS:
        raise errors.value_error(f"Invalid operator {op!r} in leaf {tuple(token)!r}")
    if isinstance(right, tuple):
        right = list(right)
    return Leaf(left, op, right)


def parse(domain: Any) -> Leaf | Node:
    """The domain as a tree."""
    tokens = normalize(domain)
    if not tokens:
        return TRUE
    stack: list[Leaf | Node] = []
    for token in reversed(tokens):
        if token == "&":  # noqa: S105 - a domain operator, not a secret
            a, b = stack.pop(), stack.pop()
            stack.append(Node("and", (a, b)))
        elif token == "|":  # noqa: S105
            a, b = stack.pop(), stack.pop()
            stack.append(Node("or", (a, b)))
        elif token == "!":  # noqa: S105
            stack.append(Node("not", (stack.pop(),)))
        else:
            stack.append(token)
    return stack[0]


def conjunction(*domains: Any) -> list[Any]:
    """``Domain.AND``."""
    parts = [normalize(d) for d in domains if d]
    if not parts:
        return []
    result: list[Any] = ["&"] * (len(parts) - 1)
    for p in parts:
        result += p
    return result


# -- evaluation ------------------------------------------------------------------------------


class Evaluator:
    """Evaluates one domain on one model; values are fetched per field, once, in batch."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.table = model._table()

    def search(self, node: Leaf | Node, ids: set[int] | None = None) -> set[int]:
        """The ids (among ``ids``, default all rows) that satisfy ``node``."""
        if isinstance(node, Leaf):
            return self._leaf(node, ids)
        if node.kind == "true":
            return set(self.table) if ids is None else set(ids)
        if node.kind == "false":
            return set()
        if node.kind == "not":
            base = set(self.table) if ids is None else set(ids)
            return base - self.search(node.children[0], base)
        if node.kind == "and":
            parts = self._flatten("and", node)
            parts.sort(key=self._cost)
            current = ids
            for part in parts:
                current = self.search(part, current)
                if not current:
                    return set()
            return set(self.table) if current is None else current
        parts = self._flatten("or", node)
        result: set[int] = set()
        for part in parts:
            result |= self.search(part, ids)
        return result

    def _flatten(self, kind: str, node: Node) -> list[Leaf | Node]:
        out: list[Leaf | Node] = []
        for child in node.children:
            if isinstance(child, Node) and child.kind == kind:
                out += self._flatten(kind, child)
            else:
                out.append(child)
        return out

    def _cost(self, node: Leaf | Node) -> int:
        if isinstance(node, Leaf) and self._indexed(node) is not None:
            return 0
        return 1

    def _indexed(self, leaf: Leaf) -> dict[Any, set[int]] | None:
        if leaf.op not in ("=", "in") or "." in leaf.path:
            return None
        if leaf.path == "id":
            return {}
        field = self.model._fields.get(leaf.path)
        if field is None or not field.store or field.type not in ("many2one", "char", "integer"):
            return None
        index: dict[Any, set[int]] | None = self.model.env.db.index(self.model._name, leaf.path)
        return index

    # -- leaves ------------------------------------------------------------------------------

    def _leaf(self, leaf: Leaf, ids: set[int] | None) -> set[int]:
        model = self.model
        path, op, value = leaf.path, leaf.op, leaf.value
        if "." in path:
            head, rest = path.split(".", 1)
            field = self._field(head, leaf)
            if not field.relational:
                raise errors.value_error(f"Invalid field {model._name}.{path} in leaf {leaf!r}")
            return self._leaf(Leaf(head, "any", [(rest, op, value)]), ids)
        if op == "=?":
            if value is None or value is False:
                return set(self.table) if ids is None else set(ids)
            op = "="
        if path == "id":
            return self._ids_leaf(op, value, ids)
        field = self._field(path, leaf)
        index = self._indexed(Leaf(path, op, value))
        if (index is not None and not field.relational) or (
            index is not None and field.type == "many2one" and _all_ints_or_false(value)
        ):
            values = value if op == "in" else [value]
            if not isinstance(values, list):
                values = [values]
            found: set[int] = set()
            for v in values:
                key = None if v is False or v is None else _index_key(field, v)
                found |= index.get(key, set())
            return found if ids is None else found & ids
        base = set(self.table) if ids is None else ids
        test = self._predicate(field, op, value)
        column = model._value_map(path, base)
        return {i for i in base if test(column.get(i))}

    def _field(self, name: str, leaf: Leaf) -> f.Field:
        field = self.model._fields.get(name)
        if field is None:
            term = (leaf.path, leaf.op, leaf.value)
            raise errors.value_error(f"Invalid field {self.model._name}.{name} in leaf {term!r}")
        return field

    def _ids_leaf(self, op: str, value: Any, ids: set[int] | None) -> set[int]:
        base = set(self.table) if ids is None else ids
        if op in ("child_of", "parent_of"):
            return base & self._hierarchy(self.model, op, value)
        test = _scalar_test(op, _as_int_list(value) if op in ("in", "not in") else value)
        return {i for i in base if test(i)}

    def _hierarchy(self, model: Any, op: str, value: Any) -> set[int]:
        parent = model._parent_name
        targets = set(_as_int_list(value) if not isinstance(value, str) else [])
        if isinstance(value, str):
            targets = {i for i, _ in model._name_search_ids(value, "ilike")}
        if parent is None:
            return targets
        rows = model._table()
        if op == "child_of":
            children: dict[int, list[int]] = {}
            for rid, row in rows.items():
                p = row.get(parent)
                if p:
                    children.setdefault(p, []).append(rid)
            result, todo = set(), list(targets)
            while todo:
                x = todo.pop()
                if x in result or x not in rows:
                    continue
                result.add(x)
                todo.extend(children.get(x, ()))
            return result
        result = set()
        for t in targets:
            seen: int | None = t
            while seen and seen in rows and seen not in result:
                result.add(seen)
                seen = rows[seen].get(parent)
        return result

    def _predicate(self, field: f.Field, op: str, value: Any) -> Callable[[Any], bool]:
        env = self.model.env
        if field.type in ("many2one", "one2many", "many2many"):
            assert isinstance(field, f._Relational)
            comodel = env[field.comodel].with_active_test(False)
            if op in ("any", "not any"):
                matched = comodel._search_ids(value if isinstance(value, list) else [])
                return _relational_test(field, "in" if op == "any" else "not in", matched)
            if op in ("child_of", "parent_of"):
                return _relational_test(field, "in", self._hierarchy(comodel, op, value))
            if isinstance(value, str) or (
                isinstance(value, list) and any(isinstance(v, str) for v in value)
            ):
                names = value if isinstance(value, list) else [value]
                name_op = "=" if op in ("=", "!=", "in", "not in") else op.replace("not ", "")
                matched = set()
                for n in names:
                    matched |= {i for i, _ in comodel._name_search_ids(str(n), name_op)}
                positive = "in" if op not in _NEGATIVE else "not in"
                return _relational_test(field, positive, matched)
            return _relational_test(field, op, value)
        if op in ("child_of", "parent_of", "any", "not any"):
            raise errors.value_error(f"Invalid operator {op!r} for field {field}")
        if field.type == "boolean":
            wanted = bool(value) if op in ("=", "!=") else value
            return _scalar_test(op, wanted, boolean=True)
        if op in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
            return _like_test(op, value)
        return _scalar_test(op, _convert(field, op, value))


def _scalar_test(op: str, value: Any, *, boolean: bool = False) -> Callable[[Any], bool]:
    def norm(v: Any) -> Any:
        if boolean:
            return bool(v)
        return None if v is False else v

    if op == "=":
        target = norm(value)
        if target is None:
            return lambda v: v is None or v is False
        return lambda v: norm(v) == target
    if op == "!=":
        target = norm(value)
        if target is None:
            return lambda v: not (v is None or v is False)
        return lambda v: norm(v) != target
    if op in ("in", "not in"):
        items = value if isinstance(value, list | tuple | set) else [value]
        has_empty = any(x is False or x is None for x in items)
        wanted = {norm(x) for x in items if not (x is False or x is None)}
        if boolean:
            wanted = {bool(x) for x in items}
            has_empty = False
        if op == "in":
            return lambda v: norm(v) in wanted or (has_empty and (v is None or v is False))
        return lambda v: (
            not (
                (v is not None and v is not False and norm(v) in wanted)
                or (has_empty and (v is None or v is False))
            )
        )
    if op in ("<", "<=", ">", ">="):
        if value is None or value is False:
            return lambda v: False
        compare: Callable[[Any], bool] = {
            "<": lambda a: bool(a < value),
            "<=": lambda a: bool(a <= value),
            ">": lambda a: bool(a > value),
            ">=": lambda a: bool(a >= value),
        }[op]
        return lambda v: v is not None and v is not False and compare(v)
    raise errors.value_error(f"Invalid operator {op!r}")


def _like_test(op: str, value: Any) -> Callable[[Any], bool]:
    if value is None or value is False:
        value = ""
    text = str(value)
    raw = op.startswith("=")
    pattern = text if raw else f"%{text}%"
    flags = re.IGNORECASE if "ilike" in op else 0
    regex = re.compile(_like_to_regex(pattern), flags | re.DOTALL)
    negative = op.startswith("not")

    def test(v: Any) -> bool:
        if v is None or v is False:
            return negative
        matched = regex.fullmatch(str(v)) is not None
        return not matched if negative else matched

    return test


def _like_to_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _relational_test(field: f.Field, op: str, value: Any) -> Callable[[Any], bool]:
    multi = field.type in ("one2many", "many2many")
    if op in ("=", "!=") and (value is False or value is None):
        empty = op == "="
        if multi:
            return lambda v: (not v) == empty
        return lambda v: (v is None) == empty
    if op in ("=", "!="):
        op = "in" if op == "=" else "not in"
        value = [value]
    if op not in ("in", "not in"):
        raise errors.value_error(f"Invalid operator {op!r} for field {field}")
    items = value if isinstance(value, list | tuple | set) else [value]
    has_empty = any(x is False or x is None for x in items)
    wanted = {int(x) for x in items if not (x is False or x is None)}
    if multi:

        def test_multi(v: Any) -> bool:
            hit = bool(wanted.intersection(v or ())) or (has_empty and not v)
            return hit if op == "in" else not hit

        return test_multi

    def test_one(v: Any) -> bool:
        hit = (v is not None and v in wanted) or (has_empty and v is None)
        return hit if op == "in" else not hit

    return test_one


def _convert(field: f.Field, op: str, value: Any) -> Any:
    if op in ("in", "not in"):
        items = value if isinstance(value, list | tuple | set) else [value]
        return [x if x is False or x is None else _convert_one(field, x) for x in items]
    if value is False or value is None:
        return value
    return _convert_one(field, value)


def _convert_one(field: f.Field, value: Any) -> Any:
    if field.type in ("float", "monetary"):
        try:
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise errors.value_error(f"Invalid value {value!r} for field {field}") from None
    if field.type == "integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise errors.value_error(f"Invalid value {value!r} for field {field}") from None
    if field.type == "date":
        return str(value)[:10]
    if field.type == "datetime":
        text = str(value).replace("T", " ")
        return text if len(text) > 10 else f"{text} 00:00:00"
    return value


def _index_key(field: f.Field, value: Any) -> Any:
    if field.type in ("many2one", "integer"):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def _all_ints_or_false(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(x is False or (isinstance(x, int) and not isinstance(x, bool)) for x in items)


def _as_int_list(value: Any) -> list[int]:
    if value is False or value is None:
        return []
    items: Iterable[Any] = value if isinstance(value, list | tuple | set) else [value]
    out = []
    for x in items:
        if isinstance(x, bool) or not isinstance(x, int):
            if x is False:
                continue
            raise errors.value_error(f"Invalid id {x!r} in domain")
        out.append(x)
    return out
