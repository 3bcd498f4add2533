"""The in-memory database: one table (id → row dict) per model, secondary indexes, and an undo
journal that gives every RPC call Odoo's transaction semantics.

Every change goes through :meth:`Database.insert`, :meth:`Database.set` and
:meth:`Database.delete`, which keep the indexes right and journal the inverse operation.
:meth:`Database.transaction` commits (drops the journal) or rolls back (replays it backwards);
:meth:`Database.savepoint` does the same for part of a transaction (``load`` uses it).
Rows hold storage values: ``None`` for empty, ``Decimal`` for floats and money, ISO strings for
dates and datetimes, ints for many2one, tuples of ints for many2many.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Row = dict[str, Any]
#: A table: id → row. Keyed by ``Any`` so that ``table.get(row.get("partner_id"))`` type-checks
#: (an empty many2one is ``None`` and simply finds nothing).
Table = dict[Any, Row]
Undo = Callable[[], None]


class Database:
    """Tables, indexes, id sequences and the undo journal."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tables: dict[str, Table] = {}
        self.next_ids: dict[str, int] = {}
        # (model, field) -> value -> ids
        self.indexes: dict[tuple[str, str], dict[Any, set[int]]] = {}
        self.indexed: dict[str, tuple[str, ...]] = {}
        self.sequences: dict[str, int] = {}
        self.lock = threading.RLock()
        self._journal: list[Undo] | None = None

    # -- schema ------------------------------------------------------------------------------

    def ensure_table(self, model: str, indexed: Iterable[str] = ()) -> None:
        self.tables.setdefault(model, {})
        self.next_ids.setdefault(model, 1)
        fields = tuple(indexed)
        self.indexed[model] = fields
        for f in fields:
            self.indexes.setdefault((model, f), {})

    def table(self, model: str) -> Table:
        return self.tables[model]

    def index(self, model: str, field: str) -> dict[Any, set[int]] | None:
        return self.indexes.get((model, field))

    # -- journal -----------------------------------------------------------------------------

    def _log(self, undo: Undo) -> None:
        if self._journal is not None:
            self._journal.append(undo)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One RPC call: everything or nothing (nested calls join the outer transaction)."""
        with self.lock:
            if self._journal is not None:
                yield
                return
            self._journal = []
            try:
                yield
            except BaseException:
                self._rollback_to(0)
                raise
            finally:
                self._journal = None

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """Roll back what the block did if it raises (the transaction goes on)."""
        mark = len(self._journal) if self._journal is not None else None
        try:
            yield
        except BaseException:
            if mark is not None:
                self._rollback_to(mark)
            raise

    def mark(self) -> int:
        return len(self._journal) if self._journal is not None else 0

    def rollback_to(self, mark: int) -> None:
        self._rollback_to(mark)

    def _rollback_to(self, mark: int) -> None:
        journal = self._journal
        if journal is None:
            return
        saved, self._journal = journal, None  # undo operations must not journal themselves
        try:
            while len(saved) > mark:
                saved.pop()()
        finally:
            self._journal = saved

    # -- ids and sequences -------------------------------------------------------------------

    def new_id(self, model: str) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1

        def undo() -> None:
            self.next_ids[model] = value

        self._log(undo)
        return value

    def next_sequence(self, code: str) -> int:
        value = self.sequences.get(code, 0) + 1
        previous = self.sequences.get(code)
        self.sequences[code] = value

        def undo() -> None:
            if previous is None:
                self.sequences.pop(code, None)
            else:
                self.sequences[code] = previous

        self._log(undo)
        return value

    # -- rows --------------------------------------------------------------------------------

    def insert(self, model: str, record_id: int, row: Row) -> None:
        self.tables[model][record_id] = row
        for f in self.indexed.get(model, ()):
            self._index_add(model, f, row.get(f), record_id)

        def undo() -> None:
            self._remove(model, record_id)

        self._log(undo)

    def set(self, model: str, record_id: int, values: Row) -> None:
        """Update some columns of one row."""
        row = self.tables[model][record_id]
        old = {k: row.get(k) for k in values}
        indexed = self.indexed.get(model, ())
        for k, v in values.items():
            if k in indexed and old[k] != v:
                self._index_remove(model, k, old[k], record_id)
                self._index_add(model, k, v, record_id)
            row[k] = v

        def undo() -> None:
            self.set(model, record_id, old)

        self._log(undo)

    def delete(self, model: str, record_id: int) -> None:
        row = self._remove(model, record_id)

        def undo() -> None:
            self.insert(model, record_id, row)

        self._log(undo)

    def _remove(self, model: str, record_id: int) -> Row:
        row = self.tables[model].pop(record_id)
        for f in self.indexed.get(model, ()):
            self._index_remove(model, f, row.get(f), record_id)
        return row

    def _index_add(self, model: str, field: str, value: Any, record_id: int) -> None:
        self.indexes[(model, field)].setdefault(_key(value), set()).add(record_id)

    def _index_remove(self, model: str, field: str, value: Any, record_id: int) -> None:
        bucket = self.indexes[(model, field)].get(_key(value))
        if bucket is not None:
            bucket.discard(record_id)
            if not bucket:
                del self.indexes[(model, field)][_key(value)]

    def clear(self) -> None:
        """Drop every row (the schema stays)."""
        for model in self.tables:
            self.tables[model] = {}
            self.next_ids[model] = 1
        for key in self.indexes:
            self.indexes[key] = {}
        self.sequences.clear()


def _key(value: Any) -> Any:
    """Index key of a stored value (``None`` and ``False`` are the same empty value)."""
    return None if value is None or value is False else value
