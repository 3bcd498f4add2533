"""The control API's data loading: the seed document, bulk generation, direct edits.

Seeding is lenient where the served API is strict: a property a seeded record names that the
portal does not define is defined on the fly (as text), so demos can seed anything. A seed is
all or nothing: the whole document is checked before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lead2cash.emulators.hubspot import pipelines as pipes
from lead2cash.emulators.hubspot.model import (
    ASSOCIATION_TYPES,
    TYPES,
    PropertyDef,
    normalize,
    parse_ms,
)
from lead2cash.emulators.hubspot.state import HubSpotState

#: Seeding order: a record may name associations to records of earlier lists or its own.
SEED_ORDER = ("companies", "contacts", "line_items", "deals")
PROPERTY_TYPES = {"string", "number", "datetime", "date", "enumeration", "bool"}
PAIRS = set(ASSOCIATION_TYPES)
#: The first company listed for a deal or contact is its primary company.
PRIMARY_LABEL = {("deals", "companies"): 5, ("contacts", "companies"): 1}


def property_def(item: Mapping[str, Any], *, custom: bool = True) -> PropertyDef:
    """A property definition from HubSpot's ``PropertyCreate`` JSON."""
    name = str(item.get("name", "")).strip()
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        raise ValueError(f"invalid property name {name!r} (lowercase letters, digits, _)")
    kind = str(item.get("type", "string"))
    if kind not in PROPERTY_TYPES:
        raise ValueError(f"property {name}: type must be one of {sorted(PROPERTY_TYPES)}")
    options_raw = item.get("options") or []
    options = tuple(str(o["value"]) if isinstance(o, dict) else str(o) for o in options_raw)
    return PropertyDef(
        name=name,
        type=kind,
        field_type=str(item.get("fieldType", "text")),
        label=str(item.get("label", name)),
        group=str(item.get("groupName", "")),
        unique=bool(item.get("hasUniqueValue", False)),
        options=options or None,
        custom=custom,
    )


def _stored_values(
    state: HubSpotState, type_name: str, props: Mapping[str, Any], new_defs: dict[str, PropertyDef]
) -> dict[str, str]:
    defs = state.defs(type_name)
    out: dict[str, str] = {}
    for name, raw in props.items():
        prop = defs.get(name) or new_defs.get(name)
        if prop is None:
            prop = new_defs[name] = PropertyDef(name, custom=True)
        if name in ("hs_object_id", "createdate", TYPES[type_name].modified_property):
            continue
        text, error = normalize(prop, raw)
        if text is None:
            raise ValueError(f"{type_name}.{name}={raw!r}: {error}")
        out[name] = text
    return out


def _ms(value: Any, what: str) -> int | None:
    if value is None:
        return None
    ms = parse_ms(str(value))
    if ms is None:
        raise ValueError(f"{what}: {value!r} is not a time")
    return ms


def seed(state: HubSpotState, doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """Load a seed document (see the package docstring); returns the ids created per type."""
    unknown = set(doc) - {"properties", "pipelines", *SEED_ORDER}
    if unknown:
        raise ValueError(f"unknown seed keys: {sorted(unknown)}")
    with state._lock:
        now = state.clock.now_ms()
        # 1. check everything
        new_props: dict[str, dict[str, PropertyDef]] = {t: {} for t in TYPES}
        for type_name, items in (doc.get("properties") or {}).items():
            if type_name not in TYPES:
                raise ValueError(f"unknown object type {type_name!r}")
            for item in items:
                prop = property_def(item)
                new_props[type_name][prop.name] = prop
        new_pipelines = [
            pipes.from_seed(item, i + len(state.pipelines["deals"]), now)
            for i, item in enumerate((doc.get("pipelines") or {}).get("deals", []))
        ]
        taken = {key for table in state.records.values() for key in table}
        planned: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        for type_name in SEED_ORDER:
            for item in doc.get(type_name) or []:
                if not isinstance(item, dict):
                    raise ValueError(f"every {type_name} item is an object")
                props = item.get("properties", {})
                for name, prop in new_props[type_name].items():
                    state.defs(type_name).setdefault(name, prop)
                values = _stored_values(state, type_name, props, new_props[type_name])
                if item.get("id") is not None:
                    wanted = int(str(item["id"]))
                    if wanted in taken:
                        raise ValueError(f"id {wanted} is taken")
                    taken.add(wanted)
                planned.append((type_name, item, values))
        known = {t: set(table) for t, table in state.records.items()}
        for type_name, item, _ in planned:
            if item.get("id") is not None:
                known[type_name].add(int(str(item["id"])))
        for type_name, item, _ in planned:
            for to, targets in (item.get("associations") or {}).items():
                if (type_name, to) not in PAIRS:
                    raise ValueError(f"{type_name} cannot be associated with {to!r}")
                missing = [t for t in targets if int(str(t)) not in known[to]]
                if missing:
                    raise ValueError(f"{type_name} associated with unknown {to} {missing}")
        # 2. store
        for type_name, props in new_props.items():
            state.properties[type_name].update(props)
        for pipeline in new_pipelines:
            state.pipelines["deals"][pipeline["id"]] = pipeline
        created: dict[str, list[str]] = {t: [] for t in SEED_ORDER}
        record_ids: list[int] = []
        for type_name, item, values in planned:
            created_ms = _ms(item.get("createdAt"), "createdAt")
            updated_ms = _ms(item.get("updatedAt"), "updatedAt")
            record = state.add_record(
                type_name,
                values,
                record_id=item.get("id"),
                created_ms=created_ms if created_ms is not None else updated_ms,
                updated_ms=updated_ms,
            )
            if item.get("archived"):
                record.archived_ms = _ms(item.get("archivedAt"), "archivedAt") or now
                record.updated_ms = max(record.updated_ms, record.archived_ms)
            created[type_name].append(str(record.id))
            record_ids.append(record.id)
        # 3. associations (to records of this document or already stored)
        for (type_name, item, _), own_id in zip(planned, record_ids, strict=True):
            for to, targets in (item.get("associations") or {}).items():
                for position, target in enumerate(targets):
                    primary = PRIMARY_LABEL.get((type_name, to)) if position == 0 else None
                    labels = [primary] if primary else []
                    state.associate(type_name, own_id, to, int(str(target)), labels)
        return {k: v for k, v in created.items() if v}


def generate(
    state: HubSpotState,
    type_name: str,
    count: int,
    properties: Mapping[str, Any] | None = None,
    *,
    start_ms: int | None = None,
    step_ms: int = 0,
) -> list[str]:
    """``count`` records cheaply: ``{n}`` in a property text is the record's number (from 1);
    modified times start at ``start_ms`` (the clock) and grow by ``step_ms``."""
    if type_name not in TYPES:
        raise ValueError(f"unknown object type {type_name!r}")
    if not 0 < count <= 100_000:
        raise ValueError("count must be within 1 and 100000")
    with state._lock:
        base = state.clock.now_ms() if start_ms is None else start_ms
        template = _stored_values(state, type_name, dict(properties or {}), {})
        ids: list[str] = []
        for n in range(1, count + 1):
            at = base + (n - 1) * step_ms
            values = {k: v.replace("{n}", str(n)) for k, v in template.items()}
            record = state.add_record(type_name, values, created_ms=at, updated_ms=at)
            ids.append(str(record.id))
        return ids


def edit(
    state: HubSpotState,
    type_name: str,
    object_id: str,
    properties: Mapping[str, Any],
    *,
    updated_at: Any = None,
) -> dict[str, Any]:
    """Change a record as a person in HubSpot would (no API limits; unknown properties
    defined on the fly); the change is stamped with the clock unless ``updated_at`` is given."""
    if type_name not in TYPES:
        raise ValueError(f"unknown object type {type_name!r}")
    with state._lock:
        record = state.get(type_name, object_id)
        new_defs: dict[str, PropertyDef] = {}
        values = _stored_values(state, type_name, properties, new_defs)
        state.properties[type_name].update(new_defs)
        state.update(record, values, updated_ms=_ms(updated_at, "updatedAt"))
        return state.render(record, list(values) or None)
