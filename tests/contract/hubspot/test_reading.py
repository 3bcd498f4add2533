"""Reading HubSpot with the connector on both path families: objects, lists, batch reads,
associations v4, labels and pipelines with their stages."""

from __future__ import annotations

import pytest

from lead2cash.connectors.hubspot import COMPANIES, CONTACTS, DEALS, LINE_ITEMS


@pytest.fixture(params=["v3", "2026-03"])
def family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_each_object_type_reads_in_both_families(target, family) -> None:
    target.seed_portal(deals=2)
    client = target.client(api_family=family)
    deal = client.get_object(DEALS, "401")
    assert deal.properties["dealname"] == "Deal 1"
    assert deal.decimal("amount") is not None and str(deal.decimal("amount")) == "1000.50"
    assert deal.prop("hs_is_closed_won") == "false"
    assert client.get_object(COMPANIES, "101").properties["domain"] == "acme.test"
    assert client.get_object(CONTACTS, "201").properties["email"] == "kim@acme.test"
    line = client.get_object(LINE_ITEMS, "302")
    assert str(line.decimal("price")) == "99.50"
    prefix = "/crm/v3/objects/" if family == "v3" else f"/crm/objects/{family}/"
    assert all(c.path.startswith(prefix) for c in target.calls())


def test_lists_and_batch_reads(target, family) -> None:
    target.seed_portal(deals=5)
    client = target.client(api_family=family, page_size=2, batch_size=2)
    pages = list(client.pages(DEALS))
    assert [len(p.results) for p in pages] == [2, 2, 1]
    assert pages[-1].paging is None
    found = client.batch_read(DEALS, ["401", "999999", "403", "405"], properties=["dealname"])
    assert sorted(d.id for d in found) == ["401", "403", "405"]


def test_associations_and_labels(target, family) -> None:
    target.seed_portal(deals=2)
    client = target.client(api_family=family)
    companies = client.associations(DEALS, "401", COMPANIES)
    by_id = {a.to_object_id: {t.type_id for t in a.association_types} for a in companies}
    assert by_id == {"101": {341, 5}, "102": {341}}
    labels = {label.type_id: label.label for label in client.association_labels(DEALS, COMPANIES)}
    assert labels[5] == "Primary" and 341 in labels
    linked = client.batch_associations(DEALS, LINE_ITEMS, ["401", "402"])
    assert sorted(a.to_object_id for a in linked["401"]) == ["301", "302"]
    assert linked["402"] == []
    back = client.associations(COMPANIES, "101", DEALS)
    assert [(a.to_object_id, {t.type_id for t in a.association_types}) for a in back] == [
        ("401", {342, 6})
    ]


def test_pipelines_and_won_stages(target, family) -> None:
    state = target.emulator()
    target.seed(
        {
            "pipelines": {
                "deals": [
                    {
                        "id": "services",
                        "label": "Services",
                        "stages": [
                            {"id": "1001", "label": "Proposal", "probability": "0.5"},
                            {
                                "id": "1002",
                                "label": "Signed",
                                "probability": "1.0",
                                "isClosed": True,
                            },
                            {"id": "1003", "label": "Lost", "probability": "0.0", "isClosed": True},
                        ],
                    }
                ]
            },
            "deals": [
                {
                    "id": "501",
                    "properties": {"dealname": "A", "pipeline": "services", "dealstage": "1002"},
                },
            ],
        }
    )
    client = target.client(api_family=family)
    pipelines = {p.id: p for p in client.pipelines()}
    assert set(pipelines) == {"default", "services"}
    won = [s.id for s in pipelines["services"].stages if s.is_won]
    assert won == ["1002"]
    assert [s.id for s in pipelines["default"].stages if s.is_won] == ["closedwon"]
    assert client.pipeline("services").stage("1003") is not None
    deal = client.get_object(
        DEALS, "501", properties=["dealstage", "hs_is_closed_won", "closedate"]
    )
    assert deal.prop("hs_is_closed_won") == "true"
    assert state.get("deals", "501").values["dealstage"] == "1002"
