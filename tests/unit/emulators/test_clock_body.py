"""The emulators' shared clock control refuses a body that is not a JSON object (a 422, not
a 500)."""

from __future__ import annotations

import pytest

from lead2cash.emulators.clock import EmulatorClock


@pytest.mark.parametrize("body", [[1, 2], "tomorrow", 3])
def test_a_clock_body_that_is_not_an_object_is_refused(body: object) -> None:
    with pytest.raises(ValueError, match="JSON object"):
        EmulatorClock().apply(body, lambda _text: None)


def test_the_control_api_answers_422() -> None:
    import httpx

    from lead2cash.emulators.harvest import create_app as harvest_app
    from lead2cash.emulators.hubspot import create_app as hubspot_app
    from lead2cash.emulators.server import start_in_thread

    for app in (
        hubspot_app(token="t", client_secret="s"),
        harvest_app(token="t", account_id="1"),
    ):
        server = start_in_thread(app)
        try:
            answer = httpx.post(f"{server.url}/_emulator/clock", json=[1, 2])
        finally:
            server.stop()
        assert answer.status_code == 422, answer.text
