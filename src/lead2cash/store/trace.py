"""The whole story of a message or a business object, across inbox, jobs and audit.

``trace("3f2a...")`` follows a correlation id; ``trace("hubspot:deal:123")`` starts from a
binding key, finds the jobs about that record (their idempotency keys and payloads name it) and
follows their correlation ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from lead2cash.store.facade import Store
from lead2cash.store.tables import audit, bindings, inbox, job_history, jobs


@dataclass
class Trace:
    subject: str
    correlation_ids: list[str] = field(default_factory=list)
    binding: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def timeline(self) -> list[dict[str, Any]]:
        def at(event: dict[str, Any]) -> datetime:
            value: datetime = event["at"]
            return value

        return sorted(self.events, key=at)


def trace(store: Store, subject: str, *, limit: int = 500) -> Trace:
    result = Trace(subject)
    with store.engine.connect() as conn:
        if subject.count(":") >= 2:
            system, object_type, external_id = subject.split(":", 2)
            row = conn.execute(
                select(bindings).where(
                    bindings.c.system == system,
                    bindings.c.object_type == object_type,
                    bindings.c.external_id == external_id,
                )
            ).first()
            result.binding = None if row is None else dict(row._mapping)
            pattern = f"%{subject}%"
            ids = (
                conn.execute(
                    select(jobs.c.correlation_id)
                    .where(or_(jobs.c.idempotency_key.like(pattern), jobs.c.parked_on == subject))
                    .distinct()
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            audit_ids = (
                conn.execute(
                    select(audit.c.correlation_id)
                    .where(
                        audit.c.system == system,
                        audit.c.object_type == object_type,
                        audit.c.object_id == external_id,
                    )
                    .distinct()
                )
                .scalars()
                .all()
            )
            result.correlation_ids = sorted({*ids, *(a for a in audit_ids if a)})
        else:
            result.correlation_ids = [subject]
        cids = result.correlation_ids
        if not cids:
            return result
        for r in conn.execute(select(inbox).where(inbox.c.correlation_id.in_(cids))):
            result.events.append(
                {
                    "at": r.received_at,
                    "what": "received",
                    "detail": f"{r.system} event {r.event_key}",
                    "correlation_id": r.correlation_id,
                }
            )
        job_rows = conn.execute(
            select(jobs.c.id, jobs.c.kind, jobs.c.correlation_id)
            .where(jobs.c.correlation_id.in_(cids))
            .limit(limit)
        ).all()
        kinds = {int(j.id): (j.kind, j.correlation_id) for j in job_rows}
        if kinds:
            for h in conn.execute(
                select(job_history)
                .where(job_history.c.job_id.in_(list(kinds)))
                .order_by(job_history.c.id)
            ):
                kind, cid = kinds[int(h.job_id)]
                text = f"job {h.job_id} {kind}: {h.from_state or 'new'} → {h.to_state}"
                if h.message:
                    text += f" ({h.message})"
                result.events.append(
                    {
                        "at": h.at,
                        "what": "job",
                        "detail": text,
                        "correlation_id": cid,
                        "actor": h.actor,
                    }
                )
        for a in conn.execute(select(audit).where(audit.c.correlation_id.in_(cids))):
            result.events.append(
                {
                    "at": a.at,
                    "what": "audit",
                    "detail": f"{a.action} {a.system}:{a.object_type}:{a.object_id} → {a.outcome}",
                    "correlation_id": a.correlation_id,
                    "actor": a.actor,
                }
            )
    return result
