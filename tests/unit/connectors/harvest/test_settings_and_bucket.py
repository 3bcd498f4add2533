"""Harvest settings validation and the client-side token bucket's guarantee."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from lead2cash.connectors.harvest import HarvestSettings, TokenBucket


def _settings(**overrides: object) -> HarvestSettings:
    values: dict[str, object] = {"account_id": "123456", "token": "secret-token"} | overrides
    return HarvestSettings.model_validate(values)


def test_defaults_follow_harvest() -> None:
    settings = _settings()
    assert settings.api_url == "https://api.harvestapp.com/v2"
    assert settings.page_size == 2000
    assert (settings.rate_limit_requests, settings.rate_limit_period) == (100, 15.0)
    assert settings.rate_limit_budget == 90
    assert settings.refill_per_second == pytest.approx(80 / 15)
    assert settings.token_bucket().capacity == 10


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"user_agent": "lead2cash"}, "user_agent"),
        ({"user_agent": "(ops@example.com)"}, "user_agent"),
        ({"account_id": "acme"}, "account_id"),
        ({"base_url": "api.harvestapp.com"}, "base_url"),
        ({"page_size": 2001}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"rate_limit_burst": 90}, "rate_limit_burst"),
        ({"rate_limit_margin": 1.0}, "rate_limit_margin"),
    ],
)
def test_bad_settings_are_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _settings(**overrides)


def test_user_agent_may_name_a_url_contact_and_base_url_is_normalised() -> None:
    settings = _settings(
        user_agent="Acme Hub (https://acme.example/contact)", base_url="https://h.test/v2/"
    )
    assert settings.api_url == "https://h.test/v2"


def test_the_token_is_never_shown() -> None:
    settings = _settings()
    assert "secret-token" not in repr(settings)
    assert settings.redacted()["token"] == "**********"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("gap_every", [0, 7, 37])
def test_no_window_ever_holds_more_than_the_limit(gap_every: int) -> None:
    fake = FakeTime()
    bucket = TokenBucket.for_limit(100, 15.0, 10, clock=fake.clock, sleep=fake.sleep)
    sent = []
    for i in range(400):
        if gap_every and i % gap_every == 0:
            fake.now += 1.7  # idle gaps let the bucket refill
        bucket.acquire()
        sent.append(fake.now)
    worst = max(sum(1 for t in sent if s <= t < s + 15.0) for s in sent)
    assert worst <= 100
    if not gap_every:
        assert worst >= 99  # under steady demand it does not throttle below the limit


def test_burst_then_spaced() -> None:
    fake = FakeTime()
    bucket = TokenBucket.for_limit(10, 1.0, 2, clock=fake.clock, sleep=fake.sleep)
    waits = [bucket.acquire() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(1 / 8) and waits[3] == pytest.approx(1 / 8)


def test_reservations_queue_callers_in_order() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=2.0, capacity=1, clock=fake.clock, sleep=fake.sleep)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.5, 1.0]
    assert bucket.available() == pytest.approx(-2.0)


def test_shared_buckets_are_per_account_and_limit() -> None:
    key = f"acct-{next(itertools.count())}-shared-test"
    one = TokenBucket.shared(key, 100, 15.0, 10)
    assert TokenBucket.shared(key, 100, 15.0, 10) is one
    assert TokenBucket.shared(key + "x", 100, 15.0, 10) is not one
    assert TokenBucket.shared(key, 50, 15.0, 10) is not one


def test_bad_bucket_arguments() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBucket.for_limit(10, 1.0, 10)
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, capacity=1)
