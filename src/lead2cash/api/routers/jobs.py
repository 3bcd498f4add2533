"""``/api/jobs`` and ``/api/trace``: the exception queue over HTTP (viewer reads, operator acts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from lead2cash import errors
from lead2cash.api.deps import ApiState, api_state, require
from lead2cash.security.tokens import Principal, Role
from lead2cash.store.jobs import JobFilter
from lead2cash.store.trace import trace

router = APIRouter(prefix="/api", tags=["jobs"])
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
State = Annotated[ApiState, Depends(api_state)]


@router.get("/jobs")
def list_jobs(
    who: Viewer,
    state: State,
    states: Annotated[list[str], Query(alias="state")] = [],  # noqa: B006
    kinds: Annotated[list[str], Query(alias="kind")] = [],  # noqa: B006
    limit: int = 100,
) -> dict[str, Any]:
    found = state.store.jobs.find(JobFilter(states=states, kinds=kinds, limit=min(limit, 1000)))
    return {"jobs": [j.as_json() for j in found], "counts": state.store.jobs.counts()}


@router.get("/jobs/{job_id}")
def show_job(job_id: int, who: Viewer, state: State) -> dict[str, Any]:
    job = state.store.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return {"job": job.as_json(), "history": state.store.jobs.history(job_id)}


class ReplayBody(BaseModel):
    reason: str | None = None
    payload: dict[str, Any] | None = None


class IgnoreBody(BaseModel):
    reason: str = Field(min_length=1)


@router.post("/jobs/{job_id}/replay")
def replay_job(job_id: int, body: ReplayBody, who: Operator, state: State) -> dict[str, Any]:
    done = state.store.jobs.replay(
        JobFilter(ids=[job_id]), actor=f"api:{who.name}", reason=body.reason, payload=body.payload
    )
    if not done:
        raise HTTPException(409, f"job {job_id} is not in exception or dead")
    return {"replayed": done}


@router.post("/jobs/{job_id}/ignore")
def ignore_job(job_id: int, body: IgnoreBody, who: Operator, state: State) -> dict[str, Any]:
    try:
        done = state.store.jobs.ignore(
            JobFilter(ids=[job_id]), actor=f"api:{who.name}", reason=body.reason
        )
    except errors.ValidationError as exc:
        raise HTTPException(422, exc.message) from None
    if not done:
        raise HTTPException(409, f"job {job_id} is not in exception or dead")
    return {"ignored": done}


@router.get("/trace/{subject}")
def trace_subject(subject: str, who: Viewer, state: State) -> dict[str, Any]:
    found = trace(state.store, subject)
    return {
        "subject": subject,
        "binding": found.binding,
        "correlation_ids": found.correlation_ids,
        "events": found.timeline(),
    }
