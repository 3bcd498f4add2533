"""The OpenAPI file's problems (conftest docstring) pinned, and the wire check shown to bite."""

from __future__ import annotations

import json

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from lead2cash.connectors.harvest import USERS


def test_the_file_as_it_is_does_not_load(spec_tools) -> None:
    with pytest.raises(OpenAPIValidationError):
        OpenAPI.from_dict(spec_tools.raw_spec())


def test_cursor_pages_need_a_nullable_page(target, spec_tools) -> None:
    """Harvest's middle cursor pages carry ``page: null``, which the file forbids."""
    spec = spec_tools.raw_spec()
    for name, props in spec_tools.anyof_null.items():  # workaround 1 only
        for prop in props:
            node = spec["components"]["schemas"][name]["properties"][prop]
            node["anyOf"] = [{"$ref": node["anyOf"][0]["$ref"]}, spec_tools.null_branch]
    strict = OpenAPI.from_dict(spec)
    state = target.emulator()
    state.seed({"users": [{"first_name": f"U{i}"} for i in range(3)]})
    pages = list(target.client(page_size=1).pages(USERS))
    assert [p.envelope.page for p in pages] == [1, None, 3]
    middle = target.http.get(
        pages[1].url,
        headers={
            "Authorization": f"Bearer {target.token}",
            "Harvest-Account-Id": target.settings.account_id,
        },
    )
    spec_request = spec_tools.SpecRequest(middle.request)
    spec_response = spec_tools.SpecResponse(middle)
    with pytest.raises(Exception, match="page"):
        strict.validate_response(spec_request, spec_response)


def test_the_wire_check_catches_a_wrong_answer(openapi, spec_tools) -> None:
    checker = spec_tools.WireChecker(openapi)
    request = httpx.Request(
        "GET",
        "https://api.harvestapp.com/v2/time_entries",
        headers={"Authorization": "Bearer t", "Harvest-Account-Id": "1", "User-Agent": "a (b@c)"},
    )
    checker.on_request(request)
    body = {
        "time_entries": [{"id": 1, "hours": "1.5", "spent_date": "2026-13-01"}],
        "per_page": 1,
        "total_pages": 1,
        "total_entries": 1,
        "next_page": None,
        "previous_page": None,
        "page": 1,
        "links": {"first": "x", "last": "y"},
    }
    answer = httpx.Response(
        200, content=json.dumps(body), request=request, headers={"content-type": "application/json"}
    )
    checker.on_response(answer)
    assert len(checker.errors) == 1 and checker.errors[0].startswith("response 200")


def test_the_wire_check_catches_a_request_without_the_account_header(openapi, spec_tools) -> None:
    checker = spec_tools.WireChecker(openapi)
    checker.on_request(
        httpx.Request("GET", "https://api.harvestapp.com/v2/users", headers={"Authorization": "x"})
    )
    assert len(checker.errors) == 1 and "Security" in checker.errors[0]
