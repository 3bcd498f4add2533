"""Health and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from lead2cash.api.deps import ApiState, api_state

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz(state: Annotated[ApiState, Depends(api_state)]) -> JSONResponse:
    try:
        with state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return JSONResponse({"status": "unhealthy", "store": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "jobs": state.store.jobs.counts()})


@router.get("/metrics")
def prometheus() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
