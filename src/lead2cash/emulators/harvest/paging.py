"""Harvest's two list paging styles, as the emulator serves them (reference §3.1).

*Offset* paging (``time_entries``, ``expenses`` and the project-scoped assignment lists in the
OpenAPI file): ``page`` and ``per_page`` pick the slice, and ``links`` hold ``page=N`` URLs.

*Cursor* paging (the lists whose OpenAPI parameters include ``cursor``: users, clients,
projects, tasks, expense categories, task and user assignments): ``links.next`` carries an
opaque ``cursor`` (base64 of ``{"after": {...}}``) and ``ref=next_cursor``; ``page``,
``next_page`` and ``previous_page`` are null except on the first and the last page, as
Harvest's pagination page says. The cursor holds the sort key of the last item served, so it
stays valid when that item changes or disappears.

Items arrive already filtered and sorted (newest first); each has a sort key of JSON scalars.
``per_page`` must be 1..2000 (else 422).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

PagingMode = Literal["page", "cursor"]
MAX_PER_PAGE = 2000
_RESERVED = {"page", "per_page", "cursor", "ref", "access_token", "account_id"}

SortKey = tuple[Any, ...]


class PagingError(ValueError):
    """A paging parameter Harvest would answer 422 to."""


@dataclass(frozen=True)
class Sorted:
    """One list item with its sort key (descending order)."""

    key: SortKey
    item: dict[str, Any]


def encode_cursor(direction: Literal["after", "before"], key: SortKey) -> str:
    raw = json.dumps({direction: {"key": list(key)}}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[str, SortKey]:
    try:
        padded = text + "=" * (-len(text) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        ((direction, body),) = data.items()
        key = tuple(body["key"])
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PagingError("cursor is invalid") from exc
    if direction not in ("after", "before"):
        raise PagingError("cursor is invalid")
    return direction, key


def _int_param(query: Mapping[str, str], name: str, default: int) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise PagingError(f"{name} must be an integer") from exc


def paginate(
    *,
    key: str,
    items: Sequence[Sorted],
    query: Mapping[str, str],
    base_url: str,
    mode: PagingMode,
) -> dict[str, Any]:
    """The list envelope Harvest sends for ``items`` under ``query``."""
    per_page = _int_param(query, "per_page", MAX_PER_PAGE)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise PagingError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    total = len(items)
    total_pages = max(1, math.ceil(total / per_page))
    filters = [(k, v) for k, v in query.items() if k not in _RESERVED]

    def link(extra: list[tuple[str, str]], ref: str | None = None) -> str:
        params = [*extra, ("per_page", str(per_page)), *filters]
        if ref is not None:
            params.append(("ref", ref))
        return f"{base_url}?{urlencode(params)}"

    cursor = query.get("cursor") or None
    if mode == "cursor" and cursor is not None:
        direction, anchor = decode_cursor(cursor)
        try:
            if direction == "after":
                start = next((i for i, s in enumerate(items) if s.key < anchor), total)
            else:
                before = [i for i, s in enumerate(items) if s.key > anchor]
                start = max(0, (before[-1] + 1 if before else 0) - per_page)
        except TypeError as exc:
            raise PagingError("cursor is invalid") from exc
    else:
        page_no = _int_param(query, "page", 1)
        if page_no < 1:
            raise PagingError("page must be 1 or more")
        start = (page_no - 1) * per_page
    chunk = list(items[start : start + per_page])
    has_next = start + per_page < total
    has_previous = start > 0 and total > 0

    if mode == "page" or cursor is None:
        current: int | None = start // per_page + 1
    else:
        current = None
    if mode == "page":
        page: int | None = current
        next_page = page + 1 if page is not None and has_next else None
        previous_page = page - 1 if page is not None and page > 1 else None
        next_link = link([("page", str(page + 1))]) if next_page and page else None
        previous_link = link([("page", str(page - 1))]) if previous_page and page else None
        first = link([("page", "1")])
        last = link([("page", str(total_pages))])
    else:
        is_first = start == 0
        is_last = not has_next
        if current is not None:
            page = current
        elif is_first:
            page = 1
        elif is_last:
            page = total_pages
        else:
            page = None
        next_page = page + 1 if page is not None and has_next else None
        previous_page = page - 1 if page is not None and page > 1 else None
        next_link = (
            link([("cursor", encode_cursor("after", chunk[-1].key))], "next_cursor")
            if has_next and chunk
            else None
        )
        previous_link = (
            link([("cursor", encode_cursor("before", chunk[0].key))], "previous_cursor")
            if has_previous and chunk
            else None
        )
        first = link([("page", "1")], "first")
        last = link([("page", str(total_pages))], "last")
    return {
        key: [s.item for s in chunk],
        "per_page": per_page,
        "total_pages": total_pages,
        "total_entries": total,
        "next_page": next_page,
        "previous_page": previous_page,
        "page": page,
        "links": {"first": first, "next": next_link, "previous": previous_link, "last": last},
    }
