"""The idempotent writer: upsert by external ID with ``Model.load``, in batches.

Every record the hub creates in Odoo carries a deterministic external ID
(:func:`external_id`: ``lead2cash.<system>_<type>_<id>``), written by ``load`` in the same
transaction as the record. Writing the same rows again updates the same records, so a ``load``
may always be sent again after a timeout. ``load`` needs no access to ``ir.model.data`` (it uses
it in sudo), only the model's own rights (reference §2.12).

Odoo's importer (``odoo/orm/models.py`` ``load``, 17-19) reads every cell as text, as from a CSV
file: :func:`to_cell` sends booleans as ``'1'``/``'0'``, ``Decimal`` as plain digits, dates as
``YYYY-MM-DD`` and aware datetimes as UTC ``YYYY-MM-DD HH:MM:SS`` (with ``tz=UTC`` in the
context, because the importer reads datetimes in the context's or the user's timezone).
Relations use ``field/id`` (external id) or ``field/.id`` (database id) columns.

``load`` does not raise on a bad row: it returns ``{"ids": False, "messages": [...]}`` and rolls
the **whole call** back when any message is an error. Each message names its row (``record``,
``rows.from``). The writer therefore fails the rows the messages name and re-submits the others
until a call goes through, so one bad row never fails the rest. Two quirks of the source are
handled: 18/19 insert the batch-level error at ``messages[0]`` with the *first* row's position
even when that row is fine (the row gets one more chance, moved to the end), and a message that
names no row makes the writer split the batch in halves.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient

log = logging.getLogger(__name__)

DEFAULT_MODULE = "lead2cash"
_SYSTEM = re.compile(r"^[a-z][a-z0-9]*$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$|^[a-z]$")
_MODULE = re.compile(r"^[a-z][a-z0-9_]*$")
_SAFE = re.compile(r"[A-Za-z0-9]")


def external_id(
    system: str, kind: str, source_id: str | int, *, module: str = DEFAULT_MODULE
) -> str:
    """The external ID of a record the hub owns: ``<module>.<system>_<kind>_<id>``.

    Deterministic and injective: ``system`` is lower-case letters and digits, ``kind`` may
    also hold underscores, and in ``source_id`` every character other than ``A-Z a-z 0-9`` is
    written ``-xx`` (hex of its UTF-8 bytes), so the id part never holds ``_``, ``.`` or a
    space. ``external_id("harvest", "time_entry", 123)`` is
    ``lead2cash.harvest_time_entry_123``; ``external_id("csv", "row", "a-b c")`` is
    ``lead2cash.csv_row_a-2db-20c``.

    The module part must not be the name of an installed Odoo module: a module upgrade would
    delete the records (``l2c odoo doctor`` checks it).
    """
    if not _MODULE.match(module):
        raise ValueError(f"invalid external id module {module!r}")
    if not _SYSTEM.match(system):
        raise ValueError(f"invalid system {system!r}: lower-case letters and digits")
    if not _KIND.match(kind):
        raise ValueError(f"invalid record type {kind!r}: lower-case letters, digits, _")
    text = str(source_id)
    if not text:
        raise ValueError("empty source id")
    escaped = "".join(
        ch if _SAFE.match(ch) else "".join(f"-{b:02x}" for b in ch.encode()) for ch in text
    )
    return f"{module}.{system}_{kind}_{escaped}"


def to_cell(value: Any) -> str:
    """One value as the importer reads it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} to Odoo")
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: datetimes sent to Odoo must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to Odoo's importer")


@dataclass(frozen=True)
class UpsertRow:
    """One record to upsert: its external ID and its columns (``name``, ``project_id/id``,
    ``employee_id/.id`` ...). ``key`` is the caller's own key (defaults to the external id)."""

    xmlid: str
    values: Mapping[str, Any]
    key: str | None = None


@dataclass(frozen=True)
class RowResult:
    """What happened to one row: written (with its Odoo id) or a classified failure."""

    key: str
    xmlid: str
    odoo_id: int | None = None
    error: errors.ConnectorError | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and self.odoo_id is not None


@dataclass
class WriteReport:
    """Per-row results, in input order, and the number of ``load`` calls made."""

    results: list[RowResult] = field(default_factory=list)
    calls: int = 0

    @property
    def written(self) -> list[RowResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.results if not r.ok]

    def by_key(self) -> dict[str, RowResult]:
        return {r.key: r for r in self.results}


@dataclass
class _Pending:
    index: int  # position of the (deduplicated) row in the caller's list
    row: UpsertRow
    cells: list[str]
    suspected: bool = False


class ExternalIdWriter:
    """Upserts rows into one Odoo model with ``load``, ``batch_size`` rows per call."""

    def __init__(self, client: OdooClient, *, batch_size: int | None = None) -> None:
        self.client = client
        self.batch_size = batch_size or client.settings.batch_size

    def upsert(
        self,
        model: str,
        rows: Sequence[UpsertRow],
        *,
        company_ids: Sequence[int] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> WriteReport:
        """Write ``rows``; never raises for a row's own problem (see the row's result).

        A row repeated with the same external id is written once, with its last values; every
        occurrence gets that outcome.
        """
        ctx = {"tz": "UTC", **(context or {})}
        last: dict[str, int] = {}
        for i, row in enumerate(rows):
            if not row.xmlid or "." not in row.xmlid or " " in row.xmlid:
                raise ValueError(f"row {i}: {row.xmlid!r} is not a module.name external id")
            last[row.xmlid] = i
        outcome: dict[str, RowResult] = {}
        report = WriteReport()
        groups: dict[tuple[str, ...], list[_Pending]] = {}
        for i in sorted(last.values()):
            row = rows[i]
            columns = tuple(sorted(c for c in row.values if c != "id"))
            cells = [row.xmlid, *(to_cell(row.values[c]) for c in columns)]
            groups.setdefault(columns, []).append(_Pending(i, row, cells))
        for columns, pending in groups.items():
            fields = ["id", *columns]
            for start in range(0, len(pending), self.batch_size):
                chunk = pending[start : start + self.batch_size]
                self._load(model, fields, chunk, ctx, company_ids, outcome, report)
        for row in rows:
            result = outcome[row.xmlid]
            key = row.key or row.xmlid
            report.results.append(result if result.key == key else _rekey(result, key))
        return report

    def _load(
        self,
        model: str,
        fields: list[str],
        chunk: list[_Pending],
        ctx: Mapping[str, Any],
        company_ids: Sequence[int] | None,
        outcome: dict[str, RowResult],
        report: WriteReport,
    ) -> None:
        queue: deque[list[_Pending]] = deque([chunk])
        while queue:
            batch = queue.popleft()
            report.calls += 1
            try:
                answer = self.client.load(
                    model, fields, [p.cells for p in batch], context=ctx, company_ids=company_ids
                )
            except errors.ConnectorError as exc:
                # The call as a whole failed (unknown column, access right, Odoo unreachable
                # after the client's retries): every row shares the error.
                for p in batch:
                    outcome[p.row.xmlid] = _failed(p, exc)
                continue
            messages = [m for m in answer.get("messages") or [] if isinstance(m, Mapping)]
            ids = answer.get("ids")
            failures = [m for m in messages if m.get("type") == "error"]
            if not failures and isinstance(ids, list) and len(ids) == len(batch):
                warned = _by_row(messages, len(batch))
                for p, odoo_id, n in zip(batch, ids, range(len(batch)), strict=True):
                    notes = tuple(str(m.get("message", "")) for m in warned.get(n, []))
                    outcome[p.row.xmlid] = RowResult(
                        p.row.key or p.row.xmlid, p.row.xmlid, int(odoo_id), warnings=notes
                    )
                continue
            if not failures:
                silent = errors.RejectedError(
                    f"Odoo {model}.load wrote nothing and said nothing",
                    system="odoo",
                    operation=f"{model}.load",
                )
                for p in batch:
                    outcome[p.row.xmlid] = _failed(p, silent)
                continue
            queue.extend(self._triage(model, batch, messages, failures, outcome))

    def _triage(
        self,
        model: str,
        batch: list[_Pending],
        messages: list[Mapping[str, Any]],
        failures: list[Mapping[str, Any]],
        outcome: dict[str, RowResult],
    ) -> list[list[_Pending]]:
        """Fail the rows Odoo's messages name; return the batches to submit again."""
        flagged = _by_row(failures, len(batch))
        suspect: set[int] = set()
        first = _row_of(failures[0], len(batch))
        if (
            len(failures) > 1
            and failures[0] is messages[0]
            and first is not None
            and len(flagged.get(first, [])) == 1
            and not batch[first].suspected
        ):
            # 18/19 put the whole batch's error first, with the first row's position.
            suspect.add(first)
        bad = [n for n in flagged if n not in suspect]
        if not bad and not suspect:
            if len(batch) == 1:
                outcome[batch[0].row.xmlid] = _failed(batch[0], _classify(model, failures))
                return []
            half = len(batch) // 2
            return [batch[:half], batch[half:]]
        for n in bad:
            outcome[batch[n].row.xmlid] = _failed(batch[n], _classify(model, flagged[n]))
        again = [p for n, p in enumerate(batch) if n not in flagged]
        for n in sorted(suspect):
            batch[n].suspected = True
            again.append(batch[n])
        log.info(
            "odoo %s.load: %d row(s) rejected, %d submitted again",
            model,
            len(bad),
            len(again),
            extra={"action": "odoo_load_rows_rejected", "system": "odoo"},
        )
        return [again] if again else []


def _row_of(message: Mapping[str, Any], size: int) -> int | None:
    record = message.get("record")
    if isinstance(record, int) and not isinstance(record, bool) and 0 <= record < size:
        return record
    rows = message.get("rows")
    if isinstance(rows, Mapping):
        start = rows.get("from")
        if isinstance(start, int) and 0 <= start < size:
            return start
    return None


def _by_row(messages: list[Mapping[str, Any]], size: int) -> dict[int, list[Mapping[str, Any]]]:
    found: dict[int, list[Mapping[str, Any]]] = {}
    for m in messages:
        n = _row_of(m, size)
        if n is not None:
            found.setdefault(n, []).append(m)
    return found


def _classify(model: str, messages: list[Mapping[str, Any]]) -> errors.ConnectorError:
    """The hub error for a row's ``load`` messages (the importer gives no exception class)."""
    text = "; ".join(str(m.get("message", "")).strip() for m in messages) or "rejected"
    first = messages[0]
    details: dict[str, Any] = {
        "system": "odoo",
        "operation": f"{model}.load",
        "remote_type": "odoo.load",
        "field": first.get("field") if isinstance(first.get("field"), str) else None,
    }
    lowered = text.lower()
    if "no matching record found" in lowered or "record does not exist" in lowered:
        return errors.NotFoundError(text, **details)
    if "not allowed to" in lowered or "access error" in lowered:
        return errors.AuthError(text, **details)
    if "could not serialize" in lowered or "unknown database error" in lowered:
        return errors.UnavailableError(text, **details)
    return errors.RejectedError(text, **details)


def _failed(p: _Pending, exc: errors.ConnectorError) -> RowResult:
    return RowResult(p.row.key or p.row.xmlid, p.row.xmlid, None, exc)


def _rekey(result: RowResult, key: str) -> RowResult:
    return RowResult(key, result.xmlid, result.odoo_id, result.error, result.warnings)
