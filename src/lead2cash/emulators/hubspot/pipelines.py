"""Deal pipelines and stages (reference §1.4): the default pipeline every portal starts with,
and pipelines given to the control API's seed.

A stage's ``metadata`` holds text: ``{"isClosed": "true", "probability": "1.0"}``. "Won" is a
closed stage with probability 1.0, whatever its id (custom pipelines use numeric stage ids).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from lead2cash.emulators.hubspot.clock import iso

DEFAULT_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)


def stage(
    stage_id: str, label: str, order: int, probability: str, closed: bool, at_ms: int
) -> dict[str, Any]:
    return {
        "id": stage_id,
        "label": label,
        "displayOrder": order,
        "metadata": {"isClosed": "true" if closed else "false", "probability": probability},
        "createdAt": iso(at_ms),
        "updatedAt": iso(at_ms),
        "archived": False,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    }


def default_pipeline(at_ms: int) -> dict[str, Any]:
    return {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "archived": False,
        "createdAt": iso(at_ms),
        "updatedAt": iso(at_ms),
        "stages": [
            stage(sid, label, i, prob, closed, at_ms)
            for i, (sid, label, prob, closed) in enumerate(DEFAULT_STAGES)
        ],
    }


def from_seed(item: Any, order: int, at_ms: int) -> dict[str, Any]:
    """A pipeline from the seed document: ``{"id", "label", "stages": [{"id", "label",
    "probability": "0.5", "isClosed": false} | {"id", "label", "metadata": {...}}]}``."""
    if not isinstance(item, dict) or not item.get("id"):
        raise ValueError("a pipeline needs an id")
    stages_in = item.get("stages") or []
    if not isinstance(stages_in, list) or not stages_in:
        raise ValueError(f"pipeline {item['id']} needs stages")
    stages = []
    for i, raw in enumerate(stages_in):
        if not isinstance(raw, dict) or not raw.get("id"):
            raise ValueError(f"every stage of pipeline {item['id']} needs an id")
        meta = raw.get("metadata") or {}
        probability = str(raw.get("probability", meta.get("probability", "0.0")))
        closed = str(raw.get("isClosed", meta.get("isClosed", "false"))).lower() == "true"
        try:
            value = Decimal(probability)
        except InvalidOperation as exc:
            raise ValueError(f"stage {raw['id']}: probability {probability!r}") from exc
        if not 0 <= value <= 1:
            raise ValueError(f"stage {raw['id']}: probability must be within 0.0 and 1.0")
        stages.append(
            stage(
                str(raw["id"]),
                str(raw.get("label", raw["id"])),
                int(raw.get("displayOrder", i)),
                probability,
                closed,
                at_ms,
            )
        )
    return {
        "id": str(item["id"]),
        "label": str(item.get("label", item["id"])),
        "displayOrder": int(item.get("displayOrder", order)),
        "archived": False,
        "createdAt": iso(at_ms),
        "updatedAt": iso(at_ms),
        "stages": stages,
    }


def is_won(stage_body: dict[str, Any]) -> tuple[bool, bool]:
    """``(closed, won)`` of a stage."""
    meta = stage_body.get("metadata", {})
    closed = str(meta.get("isClosed", "false")).lower() == "true"
    try:
        won = closed and Decimal(str(meta.get("probability", "0"))) == 1
    except InvalidOperation:
        won = False
    return closed, won
