"""The API: webhook intake (verify first, then inbox), tokens with roles, the job endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from lead2cash import errors
from lead2cash.api.app import create_app
from lead2cash.connectors.base import WebhookEvent
from lead2cash.emulators.server import serving
from lead2cash.security.tokens import Role, TokenStore, digest
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobState, NewJob, Outcome
from lead2cash.store.tables import api_tokens

SECRET = b"shared-secret"


class HmacVerifier:
    """A minimal verifier for the router's contract (the HubSpot one has its own tests)."""

    system = "acme"

    def verify(
        self, *, method: str, url: str, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> None:
        expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-signature", ""), expected):
            raise errors.AuthError("bad signature", system="acme")

    def events(self, body: bytes) -> Sequence[WebhookEvent]:
        try:
            items = json.loads(body)
        except json.JSONDecodeError as exc:
            raise errors.ValidationError("not JSON") from exc
        return [
            WebhookEvent(event_key=str(i["id"]), job_kind="acme.event", payload=i) for i in items
        ]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'api.db'}", upgrade=True)


@pytest.fixture
def client(store: Store) -> Iterator[httpx.Client]:
    with (
        serving(create_app(store, verifiers={"acme": HmacVerifier()})) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        yield http


def _signed(body: bytes) -> dict[str, str]:
    return {"x-signature": hmac.new(SECRET, body, hashlib.sha256).hexdigest()}


def test_signed_webhook_is_stored_and_enqueued_once(client: httpx.Client, store: Store) -> None:
    body = json.dumps([{"id": 1, "deal": 7}, {"id": 2, "deal": 8}]).encode()
    first = client.post("/webhooks/acme", content=body, headers=_signed(body))
    assert first.status_code == 200
    assert first.json()["received"] == 2
    again = client.post("/webhooks/acme", content=body, headers=_signed(body))
    assert [e["duplicate"] for e in again.json()["events"]] == [True, True]
    assert store.inbox.count("acme") == 2
    assert store.jobs.counts() == {"pending": 2}


def test_unsigned_or_tampered_webhooks_leave_no_trace(client: httpx.Client, store: Store) -> None:
    body = b'[{"id": 1}]'
    assert client.post("/webhooks/acme", content=body).status_code == 401
    tampered = body.replace(b"1", b"2")
    assert client.post("/webhooks/acme", content=tampered, headers=_signed(body)).status_code == 401
    assert client.post("/webhooks/nobody", content=body).status_code == 404
    assert store.inbox.count() == 0
    assert store.jobs.counts() == {}
    metrics = client.get("/metrics").text
    assert 'l2c_webhooks_total{result="rejected",system="acme"}' in metrics


def test_malformed_but_signed_delivery_is_400(client: httpx.Client) -> None:
    body = b"not json"
    assert client.post("/webhooks/acme", content=body, headers=_signed(body)).status_code == 400


def test_tokens_roles_and_job_endpoints(client: httpx.Client, store: Store) -> None:
    tokens = TokenStore(store.engine)
    viewer = tokens.create("dash", Role.VIEWER)
    operator = tokens.create("ann", Role.OPERATOR)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(api_tokens))]
    # only digests are stored: the tokens' digests are there, the tokens nowhere
    assert sorted(r["digest"] for r in rows) == sorted([digest(viewer), digest(operator)])
    assert not [v for r in rows for v in r.values() if v in (viewer, operator)]
    store.jobs.enqueue_one(NewJob("k", "key", {"a": 1}))
    [job] = store.jobs.claim("w", limit=1)
    store.jobs.finish("w", [Outcome(job.id, JobState.EXCEPTION, error_class="validation")])

    assert client.get("/api/jobs").status_code == 401
    assert client.get("/api/jobs", headers={"Authorization": "Bearer nope"}).status_code == 401
    as_viewer = {"Authorization": f"Bearer {viewer}"}
    listed = client.get("/api/jobs", params={"state": "exception"}, headers=as_viewer).json()
    assert [j["id"] for j in listed["jobs"]] == [job.id]
    assert client.post(f"/api/jobs/{job.id}/replay", json={}, headers=as_viewer).status_code == 403
    as_operator = {"Authorization": f"Bearer {operator}"}
    replayed = client.post(
        f"/api/jobs/{job.id}/replay", json={"payload": {"a": 2}}, headers=as_operator
    )
    assert replayed.json() == {"replayed": [job.id]}
    assert (
        client.post(
            f"/api/jobs/{job.id}/ignore", json={"reason": "x"}, headers=as_operator
        ).status_code
        == 409
    )
    shown = client.get(f"/api/jobs/{job.id}", headers=as_viewer).json()
    assert shown["job"]["payload"] == {"a": 2}
    assert shown["history"][-1]["actor"] == "api:ann"
    trace = client.get(f"/api/trace/{job.correlation_id}", headers=as_viewer).json()
    assert [e["what"] for e in trace["events"]] == ["job"] * 4 + ["audit"]
    assert tokens.revoke("ann")
    assert client.get("/api/jobs", headers=as_operator).status_code == 401


def test_healthz(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
