"""The unchanged simple-salesforce client against the emulator on a real TLS socket
(simple-salesforce always builds ``https://<instance>/services/data/v<version>/``): session id +
instance_url, query, query_all over several batches, upsert by external id, deleted/updated,
CRUD, and its exception classes for the emulator's error answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_soql

from lead2cash.emulators.salesforce import SalesforceState, create_app
from lead2cash.emulators.server import RunningServer, serving

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

TOKEN = "00D000000000001!simple-salesforce-session"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def tls_server() -> Iterator[tuple[RunningServer, SalesforceState]]:
    app = create_app(access_token=TOKEN, client_id="cid", client_secret="secret")
    with serving(app, tls=True) as running:
        yield running, app.state.emulator


@pytest.fixture
def sf_state(tls_server) -> Iterator[SalesforceState]:
    state = tls_server[1]
    state.reset()
    state.clock.set(T0)
    state.seed(
        {
            "fields": {
                "Opportunity": [{"name": "Ext_Id__c", "type": "string", "externalId": True}]
            },
            "records": {
                "Account": [{"ref": "a", "Name": "O'Brien & Sons"}],
                "Opportunity": [
                    {
                        "Name": f"Deal {i}",
                        "AccountId": "@a",
                        "StageName": "Closed Won" if i % 2 == 0 else "Prospecting",
                        "CloseDate": "2026-02-27",
                        "Amount": f"{100 + i}.25",
                        "Ext_Id__c": f"E{i}",
                    }
                    for i in range(7)
                ],
            },
        }
    )
    state.clock.advance(60)
    yield state
    # The emulator logs a call just after answering it: let the last one land before the
    # next test resets the log.
    state.log.settled()


@pytest.fixture
def sf(tls_server, sf_state) -> Iterator[Salesforce]:
    running = tls_server[0]
    session = requests.Session()
    # Test only: the emulator's certificate is self-signed for 127.0.0.1 and is not a CA, so
    # OpenSSL will not take it as a trust anchor; verification is off for this session. Without
    # trust_env=False, requests would put REQUESTS_CA_BUNDLE from the environment back in place
    # of verify=False (and could route 127.0.0.1 through an environment proxy).
    session.verify = False
    session.trust_env = False
    # A response object kept alive (pytest keeps the exceptions, which hold them) keeps its
    # TLS socket open after session.close(), and uvicorn's shutdown then waits for it;
    # "Connection: close" lets the server end every connection itself.
    session.headers["Connection"] = "close"
    yield Salesforce(instance_url=running.url, session_id=TOKEN, version="62.0", session=session)
    session.close()


def test_it_builds_https_urls_on_the_instance(sf, tls_server) -> None:
    assert tls_server[0].url.startswith("https://127.0.0.1:")
    assert sf.base_url == f"{tls_server[0].url}/services/data/v62.0/"


def test_query_with_relationship_fields(sf) -> None:
    soql = format_soql(
        "SELECT Id, Name, Amount, Account.Name FROM Opportunity "
        "WHERE IsWon = true AND Account.Name = {} ORDER BY Name",
        "O'Brien & Sons",
    )
    result = sf.query(soql)
    assert result["totalSize"] == 4
    assert result["done"] is True
    first = result["records"][0]
    assert (first["Name"], first["Amount"], first["Account"]["Name"]) == (
        "Deal 0",
        100.25,
        "O'Brien & Sons",
    )
    assert sf.api_usage["api-usage"].used == 1
    assert sf.api_usage["api-usage"].total == 100_000


def test_query_all_follows_several_batches(sf, sf_state) -> None:
    sf_state.configure({"page_size": 3})
    first = sf.query("SELECT Id FROM Opportunity")
    assert (first["done"], len(first["records"])) == (False, 3)
    everything = sf.query_all("SELECT Id, Name FROM Opportunity ORDER BY Name")
    assert everything["totalSize"] == 7
    assert [r["Name"] for r in everything["records"]] == [f"Deal {i}" for i in range(7)]
    # The emulator logs a call just after answering it: wait for the log to settle.
    deadline = time.monotonic() + 5
    while len(sf_state.log.calls("/services/data/v62.0/query")) < 4:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    queries = [c.query for c in sf_state.log.calls("/services/data/v62.0/query")]
    assert len(queries) == 4  # the first query, then query_all's first batch and two more
    assert queries[2:] == ["", ""]  # nextRecordsUrl carries the locator in the path


def test_upsert_by_external_id(sf) -> None:
    created = sf.Opportunity.upsert(
        "Ext_Id__c/123",
        {"Name": "From simple", "StageName": "Prospecting", "CloseDate": "2026-05-01"},
    )
    assert created == 201
    updated = sf.Opportunity.upsert("Ext_Id__c/123", {"Amount": 10})
    assert updated == 200
    record = sf.Opportunity.get_by_custom_id("Ext_Id__c", "123")
    assert (record["Name"], record["Amount"]) == ("From simple", 10)
    raw = sf.Opportunity.upsert("Ext_Id__c/123", {"Amount": 11}, raw_response=True)
    assert raw.json()["created"] is False


def test_deleted_and_updated(sf, sf_state) -> None:
    target = sf.query("SELECT Id FROM Opportunity WHERE Name = 'Deal 3'")["records"][0]["Id"]
    sf_state.clock.advance(60)
    assert sf.Opportunity.delete(target) == 204
    sf_state.clock.advance(120)
    now = sf_state.clock.now()
    deleted = sf.Opportunity.deleted(now - timedelta(minutes=10), now)
    assert [d["id"] for d in deleted["deletedRecords"]] == [target]
    assert deleted["latestDateCovered"] == now.strftime("%Y-%m-%dT%H:%M:00.000+0000")
    updated = sf.Opportunity.updated(now - timedelta(days=1), now)
    assert len(updated["ids"]) == 6
    with pytest.raises(SalesforceMalformedRequest):
        sf.Opportunity.deleted(now - timedelta(days=31), now)


def test_crud_describe_and_limits(sf) -> None:
    created = sf.Account.create({"Name": "Initech"})
    assert created["success"] is True
    assert sf.Account.update(created["id"], {"Phone": "555"}) == 204
    assert sf.Account.get(created["id"])["Phone"] == "555"
    described = sf.Account.describe()
    assert any(f["name"] == "Phone" for f in described["fields"])
    assert sf.limits()["DailyApiRequests"]["Max"] == 100_000
    assert sf.Account.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(created["id"])


def test_error_answers_become_simple_salesforce_exceptions(sf, sf_state) -> None:
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FROM Opportunity WHERE")
    content: Any = malformed.value.content  # the decoded error body
    assert content[0]["errorCode"] == "MALFORMED_QUERY"
    sf_state.data.update(
        "Opportunity",
        sf.Opportunity.get_by_custom_id("Ext_Id__c", "E1")["Id"],
        {"Ext_Id__c": "E0"},
        system=True,
    )
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Opportunity.upsert("Ext_Id__c/E0", {"Amount": 1})
    sf_state.configure({"daily_limit": 1, "api_usage": 1})
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.limits()
    content = refused.value.content
    assert content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    sf_state.configure({"daily_limit": 100})
    sf_state.expire_sessions()
    with pytest.raises(SalesforceExpiredSession):
        sf.limits()
