"""The emulated portal's in-memory state: records, properties, associations, pipelines, limits,
clock, faults and the call log. One :class:`HubSpotState` per app (``app.state.emulator``).

Every public method takes the state's lock, so tests may change records from their own thread
while the server answers (a change "between pages" of a running sync, say).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from lead2cash.emulators.clock import EmulatorClock
from lead2cash.emulators.faults import CallLog, FaultPlan
from lead2cash.emulators.hubspot import pipelines as pipes
from lead2cash.emulators.hubspot import search as searching
from lead2cash.emulators.hubspot.clock import iso
from lead2cash.emulators.hubspot.errors import HubSpotError, invalid, not_found, property_errors
from lead2cash.emulators.hubspot.limits import Limits
from lead2cash.emulators.hubspot.model import (
    ASSOCIATION_TYPES,
    INVERSE_TYPE,
    LABELS,
    TYPES,
    PropertyDef,
    Record,
    builtin_properties,
    normalize,
    parse_ms,
)

FIRST_ID = 10_000_001
FIRST_EVENT_ID = 100_001
PRIMARY_TYPES = {5, 1}  # deal→company, contact→company


class HubSpotState:
    """One portal reached with one private-app token; webhooks signed with one app secret."""

    def __init__(self, *, token: str, client_secret: str, webhook_url: str | None = None) -> None:
        self.token = token
        self.client_secret = client_secret
        self._default_webhook_url = webhook_url
        self.clock = EmulatorClock(resolution_ms=1)  # HubSpot stamps to the millisecond
        self.plan = FaultPlan()
        self.log = CallLog()
        self.limits = Limits()
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """An empty portal with the default pipeline, default settings, no faults or calls."""
        with self._lock:
            self.clock.reset()
            self.plan.clear()
            self.log.clear()
            self.limits.reset()
            self.records: dict[str, dict[int, Record]] = {name: {} for name in TYPES}
            self.properties: dict[str, dict[str, PropertyDef]] = builtin_properties()
            self.links: dict[tuple[str, int, str], dict[int, set[int]]] = {}
            now = self.clock.now_ms()
            self.pipelines: dict[str, dict[str, dict[str, Any]]] = {
                "deals": {"default": pipes.default_pipeline(now)}
            }
            self.next_id = FIRST_ID
            self.next_event_id = FIRST_EVENT_ID
            self.portal_id = 12345678
            self.app_id = 987654
            self.subscription_id = 234567
            self.webhook_url = self._default_webhook_url
            self.timezone = "UTC"
            self.search_cap = 10_000
            self.search_max_limit = 200
            self.deliveries: list[dict[str, Any]] = []

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # -- configuration ----------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rate_limit": self.limits.config.as_json(),
                "search": {"result_cap": self.search_cap, "max_limit": self.search_max_limit},
                "portal_id": self.portal_id,
                "app_id": self.app_id,
                "subscription_id": self.subscription_id,
                "webhook_url": self.webhook_url,
                "timezone": self.timezone,
            }

    def configure(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        known = {"rate_limit", "search", "portal_id", "app_id", "subscription_id"}
        unknown = set(changes) - known - {"webhook_url", "timezone"}
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        with self._lock:
            if "rate_limit" in changes:
                self.limits.configure(dict(changes["rate_limit"]))
            search = dict(changes.get("search") or {})
            if "result_cap" in search:
                self.search_cap = int(search.pop("result_cap"))
            if "max_limit" in search:
                self.search_max_limit = int(search.pop("max_limit"))
            if search:
                raise ValueError(f"unknown search settings: {sorted(search)}")
            for name in ("portal_id", "app_id", "subscription_id"):
                if name in changes:
                    setattr(self, name, int(changes[name]))
            if "webhook_url" in changes:
                self.webhook_url = changes["webhook_url"] or None
            if "timezone" in changes:
                ZoneInfo(str(changes["timezone"]))
                self.timezone = str(changes["timezone"])
            return self.config()

    # -- values and rendering ---------------------------------------------------------------

    def defs(self, type_name: str) -> dict[str, PropertyDef]:
        return self.properties[type_name]

    def value(self, record: Record, name: str) -> str | None:
        """A property's text on a record (derived properties included)."""
        info = TYPES[record.type]
        if name == "hs_object_id":
            return str(record.id)
        if name == "createdate":
            return iso(record.created_ms)
        if name == info.modified_property:
            return iso(record.updated_ms)
        if record.type == "deals" and name in ("hs_is_closed", "hs_is_closed_won"):
            found = self._stage(record.values.get("pipeline"), record.values.get("dealstage"))
            closed, won = pipes.is_won(found) if found else (False, False)
            return "true" if (won if name == "hs_is_closed_won" else closed) else "false"
        return record.values.get(name)

    def render(
        self,
        record: Record,
        properties: Iterable[str] | None = None,
        *,
        history: Iterable[str] | None = None,
        associations: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """The record as ``SimplePublicObject`` (``...WithAssociations`` when asked)."""
        with self._lock:
            info = TYPES[record.type]
            defs = self.defs(record.type)
            names = list(properties or info.default_properties)
            names += ["createdate", info.modified_property, "hs_object_id"]
            body: dict[str, Any] = {
                "id": str(record.id),
                "properties": {n: self.value(record, n) for n in dict.fromkeys(names) if n in defs},
                "createdAt": iso(record.created_ms),
                "updatedAt": iso(record.updated_ms),
                "archived": record.archived_ms is not None,
            }
            if record.archived_ms is not None:
                body["archivedAt"] = iso(record.archived_ms)
            wanted_history = [n for n in history or () if n in defs]
            if wanted_history:
                body["propertiesWithHistory"] = {
                    n: [
                        {"value": v, "timestamp": iso(at), "sourceType": "API"}
                        for v, at in reversed(record.history.get(n, []))
                    ]
                    for n in wanted_history
                }
            linked: dict[str, Any] = {}
            for to in associations or ():
                target = TYPES.get(to)
                if target is None:
                    continue
                items = [
                    {"id": str(to_id), "type": self._v3_type_name(record.type, to, tid)}
                    for to_id, type_ids in self.associated(record.type, record.id, to)
                    for tid in sorted(type_ids)
                ]
                if items:
                    linked[to] = {"results": items}
            if linked:
                body["associations"] = linked
            return body

    @staticmethod
    def _v3_type_name(frm: str, to: str, type_id: int) -> str:
        base = f"{TYPES[frm].singular}_to_{TYPES[to].singular}"
        return base if LABELS.get(type_id) else f"{base}_unlabeled"

    def _stage(self, pipeline: str | None, stage_id: str | None) -> dict[str, Any] | None:
        found = self.pipelines.get("deals", {}).get(pipeline or "default")
        if found is None or not stage_id:
            return None
        return next((s for s in found["stages"] if s["id"] == stage_id), None)

    # -- reads ------------------------------------------------------------------------------

    def get(
        self,
        type_name: str,
        object_id: str,
        *,
        archived: bool = False,
        id_property: str | None = None,
    ) -> Record:
        with self._lock:
            if id_property and id_property != "hs_object_id":
                return self.find_by(type_name, id_property, object_id, archived=archived)
            record = self.records[type_name].get(_int_id(object_id))
            if record is None or (record.archived_ms is not None) != archived:
                raise not_found(object_id)
            return record

    def find_by(self, type_name: str, prop: str, value: str, *, archived: bool = False) -> Record:
        defs = self.defs(type_name)
        if prop not in defs or not defs[prop].unique:
            raise invalid(f"{prop} is not a unique identifier property of {type_name}")
        for record in self.records[type_name].values():
            if (record.archived_ms is not None) == archived and self.value(record, prop) == value:
                return record
        raise not_found(value)

    def list_page(
        self, type_name: str, *, limit: int, after: str | None, archived: bool
    ) -> tuple[list[Record], str | None]:
        """A list page in id order; the next ``after`` is the id the next page starts at."""
        with self._lock:
            start = 0 if not after else _int_id(after, "after")
            items = [
                r
                for key, r in sorted(self.records[type_name].items())
                if key >= start and (r.archived_ms is not None) == archived
            ]
            chunk = items[:limit]
            following = str(items[limit].id) if len(items) > limit else None
            return chunk, following

    def search(self, type_name: str, body: Any) -> searching.SearchPage:
        with self._lock:
            spec = searching.parse_request(body, max_limit=self.search_max_limit)
            evaluator = searching.Evaluator(TYPES[type_name], self.defs(type_name), self.value)
            match = evaluator.compile(spec)
            found = [r for r in self.records[type_name].values() if match(r)]
            ordered = evaluator.order(found, spec.sorts)
            return searching.page(ordered, spec, cap=self.search_cap)

    # -- writes -----------------------------------------------------------------------------

    def validated(
        self, type_name: str, props: Mapping[str, Any], record: Record | None = None
    ) -> dict[str, str]:
        """Written values as stored text; 400 as HubSpot answers for unknown, read-only or
        invalid ones, 409 for a value a unique property already has."""
        defs = self.defs(type_name)
        problems: list[tuple[str, str, str]] = []
        out: dict[str, str] = {}
        for name, raw in props.items():
            prop = defs.get(name)
            if prop is None:
                problems.append(
                    (name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                )
                continue
            if prop.read_only:
                message = f'"{name}" is a read only property; its value cannot be set.'
                problems.append((name, "READ_ONLY_VALUE", message))
                continue
            text, error = normalize(prop, raw)
            if text is None:
                message = f"{raw!r} was not a valid {prop.type} for {name}"
                problems.append((name, error or "INVALID", message))
                continue
            out[name] = text
        if type_name == "deals":
            problems += self._deal_stage_problems(out, record)
        if problems:
            raise property_errors(problems)
        for name, text in out.items():
            if defs[name].unique and text:
                for other in self.records[type_name].values():
                    if other is not record and other.values.get(name) == text:
                        raise HubSpotError(
                            409,
                            f"A {TYPES[type_name].singular} with {name}={text!r} already "
                            f"exists: {other.id}",
                            "CONFLICT",
                        )
        return out

    def _deal_stage_problems(
        self, out: dict[str, str], record: Record | None
    ) -> list[tuple[str, str, str]]:
        current = record.values if record is not None else {}
        pipeline_id = out.get("pipeline") or current.get("pipeline") or "default"
        pipeline = self.pipelines["deals"].get(pipeline_id)
        if pipeline is None:
            return [("pipeline", "INVALID_OPTION", f"{pipeline_id} is not a valid pipeline")]
        stage_id = out.get("dealstage") or current.get("dealstage")
        if stage_id and not any(s["id"] == stage_id for s in pipeline["stages"]):
            message = f"{stage_id} is not a valid dealstage of pipeline {pipeline_id}"
            return [("dealstage", "INVALID_OPTION", message)]
        return []

    def _new_id(self, wanted: Any = None) -> int:
        if wanted is None:
            self.next_id += 1
            return self.next_id - 1
        value = _int_id(wanted)
        if any(value in table for table in self.records.values()):
            raise ValueError(f"id {value} is taken")
        self.next_id = max(self.next_id, value + 1)
        return value

    def add_record(
        self,
        type_name: str,
        values: Mapping[str, str],
        *,
        record_id: Any = None,
        created_ms: int | None = None,
        updated_ms: int | None = None,
    ) -> Record:
        """Store a record whose values are already valid text."""
        with self._lock:
            now = self.clock.now_ms()
            values = dict(values)
            written = parse_ms(values.pop("createdate", ""))
            created = now if created_ms is None else created_ms
            updated = created if updated_ms is None else updated_ms
            if written is not None:  # a createdate written through the API
                created, updated = written, now if updated_ms is None else updated_ms
            record = Record(self._new_id(record_id), type_name, {}, created, updated)
            if type_name == "deals":
                values = {"pipeline": "default", **values}
                if not values.get("dealstage"):
                    pipeline = self.pipelines["deals"].get(values["pipeline"])
                    if pipeline is not None:
                        values["dealstage"] = pipeline["stages"][0]["id"]
            for name, text in values.items():
                if text != "":
                    record.set(name, text, created)
            self.records[type_name][record.id] = record
            return record

    def update(
        self,
        record: Record,
        values: Mapping[str, str],
        *,
        updated_ms: int | None = None,
    ) -> Record:
        """Apply valid values and stamp the change (the clock's time unless given)."""
        with self._lock:
            at = self.clock.now_ms() if updated_ms is None else updated_ms
            for name, text in values.items():
                if name == "createdate":
                    record.created_ms = parse_ms(text) or record.created_ms
                elif text == "":
                    record.values.pop(name, None)
                    record.history.setdefault(name, []).append(("", at))
                else:
                    record.set(name, text, at)
            if (
                record.type == "deals"
                and "dealstage" in values
                and not record.values.get("closedate")
            ):
                found = self._stage(record.values.get("pipeline"), record.values.get("dealstage"))
                if found is not None and pipes.is_won(found)[0]:
                    record.set("closedate", iso(at), at)
            record.updated_ms = at
            return record

    def archive(self, record: Record) -> None:
        with self._lock:
            if record.archived_ms is None:
                record.archived_ms = self.clock.now_ms()
                record.updated_ms = record.archived_ms

    # -- associations -----------------------------------------------------------------------

    def associate(
        self, frm: str, from_id: int, to: str, to_id: int, type_ids: Iterable[int] = ()
    ) -> set[int]:
        """Associate two live records (the default type, plus any labelled ones given)."""
        with self._lock:
            for type_name, object_id in ((frm, from_id), (to, to_id)):
                self.get(type_name, str(object_id))
            allowed = ASSOCIATION_TYPES.get((frm, to))
            if allowed is None:
                raise invalid(f"{frm} cannot be associated with {to}")
            wanted = {allowed[0][0], *type_ids}
            unknown = wanted - {tid for tid, _ in allowed}
            if unknown:
                raise invalid(f"association type(s) {sorted(unknown)} do not go from {frm} to {to}")
            for tid in wanted & PRIMARY_TYPES:
                for other, types in self.links.get((frm, from_id, to), {}).items():
                    if other != to_id and tid in types:
                        self._unlink(frm, from_id, to, other, {tid})
            self.links.setdefault((frm, from_id, to), {}).setdefault(to_id, set()).update(wanted)
            back = {INVERSE_TYPE[t] for t in wanted}
            self.links.setdefault((to, to_id, frm), {}).setdefault(from_id, set()).update(back)
            return wanted

    def _unlink(self, frm: str, from_id: int, to: str, to_id: int, type_ids: set[int]) -> None:
        for a, a_id, b, b_id, types in (
            (frm, from_id, to, to_id, type_ids),
            (to, to_id, frm, from_id, {INVERSE_TYPE[t] for t in type_ids}),
        ):
            table = self.links.get((a, a_id, b), {})
            remaining = table.get(b_id, set()) - types
            if remaining:
                table[b_id] = remaining
            else:
                table.pop(b_id, None)

    def dissociate(self, frm: str, from_id: int, to: str, to_id: int) -> None:
        with self._lock:
            types = set(self.links.get((frm, from_id, to), {}).get(to_id, set()))
            if types:
                self._unlink(frm, from_id, to, to_id, types)

    def associated(self, frm: str, from_id: int, to: str) -> list[tuple[int, set[int]]]:
        """Live records of type ``to`` associated with one record, in id order."""
        with self._lock:
            table = self.links.get((frm, from_id, to), {})
            live = self.records[to]
            return [
                (to_id, set(types))
                for to_id, types in sorted(table.items())
                if to_id in live and live[to_id].archived_ms is None
            ]

    # -- webhooks ---------------------------------------------------------------------------

    def event(
        self,
        subscription_type: str,
        object_id: int,
        *,
        occurred_ms: int | None = None,
        attempt_number: int = 0,
        **fields: Any,
    ) -> dict[str, Any]:
        """One webhook event as HubSpot sends it (legacy ``<type>.<action>`` form)."""
        with self._lock:
            event_id = self.next_event_id
            self.next_event_id += 1
            body: dict[str, Any] = {
                "eventId": event_id,
                "subscriptionId": self.subscription_id,
                "portalId": self.portal_id,
                "appId": self.app_id,
                "occurredAt": self.clock.now_ms() if occurred_ms is None else occurred_ms,
                "subscriptionType": subscription_type,
                "attemptNumber": attempt_number,
                "objectId": object_id,
            }
            body |= {k: v for k, v in fields.items() if v is not None}
            return body


def _int_id(value: Any, name: str = "id") -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise not_found(text) if name == "id" else invalid(f"{name} must be numeric; got {text!r}")
    return int(text)
