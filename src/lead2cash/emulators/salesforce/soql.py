"""A SOQL subset: tokenizer and parser (the evaluator is ``query.py``).

Grammar (keywords and names case-insensitive)::

    query     := SELECT item ("," item)* FROM name [WHERE cond]
                 [ORDER BY order ("," order)*] [LIMIT int] [OFFSET int]
    item      := path | "(" query ")" | COUNT "(" ")"
    path      := name ("." name)*                      -- Account.Owner.Name
    cond      := and (OR and)*
    and       := not (AND not)*
    not       := NOT not | "(" cond ")" | path op value | path [NOT] IN "(" value ("," value)* ")"
                 | path LIKE string
    op        := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    value     := 'string' | number | TRUE | FALSE | NULL | 2026-03-01 | 2026-03-01T10:00:00Z
                 | 2026-03-01T10:00:00.000+0000 | TODAY | YESTERDAY | TOMORROW
                 | LAST_N_DAYS:n | NEXT_N_DAYS:n
    order     := path [ASC | DESC] [NULLS FIRST | NULLS LAST]

Errors are :class:`SoqlError` with Salesforce's error code and message layout (the query line,
a caret, ``ERROR at Row:1:Column:n`` and the reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal as TypingLiteral

KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "OFFSET",
        "TRUE",
        "FALSE",
        "NULL",
        "COUNT",
    }
)
DATE_KEYWORDS = frozenset({"TODAY", "YESTERDAY", "TOMORROW"})
N_DAYS_KEYWORDS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS"})

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\d:T])
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),.:])
    """,
    re.VERBOSE,
)

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is its errorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def located(text: str, pos: int, reason: str) -> str:
    """Salesforce's layout: the query, a caret under the position, row/column and reason."""
    line = " ".join(text.splitlines())
    return f"\n{line}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\n{reason}"


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SoqlError(
                "MALFORMED_QUERY", located(text, pos, f"unexpected token: '{text[pos]}'")
            )
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


# -- AST --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A field path: ``("Name",)`` or ``("Account", "Name")``."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class CountAll:
    pos: int


@dataclass(frozen=True)
class Literal:
    """A value in a condition. ``kind`` says which SOQL type it is written as."""

    kind: TypingLiteral["string", "number", "boolean", "null", "date", "datetime", "range"]
    value: object
    pos: int


@dataclass(frozen=True)
class Comparison:
    path: Path
    op: str  # = != < <= > >= IN NOTIN LIKE
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Junction:
    op: TypingLiteral["AND", "OR"]
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    item: Condition


Condition = Comparison | Junction | Negation


@dataclass(frozen=True)
class Order:
    path: Path
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    text: str
    select: tuple[Path | Query | CountAll, ...]
    sobject: str
    sobject_pos: int
    where: Condition | None
    order_by: tuple[Order, ...]
    limit: int | None
    offset: int | None

    @property
    def is_count(self) -> bool:
        return any(isinstance(item, CountAll) for item in self.select)


# -- date literals ----------------------------------------------------------------------------


def parse_datetime_literal(text: str) -> datetime:
    """``2026-03-01T10:00:00Z``, ``...000+0000`` or ``...+01:00`` as an aware UTC datetime."""
    value = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = f"{value[:-2]}:{value[-2:]}"
    return datetime.fromisoformat(value).astimezone(UTC)


def date_range(keyword: str, n: int | None, now: datetime) -> tuple[datetime, datetime]:
    """The half-open UTC interval a date keyword stands for, relative to ``now``."""
    today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), UTC)
    day = timedelta(days=1)
    if keyword == "TODAY":
        return today, today + day
    if keyword == "YESTERDAY":
        return today - day, today
    if keyword == "TOMORROW":
        return today + day, today + 2 * day
    assert n is not None
    if keyword == "LAST_N_DAYS":
        return today - n * day, now + timedelta(seconds=1)
    return today + day, today + (n + 1) * day  # NEXT_N_DAYS


# -- parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, token: Token | None = None, reason: str | None = None) -> SoqlError:
        token = token or self.tok
        shown = "<EOF>" if token.kind == "eof" else token.text
        return SoqlError(
            "MALFORMED_QUERY",
            located(self.text, token.pos, reason or f"unexpected token: '{shown}'"),
        )

    def next(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.tok.kind == "name" and self.tok.upper in words

    def keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            raise self.fail()
        return self.next()

    def punct(self, char: str) -> Token:
        if self.tok.kind != "punct" or self.tok.text != char:
            raise self.fail()
        return self.next()

    def at_punct(self, char: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == char

    def name(self) -> Token:
        if self.tok.kind != "name" or self.tok.upper in KEYWORDS:
            raise self.fail()
        return self.next()

    # grammar

    def query(self, *, nested: bool = False) -> Query:
        start = self.tok.pos
        self.keyword("SELECT")
        items: list[Path | Query | CountAll] = [self.select_item(nested)]
        while self.at_punct(","):
            self.next()
            items.append(self.select_item(nested))
        self.keyword("FROM")
        sobject = self.name()
        where = None
        if self.at_keyword("WHERE"):
            self.next()
            where = self.condition()
        order: list[Order] = []
        if self.at_keyword("ORDER"):
            self.next()
            self.keyword("BY")
            order.append(self.order_item())
            while self.at_punct(","):
                self.next()
                order.append(self.order_item())
        limit = offset = None
        if self.at_keyword("LIMIT"):
            self.next()
            limit = self.integer()
        if self.at_keyword("OFFSET"):
            self.next()
            offset = self.integer()
        end = self.tok.pos
        seen: set[str] = set()
        for item in items:
            if isinstance(item, Path):
                key = item.text.lower()
                if key in seen:
                    raise SoqlError(
                        "MALFORMED_QUERY",
                        located(self.text, item.pos, f"duplicate field selected: {item.text}"),
                    )
                seen.add(key)
        return Query(
            self.text[start:end].strip(),
            tuple(items),
            sobject.text,
            sobject.pos,
            where,
            tuple(order),
            limit,
            offset,
        )

    def select_item(self, nested: bool) -> Path | Query | CountAll:
        if self.at_punct("("):
            if nested:
                raise self.fail(reason="nested queries cannot contain subqueries")
            self.next()
            sub = self.query(nested=True)
            self.punct(")")
            return sub
        if self.at_keyword("COUNT"):
            token = self.next()
            self.punct("(")
            self.punct(")")
            return CountAll(token.pos)
        return self.path()

    def path(self) -> Path:
        first = self.name()
        parts = [first.text]
        while self.at_punct("."):
            self.next()
            parts.append(self.name().text)
        return Path(tuple(parts), first.pos)

    def integer(self) -> int:
        token = self.tok
        if token.kind != "number" or not token.text.isdigit():
            raise self.fail()
        self.next()
        return int(token.text)

    def order_item(self) -> Order:
        path = self.path()
        descending = False
        if self.at_keyword("ASC", "DESC"):
            descending = self.next().upper == "DESC"
        nulls_last = descending
        if self.at_keyword("NULLS"):
            self.next()
            if not self.at_keyword("FIRST", "LAST"):
                raise self.fail()
            nulls_last = self.next().upper == "LAST"
        return Order(path, descending, nulls_last)

    def condition(self) -> Condition:
        items = [self.conjunction()]
        while self.at_keyword("OR"):
            self.next()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Junction("OR", tuple(items))

    def conjunction(self) -> Condition:
        items = [self.negation()]
        while self.at_keyword("AND"):
            self.next()
            items.append(self.negation())
        return items[0] if len(items) == 1 else Junction("AND", tuple(items))

    def negation(self) -> Condition:
        if self.at_keyword("NOT"):
            self.next()
            return Negation(self.negation())
        if self.at_punct("("):
            self.next()
            inner = self.condition()
            self.punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        path = self.path()
        if self.tok.kind == "op":
            op = self.next().text
            return Comparison(path, "!=" if op == "<>" else op, (self.value(),))
        negated = False
        if self.at_keyword("NOT"):
            self.next()
            negated = True
            if not self.at_keyword("IN"):
                raise self.fail()
        if self.at_keyword("IN"):
            self.next()
            self.punct("(")
            if self.at_keyword("SELECT"):
                raise self.fail(reason="semi-join subqueries are not supported by the emulator")
            values = [self.value()]
            while self.at_punct(","):
                self.next()
                values.append(self.value())
            self.punct(")")
            return Comparison(path, "NOTIN" if negated else "IN", tuple(values))
        if self.at_keyword("LIKE"):
            self.next()
            value = self.value()
            if value.kind != "string":
                raise self.fail(reason="LIKE needs a string")
            return Comparison(path, "LIKE", (value,))
        raise self.fail()

    def value(self) -> Literal:
        token = self.next()
        if token.kind == "string":
            return Literal("string", _unescape(token.text[1:-1]), token.pos)
        if token.kind == "number":
            return Literal("number", Decimal(token.text), token.pos)
        if token.kind == "datetime":
            try:
                return Literal("datetime", parse_datetime_literal(token.text), token.pos)
            except ValueError:
                raise self.fail(token, f"invalid date time: {token.text}") from None
        if token.kind == "date":
            try:
                return Literal("date", date.fromisoformat(token.text), token.pos)
            except ValueError:
                raise self.fail(token, f"invalid date: {token.text}") from None
        if token.kind == "name":
            word = token.upper
            if word in ("TRUE", "FALSE"):
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                return Literal("null", None, token.pos)
            if word in DATE_KEYWORDS:
                return Literal("range", (word, None), token.pos)
            if word in N_DAYS_KEYWORDS:
                self.punct(":")
                return Literal("range", (word, self.integer()), token.pos)
        raise self.fail(token)


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            # \% and \_ stay escaped: they only mean something to LIKE.
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def parse(text: str) -> Query:
    """Parse one SOQL statement (raises :class:`SoqlError`)."""
    if not text.strip():
        raise SoqlError("MALFORMED_QUERY", "A query string has to be specified")
    parser = _Parser(text)
    query = parser.query()
    if parser.tok.kind != "eof":
        raise parser.fail()
    return query
