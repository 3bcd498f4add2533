"""The environment of one call: user, context, superuser flag, companies, clock.

``Env`` mirrors ``odoo.api.Environment`` as far as the emulator needs: ``env[model]`` gives a
model bound to the environment, ``env.company``/``env.companies`` follow the context key
``allowed_company_ids`` (every id must be one of the user's companies, else AccessError
"Access to unauthorized or invalid companies."), ``sudo()`` skips access rights and rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lead2cash.emulators.odoo import errors

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.database import Database
    from lead2cash.emulators.odoo.orm.registry import Server
    from lead2cash.emulators.odoo.versions import VersionSpec

SUPERUSER_ID = 1


class Env:
    """User + context + superuser flag over one :class:`Server`."""

    def __init__(
        self,
        server: Server,
        uid: int,
        context: Mapping[str, Any] | None = None,
        *,
        su: bool = False,
    ) -> None:
        self.server = server
        self.uid = uid
        self.context: dict[str, Any] = dict(context or {})
        self.su = su or uid == SUPERUSER_ID
        self._companies: list[int] | None = None

    # -- models ------------------------------------------------------------------------------

    def __getitem__(self, model: str) -> Any:
        return self.server.models[model](self)

    def __contains__(self, model: object) -> bool:
        return model in self.server.models

    @property
    def spec(self) -> VersionSpec:
        return self.server.spec

    @property
    def db(self) -> Database:
        return self.server.db

    # -- variants ----------------------------------------------------------------------------

    def sudo(self) -> Env:
        env = Env(self.server, self.uid, self.context, su=True)
        env._companies = self._companies
        return env

    def with_context(self, values: Mapping[str, Any] | None = None, **extra: Any) -> Env:
        context = {**self.context, **(values or {}), **extra}
        return Env(self.server, self.uid, context, su=self.su)

    def with_user(self, uid: int) -> Env:
        return Env(self.server, uid, self.context, su=False)

    # -- user and companies ------------------------------------------------------------------

    @property
    def user(self) -> dict[str, Any]:
        return dict(self.server.db.table("res.users")[self.uid])

    def user_company_ids(self, uid: int | None = None) -> list[int]:
        row = self.server.db.table("res.users")[uid or self.uid]
        ids = list(row.get("company_ids") or ())
        default = row.get("company_id")
        if default and default not in ids:
            ids.insert(0, default)
        return ids

    @property
    def company_ids(self) -> list[int]:
        """``env.companies.ids``: the allowed companies from the context, else all the user's."""
        if self._companies is None:
            wanted = self.context.get("allowed_company_ids") or []
            user_companies = self.user_company_ids()
            if wanted:
                if not isinstance(wanted, list | tuple) or not all(
                    isinstance(c, int) and not isinstance(c, bool) for c in wanted
                ):
                    raise errors.AccessError("Access to unauthorized or invalid companies.")
                if not self.su and set(wanted) - set(user_companies):
                    raise errors.AccessError("Access to unauthorized or invalid companies.")
                self._companies = list(wanted)
            else:
                self._companies = user_companies
        return self._companies

    @property
    def company_id(self) -> int:
        """``env.company.id``: the first allowed company, else the user's default company."""
        wanted = self.context.get("allowed_company_ids") or []
        if wanted:
            return self.company_ids[0]
        return int(self.server.db.table("res.users")[self.uid]["company_id"])

    def has_group(self, xmlid: str, uid: int | None = None) -> bool:
        return self.server.access.user_has_group(self, uid or self.uid, xmlid)

    # -- helpers -----------------------------------------------------------------------------

    def ref(self, xmlid: str) -> int:
        """The database id of an external id (KeyError if unknown)."""
        found = self.server.xmlid_lookup(xmlid)
        if found is None:
            raise KeyError(xmlid)
        return found[1]

    def display_name(self, model: str, record_id: int) -> str:
        names: dict[int, str] = self.sudo()[model]._display_names([record_id])
        return names.get(record_id, "")

    @property
    def now(self) -> dt.datetime:
        """The transaction's timestamp (naive UTC), as ``fields.Datetime.now()``."""
        return self.server.clock.now()

    def now_text(self) -> str:
        return self.now.strftime("%Y-%m-%d %H:%M:%S")

    def today_text(self) -> str:
        return self.now.date().isoformat()
