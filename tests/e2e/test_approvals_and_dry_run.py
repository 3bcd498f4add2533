"""The approval gate (``l2c approvals``) and ``l2c sync --dry-run`` over the e2e stack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from lead2cash.cli.main import app
from lead2cash.config.schema import FlowSection
from lead2cash.demo import sources
from lead2cash.demo.stack import StackFactory
from lead2cash.flows import dryrun
from lead2cash.store.jobs import NewJob

runner = CliRunner()


def test_gate_parks_the_deal_until_a_person_approves(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    gate = {"deal_to_project": FlowSection(approval_gate=True)}
    with make_stack(flows=gate) as st:
        ids = sources.seed_hubspot(st.control["hubspot"], "USD", sources.BE_DEALS[:2])
        st.hub.store.jobs.enqueue([NewJob("deal_to_project.poll", "poll", {})])
        st.drain()
        parked = sorted(p[3] or "" for p in st.problems() if p[1] == "parked")
        assert parked == sorted(f"approval:hubspot:{ids[k]}" for k in ("tm", "ms"))
        assert st.admin.search_count("sale.order", []) == 0
        url = str(st.hub.store.engine.url)
        listed = runner.invoke(app, ["approvals", "list", "--json", "--database-url", url])
        assert listed.exit_code == 0, listed.output
        assert f"approval:hubspot:{ids['tm']}" in listed.output
        ok = runner.invoke(
            app,
            [
                "approvals",
                "approve",
                f"hubspot:{ids['tm']}",
                "--by",
                "finance@acme",
                "--database-url",
                url,
            ],
        )
        assert ok.exit_code == 0, ok.output
        no = runner.invoke(
            app,
            [
                "approvals",
                "reject",
                f"hubspot:{ids['ms']}",
                "--by",
                "finance@acme",
                "--reason",
                "no signed contract",
                "--database-url",
                url,
            ],
        )
        assert no.exit_code == 0, no.output
        st.drain()
        orders = st.admin.search_read("sale.order", [], ["client_order_ref"])
        assert [o["client_order_ref"] for o in orders] == [ids["tm"]]
        assert not st.problems()
        actions = [e["action"] for e in st.hub.store.audit.entries()]
        assert "deal_to_project.approved" in actions and "deal_to_project.rejected" in actions


def test_dry_run_lists_the_writes_and_writes_nothing(make_stack: StackFactory) -> None:
    with make_stack() as st:
        ids = sources.seed_hubspot(st.control["hubspot"], "USD", sources.BE_DEALS)
        planned = dryrun.plan(st.hub, "deal_to_project")
        targets = [(p.system, p.target) for p in planned]
        assert targets.count(("odoo", "sale.order")) == 3  # tm, ms, ff are won
        assert ("lead2cash", "exception") in targets  # the Barter deal
        assert st.admin.search_count("sale.order", []) == 0
        assert st.admin.search_count("res.partner", [("name", "=", "Northwind Traders")]) == 0
        assert st.hub.store.jobs.counts() == {}
        assert st.hub.store.cursors.get("deal_to_project.hubspot") is None
        sources.seed_harvest(st.control["harvest"], ids, "USD", start=date(2026, 11, 2), days=2)
        lines = dryrun.plan(st.hub, "timesheets")
        assert lines and all(p.note.startswith("parked until") for p in lines if p.system == "odoo")
        assert st.hub.store.cursors.get("timesheets.harvest") is None
