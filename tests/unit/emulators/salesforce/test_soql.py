"""The SOQL subset: parsing, name resolution, type checks, filters, ordering, relationships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from lead2cash.emulators.salesforce.ids import to18
from lead2cash.emulators.salesforce.query import Executor
from lead2cash.emulators.salesforce.soql import SoqlError, parse
from lead2cash.emulators.salesforce.state import SalesforceState

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def org() -> SalesforceState:
    state = SalesforceState(access_token="t", client_id="c", client_secret="s")
    state.clock.set(NOW - timedelta(days=2))
    state.seed(
        {
            "records": {
                "Account": [
                    {
                        "ref": "a",
                        "Name": "Acme",
                        "BillingCountry": "France",
                        "NumberOfEmployees": 50,
                    },
                    {"ref": "b", "Name": "beta corp", "NumberOfEmployees": 5},
                    {"ref": "c", "Name": "Gamma 100%", "BillingCountry": "Spain"},
                ],
                "Opportunity": [
                    {
                        "ref": "o1",
                        "Name": "One",
                        "AccountId": "@a",
                        "StageName": "Closed Won",
                        "CloseDate": "2026-03-09",
                        "Amount": "100.50",
                    },
                    {
                        "ref": "o2",
                        "Name": "Two",
                        "AccountId": "@b",
                        "StageName": "Prospecting",
                        "CloseDate": "2026-03-11",
                        "Amount": "20",
                    },
                    {
                        "ref": "o3",
                        "Name": "Three",
                        "StageName": "Contract Approved",
                        "CloseDate": "2026-01-31",
                    },
                ],
            }
        }
    )
    state.clock.set(NOW)
    return state


def run(org: SalesforceState, text: str, *, deleted: bool = False) -> list[dict[str, Any]]:
    result = Executor(org.data, now=org.clock.now(), version="62.0").execute(
        parse(text), include_deleted=deleted
    )
    return result.records


def names(org: SalesforceState, text: str) -> list[str]:
    return [r["Name"] for r in run(org, text)]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'acme'", ["Acme"]),  # text equality ignores case
        ("Name != 'Acme'", ["beta corp", "Gamma 100%"]),
        ("Name <> 'Acme' AND BillingCountry = null", ["beta corp"]),
        ("BillingCountry != null", ["Acme", "Gamma 100%"]),
        ("NumberOfEmployees > 5", ["Acme"]),
        ("NumberOfEmployees >= 5", ["Acme", "beta corp"]),
        ("NumberOfEmployees < 50", ["beta corp"]),
        ("NumberOfEmployees <= 50 OR Name LIKE 'g%'", ["Acme", "beta corp", "Gamma 100%"]),
        ("Name LIKE '%corp'", ["beta corp"]),
        ("Name LIKE '_cme'", ["Acme"]),
        ("Name LIKE '%\\%'", ["Gamma 100%"]),
        ("Name IN ('Acme', 'BETA CORP')", ["Acme", "beta corp"]),
        ("Name NOT IN ('Acme')", ["beta corp", "Gamma 100%"]),
        ("NOT (Name = 'Acme' OR Name = 'beta corp')", ["Gamma 100%"]),
        ("(Name = 'Acme' OR Name = 'beta corp') AND NumberOfEmployees > 10", ["Acme"]),
    ],
)
def test_where(org, where, expected) -> None:
    assert names(org, f"SELECT Name FROM Account WHERE {where} ORDER BY Name") == expected


def test_dates_booleans_and_date_literals(org) -> None:
    base = "SELECT Name FROM Opportunity WHERE "
    assert names(org, base + "IsWon = true ORDER BY Name") == ["One", "Three"]
    assert names(org, base + "IsWon = false") == ["Two"]
    assert names(org, base + "CloseDate > 2026-03-09") == ["Two"]
    assert names(org, base + "CloseDate = YESTERDAY") == ["One"]
    assert names(org, base + "CloseDate = LAST_N_DAYS:30 ORDER BY Name") == ["One"]
    assert names(org, base + "CloseDate = NEXT_N_DAYS:2") == ["Two"]
    assert names(org, base + "CreatedDate < TODAY ORDER BY Name") == ["One", "Three", "Two"]
    assert names(org, base + "SystemModstamp >= 2026-03-08T12:00:00Z ORDER BY Name") == [
        "One",
        "Three",
        "Two",
    ]
    assert names(org, base + "SystemModstamp >= 2026-03-08T13:00:00.000+0100") == [
        "One",
        "Two",
        "Three",
    ]
    assert names(org, base + "SystemModstamp > 2026-03-08T12:00:00Z") == []
    assert names(org, base + "Amount = 100.5") == ["One"]


def test_relationship_fields_render_nested(org) -> None:
    rows = run(
        org, "SELECT Name, Account.Name, Account.Owner.Username FROM Opportunity ORDER BY Name"
    )
    one, three, two = rows
    assert one["Account"]["Name"] == "Acme"
    assert one["Account"]["attributes"]["type"] == "Account"
    assert one["Account"]["Owner"]["Username"] == "integration@lead2cash.example"
    assert three["Account"] is None
    assert two["Account"]["Name"] == "beta corp"
    assert list(one) == ["attributes", "Name", "Account"]
    assert names(org, "SELECT Name FROM Opportunity WHERE Account.BillingCountry = 'France'") == [
        "One"
    ]


def test_child_subqueries(org) -> None:
    rows = run(
        org,
        "SELECT Name, (SELECT Name FROM Opportunities WHERE IsWon = true ORDER BY Name) "
        "FROM Account ORDER BY Name",
    )
    assert rows[0]["Opportunities"]["records"][0]["Name"] == "One"
    assert rows[0]["Opportunities"]["totalSize"] == 1
    assert rows[1]["Opportunities"] is None  # beta's only deal is open


def test_order_by_nulls_limit_offset_count(org) -> None:
    query = "SELECT Name FROM Account ORDER BY BillingCountry"
    assert names(org, query) == ["beta corp", "Acme", "Gamma 100%"]  # nulls first ascending
    assert names(org, query + " DESC") == ["Gamma 100%", "Acme", "beta corp"]
    assert names(org, query + " DESC NULLS FIRST") == ["beta corp", "Gamma 100%", "Acme"]
    assert names(org, "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1") == [
        "beta corp",
        "Gamma 100%",
    ]
    result = Executor(org.data, now=NOW, version="62.0").execute(
        parse("SELECT COUNT() FROM Opportunity WHERE IsWon = true")
    )
    assert (result.total, result.records) == (2, [])


def test_names_are_case_insensitive_and_rendered_canonically(org) -> None:
    rows = run(org, "select name, account.name from opportunity where iswon = TRUE order by NAME")
    assert set(rows[0]) == {"attributes", "Name", "Account"}


def test_ids_match_in_either_form(org) -> None:
    opp = run(org, "SELECT Id FROM Opportunity WHERE Name = 'One'")[0]["Id"]
    assert to18(opp[:15]) == opp
    assert names(org, f"SELECT Name FROM Opportunity WHERE Id = '{opp[:15]}'") == ["One"]
    assert names(org, f"SELECT Name FROM Opportunity WHERE Id IN ('{opp}')") == ["One"]


def test_numbers_are_decimals(org) -> None:
    row = run(org, "SELECT Amount FROM Opportunity WHERE Name = 'One'")[0]
    assert row["Amount"] == Decimal("100.50")


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        ("SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY", "duplicate field selected: Id"),
        ("SELECT Id FROM Account LIMIT x", "MALFORMED_QUERY", "unexpected token"),
        ('SELECT Id FROM Account WHERE Name = "x"', "MALFORMED_QUERY", "unexpected token"),
        ("SELECT Nope FROM Account", "INVALID_FIELD", "No such column 'Nope' on entity 'Account'"),
        ("SELECT Foo.Name FROM Account", "INVALID_FIELD", "Didn't understand relationship 'Foo'"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE", "sObject type 'Nope__c' is not supported"),
        (
            "SELECT Id FROM Account WHERE CreatedDate > '2026-01-01'",
            "INVALID_FIELD",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "must be of type string and should be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Opportunity WHERE CloseDate = 2026-01-01T00:00:00Z",
            "INVALID_FIELD",
            "must be of type date",
        ),
        ("SELECT Id FROM Account WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID"),
        (
            "SELECT Id FROM Opportunity WHERE IsWon > true",
            "INVALID_QUERY_FILTER_OPERATOR",
            "boolean",
        ),
        (
            "SELECT Id, (SELECT Id FROM Nopes) FROM Account",
            "INVALID_TYPE",
            "Didn't understand relationship 'Nopes'",
        ),
    ],
)
def test_errors(org, text, code, fragment) -> None:
    with pytest.raises(SoqlError) as caught:
        run(org, text)
    assert caught.value.code == code
    assert fragment in caught.value.message


def test_error_messages_point_at_the_position(org) -> None:
    with pytest.raises(SoqlError) as caught:
        run(org, "SELECT Nope FROM Account")
    lines = caught.value.message.split("\n")
    assert lines[1] == "SELECT Nope FROM Account"
    assert lines[2] == "       ^"
    assert lines[3] == "ERROR at Row:1:Column:8"


def test_deleted_rows_only_with_query_all(org) -> None:
    opp = run(org, "SELECT Id FROM Opportunity WHERE Name = 'Two'")[0]["Id"]
    org.data.delete("Opportunity", opp)
    assert "Two" not in names(org, "SELECT Name FROM Opportunity")
    rows = run(org, "SELECT Name, IsDeleted FROM Opportunity WHERE IsDeleted = true", deleted=True)
    assert [(r["Name"], r["IsDeleted"]) for r in rows] == [("Two", True)]
