"""``POST /webhooks/<system>``: verify, store in the inbox, enqueue, answer 2xx.

Nothing is written before the signature and timestamp check passes: an unsigned, tampered or
stale delivery gets 401, is counted in ``l2c_webhooks_total{result="rejected"}``, and leaves no
trace in the inbox. A verified delivery is stored (deduplicated by event id) and its jobs are
enqueued in the same transaction; the jobs re-fetch the records, so the answer is immediate.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from lead2cash import errors
from lead2cash.api.deps import ApiState, api_state
from lead2cash.observability import metrics

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/{system}")
async def receive(
    system: str, request: Request, state: Annotated[ApiState, Depends(api_state)]
) -> JSONResponse:
    verifier = state.verifiers.get(system)
    if verifier is None:
        raise HTTPException(status_code=404, detail=f"no webhook intake for {system!r}")
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        verifier.verify(
            method=request.method,
            url=str(request.url),
            body=body,
            headers=headers,
            now=state.clock(),
        )
    except errors.AuthError as exc:
        metrics.WEBHOOKS.labels(system, "rejected").inc()
        log.warning(
            "webhook refused: %s",
            exc.message,
            extra={"action": "webhook_rejected", "system": system},
        )
        return JSONResponse({"error": "invalid signature"}, status_code=401)
    try:
        events = verifier.events(body)
    except errors.ValidationError as exc:
        metrics.WEBHOOKS.labels(system, "malformed").inc()
        return JSONResponse({"error": exc.message}, status_code=400)
    stored: list[dict[str, Any]] = []
    for event in events:
        received = await run_in_threadpool(
            state.store.inbox.receive,
            system,
            event.event_key,
            event.payload,
            job_kind=event.job_kind,
            job_key=event.job_key,
        )
        stored.append(
            {
                "event": event.event_key,
                "duplicate": received.duplicate,
                "correlation_id": received.correlation_id,
            }
        )
    metrics.WEBHOOKS.labels(system, "accepted").inc()
    return JSONResponse({"received": len(stored), "events": stored}, status_code=200)
