"""Reading from Odoo: paged ``search_read``, and configuration records found by external id or
by name, through a cache of reference data.

Paging is by id ranges by default (``id > last`` ordered by id, a keyset: records created while
paging are neither skipped nor repeated), or by offset for an arbitrary order.

Configuration names Odoo records by external id or name, never by database id (DESIGN.md), so a
configuration promotes from one database to the next. External ids resolve two ways:

- ``ir.model.data`` ``search_read``, one call for many ids, when the user may read it (only
  ``base.group_erp_manager`` may, 17-19);
- otherwise ``ir.model.data.check_object_reference(module, name)``, one call per id, which any
  user may call (it looks the id up in SQL and then checks that the user can see the record).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.odoo.client import Domain, OdooClient


class OdooReader:
    """Paged reads over one client."""

    def __init__(self, client: OdooClient, *, page_size: int = 500) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self.client = client
        self.page_size = page_size

    def pages(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        by: Literal["id", "offset"] = "id",
        order: str = "id",
        page_size: int | None = None,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of records matching ``domain`` until there are no more.

        ``by="id"`` pages by id ranges (``order`` is then always ``id``); ``by="offset"`` uses
        offset and ``order`` (stable only if nothing changes meanwhile).
        """
        size = page_size or self.page_size
        wanted = list(fields) if "id" in fields else ["id", *fields]
        last_id = 0
        offset = 0
        while True:
            if by == "id":
                page = self.client.search_read(
                    model,
                    [*domain, ("id", ">", last_id)],
                    wanted,
                    limit=size,
                    order="id asc",
                    context=context,
                    company_ids=company_ids,
                )
            else:
                page = self.client.search_read(
                    model,
                    list(domain),
                    wanted,
                    offset=offset,
                    limit=size,
                    order=order,
                    context=context,
                    company_ids=company_ids,
                )
            if page:
                yield page
            if len(page) < size:
                return
            last_id = max(int(r["id"]) for r in page)
            offset += len(page)

    def records(
        self, model: str, domain: Domain, fields: Sequence[str], **options: Any
    ) -> Iterator[dict[str, Any]]:
        """Every record of :meth:`pages`, one at a time."""
        for page in self.pages(model, domain, fields, **options):
            yield from page


class ReferenceCache:
    """Configuration records (journals, products, companies, employees ...) by external id or
    name, cached for ``ttl`` seconds (``None``: for the life of the cache)."""

    def __init__(
        self,
        client: OdooClient,
        *,
        ttl: float | None = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[tuple[str, str, str], tuple[float, int]] = {}
        #: Whether ``ir.model.data`` is readable by the user (``None``: not tried yet).
        self.imd_readable: bool | None = None

    def clear(self) -> None:
        self._cache.clear()

    def _get(self, key: tuple[str, str, str]) -> int | None:
        hit = self._cache.get(key)
        if hit is None:
            return None
        at, value = hit
        if self.ttl is not None and self._clock() - at > self.ttl:
            del self._cache[key]
            return None
        return value

    def _put(self, key: tuple[str, str, str], value: int) -> None:
        self._cache[key] = (self._clock(), value)

    # -- external ids ------------------------------------------------------------------------

    def by_xmlid(self, xmlid: str, model: str | None = None) -> int:
        """The database id of ``module.name`` (``errors.NotFoundError`` if there is none)."""
        return self.by_xmlids([xmlid], model)[xmlid]

    def by_xmlids(self, xmlids: Sequence[str], model: str | None = None) -> dict[str, int]:
        """Database ids of several external ids (one call when ``ir.model.data`` is readable)."""
        for x in xmlids:
            if "." not in x:
                raise ValueError(f"{x!r} is not a module.name external id")
        found: dict[str, int] = {}
        todo: list[str] = []
        for x in dict.fromkeys(xmlids):
            cached = self._get(("xmlid", model or "", x))
            if cached is None:
                todo.append(x)
            else:
                found[x] = cached
        if todo and self.imd_readable is not False:
            resolved = self._via_imd(todo, model)
            if resolved is not None:
                found.update(resolved)
                todo = []
        for x in todo:
            found[x] = self._via_check_object_reference(x, model)
        for x, res_id in found.items():
            self._put(("xmlid", model or "", x), res_id)
        missing = [x for x in xmlids if x not in found]
        if missing:
            raise errors.NotFoundError(
                f"external id(s) not found in Odoo: {', '.join(missing)}",
                system="odoo",
                operation="ir.model.data",
                reference=missing[0],
            )
        return found

    def _via_imd(self, xmlids: list[str], model: str | None) -> dict[str, int] | None:
        by_module: dict[str, list[str]] = {}
        for x in xmlids:
            module, name = x.split(".", 1)
            by_module.setdefault(module, []).append(name)
        domain: list[Any] = ["|"] * (len(by_module) - 1)
        for module, names in by_module.items():
            domain += ["&", ("module", "=", module), ("name", "in", names)]
        try:
            rows = self.client.search_read(
                "ir.model.data", domain, ["module", "name", "model", "res_id"]
            )
        except errors.AuthError:
            self.imd_readable = False
            return None
        self.imd_readable = True
        result: dict[str, int] = {}
        by_model: dict[str, dict[str, int]] = {}
        for r in rows:
            x = f"{r['module']}.{r['name']}"
            _check_model(x, str(r["model"]), model)
            by_model.setdefault(str(r["model"]), {})[x] = int(r["res_id"])
        for target, ids in by_model.items():
            # ir.model.data may outlive its record: keep only ids that still exist.
            alive = set(
                self.client.search(
                    target, [("id", "in", list(ids.values()))], context={"active_test": False}
                )
            )
            result.update({x: i for x, i in ids.items() if i in alive})
        return result

    def _via_check_object_reference(self, xmlid: str, model: str | None) -> int:
        module, name = xmlid.split(".", 1)
        try:
            target, res_id = self.client.execute_kw(
                "ir.model.data", "check_object_reference", [module, name]
            )
        except errors.RejectedError as exc:
            # Odoo raises a plain ValueError ("External ID not found in the system").
            if "not found" in exc.message.lower():
                raise errors.NotFoundError(
                    f"external id {xmlid} not found in Odoo",
                    system="odoo",
                    operation="ir.model.data.check_object_reference",
                    reference=xmlid,
                    remote_type=exc.details.get("remote_type"),
                ) from exc
            raise
        _check_model(xmlid, str(target), model)
        if not res_id:
            raise errors.AuthError(
                f"external id {xmlid} names a {target} record the integration user cannot see",
                system="odoo",
                operation="ir.model.data.check_object_reference",
            )
        return int(res_id)

    # -- names -------------------------------------------------------------------------------

    def by_name(
        self,
        model: str,
        name: str,
        domain: Domain = (),
        *,
        company_ids: Sequence[int] | None = None,
    ) -> int:
        """The one record of ``model`` whose name is exactly ``name`` (within ``domain``).

        ``errors.NotFoundError`` if there is none, ``errors.ConfigError`` if several match.
        """
        key = ("name", model, f"{name}\x00{domain!r}\x00{company_ids!r}")
        cached = self._get(key)
        if cached is not None:
            return cached
        try:
            rows = self.client.search_read(
                model, [("name", "=", name), *domain], ["id"], limit=2, company_ids=company_ids
            )
            ids = [int(r["id"]) for r in rows]
        except errors.RejectedError:
            # A model without a ``name`` field: its display name via name_search.
            pairs = self.client.name_search(
                model, name, domain, operator="=", limit=2, company_ids=company_ids
            )
            ids = [i for i, _ in pairs]
        if not ids:
            raise errors.NotFoundError(
                f"no {model} named {name!r} in Odoo",
                system="odoo",
                operation=f"{model}.search_read",
                reference=f"{model}:{name}",
            )
        if len(ids) > 1:
            raise errors.ConfigError(
                f"several {model} records are named {name!r}; use an external id",
                model=model,
            )
        self._put(key, ids[0])
        return ids[0]


def _check_model(xmlid: str, actual: str, expected: str | None) -> None:
    if expected is not None and actual != expected:
        raise errors.ConfigError(f"external id {xmlid} names a {actual} record, not a {expected}")
