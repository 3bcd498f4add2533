"""CSV imports into the durable store: good rows into the inbox (one job each), bad rows into
the exception queue with their raw cells, line and reasons. Nothing is silently dropped.

With ``all_or_nothing`` a file with any bad row is refused whole: nothing is stored and the
report lists every problem. Otherwise good rows are stored and bad rows are held as exceptions
(class ``validation``) that a person fixes and replays. Re-importing the same file stores
nothing twice: good rows dedup on their row id, bad rows on the file's digest and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors import csvfile
from lead2cash.connectors.csvfile.reader import decode, read_source, records, sniff_delimiter
from lead2cash.store.facade import Store
from lead2cash.store.jobs import NewJob

ImportKind = Literal["timesheets", "expenses"]


@dataclass
class ImportReport:
    kind: str
    profile: str
    total_rows: int
    stored: int = 0
    duplicates: int = 0
    held: int = 0
    refused: bool = False
    errors: list[csvfile.RowError] = field(default_factory=list)


def _raw_rows(path: Path, profile: csvfile.CsvProfile) -> dict[int, dict[str, str]]:
    """The file's cells by physical line, header → cell (for the exception payloads)."""
    data, _ = read_source(path)
    text = decode(data, profile)
    delimiter = profile.delimiter or sniff_delimiter(text, profile.skip_lines)
    found = list(records(text, delimiter, profile.skip_lines))
    if not found:
        return {}
    header = found[0].cells
    return {r.line: dict(zip(header, r.cells, strict=False)) for r in found[1:]}


def import_file(
    store: Store,
    kind: ImportKind,
    path: Path,
    profile_name: str,
    *,
    all_or_nothing: bool = False,
    default_currency: str | None = None,
    assume_approved: bool | None = None,
) -> ImportReport:
    profile = csvfile.get_profile(kind, profile_name)
    parse = csvfile.parse_timesheets if kind == "timesheets" else csvfile.parse_expenses
    result = parse(
        path,
        profile,
        all_or_nothing=all_or_nothing,
        default_currency=default_currency,
        assume_approved=assume_approved,
    )
    report = ImportReport(kind, profile.name, result.total_rows, errors=list(result.errors))
    if all_or_nothing and result.errors:
        report.refused = True
        return report
    job_kind = f"csv.{kind}.import"
    for row in result.rows:
        received = store.inbox.receive(
            "csv",
            f"{kind}:{row.source}:{row.external_id}",
            row.model_dump(mode="json"),
            job_kind=job_kind,
            job_key=f"csv:{kind}:{row.source}:{row.external_id}",
        )
        report.duplicates += received.duplicate
        report.stored += not received.duplicate
    if result.errors:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        raw = _raw_rows(path, profile)
        by_line: dict[int, list[csvfile.RowError]] = {}
        for error in result.errors:
            by_line.setdefault(error.line, []).append(error)
        for line, row_errors in sorted(by_line.items()):
            payload: dict[str, Any] = {
                "file": path.name,
                "profile": profile.name,
                "line": line,
                "raw": raw.get(line, {}),
                "errors": [e.model_dump(mode="json") for e in row_errors],
            }
            held = store.jobs.hold(
                NewJob(job_kind, f"csv:{kind}:{digest}:line{line}", payload),
                error_class=errors.FailureClass.VALIDATION.value,
                message="; ".join(str(e) for e in row_errors)[:2000],
                detail={"file": path.name, "line": line},
                actor="csv-import",
            )
            report.held += held.created
    return report
