"""From bytes to records: encoding (byte-order marks first), delimiter, header, line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lead2cash.connectors.csvfile.profiles import DELIMITERS, CsvProfile

Source = str | os.PathLike[str] | bytes | IO[bytes] | IO[str]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_LINES = 20


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, no header)."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True)
class Record:
    line: int
    cells: list[str]


def read_source(source: Source) -> tuple[str | bytes, str]:
    """The file's content (bytes, or text for text streams) and a name for messages."""
    if isinstance(source, bytes):
        return source, "<bytes>"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise FileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    content = source.read()
    return content, str(getattr(source, "name", "<stream>"))


def decode(data: str | bytes, profile: CsvProfile) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise FileError(
                    f"the file starts with a {encoding} mark but is not {encoding}"
                ) from exc
    tried = (profile.encoding, *profile.fallback_encodings)
    for encoding in tried:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
        except LookupError as exc:
            raise FileError(f"unknown encoding {encoding!r} in profile {profile.name!r}") from exc
    raise FileError(f"the file is not text in {' or '.join(tried)}")


def sniff_delimiter(text: str, skip_lines: int) -> str:
    """The candidate delimiter that splits the first lines most consistently into the most
    columns (ties go to the earlier candidate: comma first)."""
    lines = [ln for ln in text.splitlines()[skip_lines:] if ln.strip()][:SNIFF_LINES]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    sample = "\n".join(lines)
    for candidate in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        score = (sum(1 for r in rows if len(r) == width), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def records(text: str, delimiter: str, skip_lines: int) -> Iterator[Record]:
    """Non-blank records with the physical line each starts on (1-based)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    consumed = 0
    try:
        for cells in reader:
            line = consumed + 1
            consumed = reader.line_num
            if line <= skip_lines or not any(c.strip() for c in cells):
                continue
            yield Record(line, cells)
    except csv.Error as exc:
        raise FileError(f"the file is not well-formed CSV: {exc}", consumed + 1) from exc
