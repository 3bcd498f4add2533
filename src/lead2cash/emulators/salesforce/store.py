"""The emulated org's records: create, update, delete, upsert, with Salesforce's derived fields.

Rows are dicts keyed by canonical field names (values as in ``values.py``). Every write moves
``LastModifiedDate`` and ``SystemModstamp`` to the clock's now; a change to an opportunity's line
items rolls ``Amount`` and ``HasOpportunityLineItem`` up to the opportunity and moves its stamps
too. ``StageName`` drives ``IsClosed``, ``IsWon``, ``ForecastCategory(Name)`` and the default
``Probability`` from the org's stages (the ``OpportunityStage`` records).

Deleting moves a record to the recycle bin: ``IsDeleted = true``, visible to ``queryAll`` and
``/deleted`` until purged (``purge``; Salesforce purges after about 15 days). Deleting an account
deletes its contacts and opportunities; deleting an opportunity its line items and contact roles.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from lead2cash.emulators.salesforce.derived import (
    DEFAULT_STAGES,
    Stage,
    derive,
    derive_opportunity,
)
from lead2cash.emulators.salesforce.ids import make_id, to18
from lead2cash.emulators.salesforce.schema import CASCADE, CURRENCY_OBJECTS, ObjectDef, Schema
from lead2cash.emulators.salesforce.values import (
    ApiError,
    MultipleChoices,
    no_such_column,
    to_python,
)

Row = dict[str, Any]

#: Time of the last physical deletion before any purge (the org's creation, as far as /deleted
#: can tell).
ORG_CREATED = datetime(2020, 1, 1, tzinfo=UTC)

INTEGRATION_USERNAME = "integration@lead2cash.example"


_DEFAULT_TRUE = {("User", "IsActive"), ("Pricebook2", "IsActive"), ("PricebookEntry", "IsActive")}
_DEFAULT_TRUE |= {("Product2", "IsActive")}


class OrgData:
    """All records of the org, by type, in creation order."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.schema = Schema()
        self.tables: dict[str, dict[str, Row]] = {}
        self.counters: dict[str, int] = {}
        #: (type, id, deletedDate) of records in the recycle bin.
        self.deleted_log: list[tuple[str, str, datetime]] = []
        self.purged_until = ORG_CREATED
        self.integration_user_id = self.create(
            "User",
            {
                "Username": INTEGRATION_USERNAME,
                "FirstName": "Integration",
                "LastName": "User",
                "Email": INTEGRATION_USERNAME,
            },
            user_id=None,
            system=True,
        )["Id"]
        self.create("Pricebook2", {"Name": "Standard Price Book", "IsStandard": True}, system=True)
        self.replace_stages(DEFAULT_STAGES)

    # -- snapshots (all-or-nothing seeding) -------------------------------------------------

    def snapshot(self) -> tuple[Any, ...]:
        return copy.deepcopy(
            (self.schema, self.tables, self.counters, self.deleted_log, self.purged_until)
        )

    def restore(self, snap: tuple[Any, ...]) -> None:
        self.schema, self.tables, self.counters, self.deleted_log, self.purged_until = snap

    # -- lookups ----------------------------------------------------------------------------

    def object(self, sobject: str, *, status: int = 404) -> ObjectDef:
        obj = self.schema.get(sobject)
        if obj is None:
            if status == 404:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            raise ApiError(status, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
        return obj

    def table(self, obj: ObjectDef) -> dict[str, Row]:
        return self.tables.setdefault(obj.name.lower(), {})

    def find(self, record_id: str | None) -> tuple[ObjectDef, Row] | None:
        """The record with this id (15 or 18 characters), deleted or not."""
        canonical = to18(record_id or "")
        if canonical is None:
            return None
        obj = self.schema.by_prefix(canonical[:3])
        if obj is None:
            return None
        row = self.table(obj).get(canonical)
        return None if row is None else (obj, row)

    def live(self, record_id: str | None) -> Row | None:
        found = self.find(record_id)
        return None if found is None or found[1]["IsDeleted"] else found[1]

    def rows(self, obj: ObjectDef, *, include_deleted: bool = False) -> list[Row]:
        table = self.table(obj)
        return [r for r in table.values() if include_deleted or not r["IsDeleted"]]

    def children(self, child: str, field: str, parent_id: str) -> list[Row]:
        obj = self.object(child)
        return [r for r in self.rows(obj) if r.get(field) == parent_id]

    def stage(self, name: str | None) -> Row | None:
        if name is None:
            return None
        for row in self.rows(self.object("OpportunityStage")):
            if row["ApiName"].casefold() == name.casefold() and row["IsActive"]:
                return row
        return None

    def user_by_username(self, username: str) -> Row | None:
        for row in self.rows(self.object("User")):
            if row["Username"].casefold() == username.casefold():
                return row
        return None

    # -- writes -----------------------------------------------------------------------------

    def enable_multi_currency(self, corporate: str) -> None:
        """Turn multi-currency on: ``CurrencyIsoCode`` on the currency types, existing records
        in the corporate currency (line items in their opportunity's)."""
        self.schema.enable_multi_currency(corporate)
        for name in CURRENCY_OBJECTS:
            for row in self.table(self.object(name)).values():
                row.setdefault("CurrencyIsoCode", None)
                self._default_currency(name, row)

    def _default_currency(self, sobject: str, row: Row) -> None:
        corporate = self.schema.corporate_currency
        if corporate is None or "CurrencyIsoCode" not in row:
            return
        if sobject == "OpportunityLineItem":
            parent = self.find(row.get("OpportunityId"))
            row["CurrencyIsoCode"] = (parent[1].get("CurrencyIsoCode") if parent else None) or (
                corporate
            )
        elif row["CurrencyIsoCode"] is None:
            row["CurrencyIsoCode"] = corporate

    def replace_stages(self, stages: Iterable[Stage]) -> None:
        obj = self.object("OpportunityStage")
        self.table(obj).clear()
        for i, stage in enumerate(stages, start=1):
            self.create("OpportunityStage", stage.row(i), system=True)

    def _new_id(self, obj: ObjectDef) -> str:
        count = self.counters.get(obj.key_prefix, 0) + 1
        self.counters[obj.key_prefix] = count
        return make_id(obj.key_prefix, count)

    def _convert(
        self, obj: ObjectDef, values: Mapping[str, Any], *, creating: bool, system: bool
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, raw in values.items():
            if name == "attributes":
                continue
            f = obj.get(name)
            if f is None:
                raise no_such_column(obj.name, name)
            allowed = f.createable if creating else f.updateable
            if not system and (not allowed or f.name == "Id"):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile "
                    "or permission set.",
                    [f.name],
                )
            out[f.name] = to_python(f, raw)
        return out

    def _validate(
        self, obj: ObjectDef, row: Row, changed: Mapping[str, Any], *, creating: bool
    ) -> None:
        missing = [
            f.name
            for f in obj.fields.values()
            if f.required and row.get(f.name) is None and (creating or f.name in changed)
        ]
        if missing:
            raise ApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        for name, value in changed.items():
            f = obj.get(name)
            assert f is not None
            if f.type == "reference" and value is not None and f.name != "Id":
                target = self.find(value)
                if (
                    target is None
                    or target[1]["IsDeleted"]
                    or (f.reference_to and target[0].name not in f.reference_to)
                ):
                    raise ApiError(
                        400,
                        "INVALID_CROSS_REFERENCE_KEY",
                        f"{f.name}: invalid cross reference id",
                        [f.name],
                    )
            if f.unique and value is not None:
                for other in self.rows(obj):
                    same = other.get(f.name)
                    if (
                        other["Id"] != row["Id"]
                        and same is not None
                        and _fold(same) == _fold(value)
                    ):
                        raise ApiError(
                            400,
                            "DUPLICATE_VALUE",
                            f"duplicate value found: {f.name} duplicates value on record with "
                            f"id: {other['Id']}",
                            [f.name],
                        )
        if obj.name == "Opportunity" and "StageName" in changed:
            stage = self.stage(row.get("StageName"))
            if stage is None:
                raise ApiError(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"Stage: bad value for restricted picklist field: {row.get('StageName')}",
                    ["StageName"],
                )
            row["StageName"] = stage["ApiName"]

    def create(
        self,
        sobject: str,
        values: Mapping[str, Any],
        *,
        user_id: str | None = None,
        system: bool = False,
    ) -> Row:
        """Insert a record (``system``: seeding, may set read-only fields and the Id)."""
        obj = self.object(sobject)
        if not obj.createable and not system:
            raise ApiError(
                400,
                "INVALID_TYPE_FOR_OPERATION",
                f"entity type {obj.name} does not support insert",
            )
        changed = self._convert(obj, values, creating=True, system=system)
        now = self.now()
        user = user_id or getattr(self, "integration_user_id", None)
        row: Row = {f.name: None for f in obj.fields.values()}
        for f in obj.fields.values():
            if f.type == "boolean":
                row[f.name] = (obj.name, f.name) in _DEFAULT_TRUE
        requested_id = changed.pop("Id", None)
        if requested_id is not None and (
            requested_id[:3] != obj.key_prefix or requested_id in self.table(obj)
        ):
            raise ApiError(400, "MALFORMED_ID", f"Id {requested_id} cannot be used for {obj.name}")
        row.update(
            Id=requested_id or self._new_id(obj),
            IsDeleted=False,
            CreatedDate=now,
            CreatedById=user,
            LastModifiedDate=now,
            LastModifiedById=user,
            SystemModstamp=now,
        )
        if "OwnerId" in row:
            row["OwnerId"] = user
        row.update(changed)
        self._default_currency(obj.name, row)
        if system:
            given = [changed.get(k) for k in ("SystemModstamp", "LastModifiedDate", "CreatedDate")]
            stamp = next((g for g in given if g is not None), None)
            for key in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
                if stamp is not None and key not in changed:
                    row[key] = stamp
        self._validate(obj, row, changed, creating=True)
        derive(self, obj, row, changed, creating=True)
        self.table(obj)[row["Id"]] = row
        self._after_change(obj, row, user, system=system)
        return row

    def update(
        self,
        sobject: str,
        record_id: str,
        values: Mapping[str, Any],
        *,
        user_id: str | None = None,
        system: bool = False,
        system_only: bool = False,
    ) -> Row:
        """Update a record; the stamps move even when no value changes (as in Salesforce)."""
        obj = self.object(sobject)
        row = self.existing(obj, record_id)
        changed = self._convert(obj, values, creating=False, system=system)
        changed.pop("Id", None)
        merged = {**row, **changed}
        self._validate(obj, merged, changed, creating=False)
        derive(self, obj, merged, changed, creating=False)
        now = self.now()
        if not system_only:
            if "LastModifiedDate" not in changed:
                merged["LastModifiedDate"] = now
            merged["LastModifiedById"] = user_id or self.integration_user_id
        if "SystemModstamp" not in changed:
            merged["SystemModstamp"] = now
        row.clear()
        row.update(merged)
        self._after_change(obj, row, user_id, system=system)
        return row

    def existing(self, obj: ObjectDef, record_id: str) -> Row:
        found = self.find(record_id)
        if found is None or found[0] is not obj:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if found[1]["IsDeleted"]:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return found[1]

    def delete(self, sobject: str, record_id: str, *, user_id: str | None = None) -> None:
        obj = self.object(sobject)
        row = self.existing(obj, record_id)
        if obj.name in ("User", "OpportunityStage"):
            raise ApiError(
                400, "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support delete"
            )
        for child, field in CASCADE.get(obj.name, []):
            for child_row in self.children(child, field, row["Id"]):
                self.delete(child, child_row["Id"], user_id=user_id)
        now = self.now()
        row.update(
            IsDeleted=True,
            SystemModstamp=now,
            LastModifiedDate=now,
            LastModifiedById=user_id or self.integration_user_id,
        )
        self.deleted_log.append((obj.name, row["Id"], now))
        self._after_change(obj, row, user_id)

    def matches(self, obj: ObjectDef, field: str, value: str) -> list[Row]:
        f = obj.get(field)
        if f is None or not (f.external_id or f.name == "Id"):
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field}",
            )
        wanted = to_python(f, value)
        if f.name == "Id":
            row = self.live(wanted)
            return [] if row is None or row["Id"][:3] != obj.key_prefix else [row]
        return [
            r
            for r in self.rows(obj)
            if r.get(f.name) is not None and _fold(r[f.name]) == _fold(wanted)
        ]

    def upsert(
        self,
        sobject: str,
        field: str,
        value: str,
        values: Mapping[str, Any],
        *,
        user_id: str | None = None,
        version: str = "62.0",
    ) -> tuple[Row, bool]:
        """Insert or update by external id: ``(row, created)``; several matches → 300."""
        obj = self.object(sobject)
        found = self.matches(obj, field, value)
        f = obj.get(field)
        assert f is not None
        body = dict(values)
        for key in list(body):
            if key.lower() == "id" and f.name != "Id":
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    "Id is not allowed in the body of an upsert by external id",
                    ["Id"],
                )
            if key.lower() == f.name.lower() and _fold(to_python(f, body[key])) != _fold(
                to_python(f, value)
            ):
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"The value of {f.name} in the body differs from the one in the URL",
                    [f.name],
                )
        if len(found) > 1:
            raise MultipleChoices(
                [f"/services/data/v{version}/sobjects/{obj.name}/{r['Id']}" for r in found]
            )
        if found:
            body.pop(f.name, None)
            return self.update(obj.name, found[0]["Id"], body, user_id=user_id), False
        if f.name == "Id":
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        body[f.name] = value
        return self.create(obj.name, body, user_id=user_id), True

    def purge(self, before: datetime) -> int:
        """Empty the recycle bin of records deleted before ``before``; returns how many."""
        keep: list[tuple[str, str, datetime]] = []
        purged = 0
        for sobject, record_id, when in self.deleted_log:
            if when < before:
                obj = self.object(sobject)
                self.table(obj).pop(record_id, None)
                self.purged_until = max(self.purged_until, when)
                purged += 1
            else:
                keep.append((sobject, record_id, when))
        self.deleted_log = keep
        return purged

    def _after_change(
        self, obj: ObjectDef, row: Row, user_id: str | None, *, system: bool = False
    ) -> None:
        """Roll line-item changes up to the opportunity (moving its stamps when it changed,
        unless this is a seeding write)."""
        if obj.name != "OpportunityLineItem":
            return
        parent = self.find(row.get("OpportunityId"))
        if parent is None or parent[1]["IsDeleted"]:
            return
        opp = parent[1]
        before = (opp["Amount"], opp["HasOpportunityLineItem"])
        derive_opportunity(self, opp, {})
        if (opp["Amount"], opp["HasOpportunityLineItem"]) != before and not system:
            now = self.now()
            opp.update(
                LastModifiedDate=now,
                SystemModstamp=now,
                LastModifiedById=user_id or self.integration_user_id,
            )


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value
