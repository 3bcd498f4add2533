"""``l2c worker -f lead2cash.yaml`` runs the flows on its own: the scheduler enqueues them, the
hub is built from the file (secrets as ``env:`` references) and the resolved secrets are handed
to the log redaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr
from typer.testing import CliRunner

from lead2cash.cli.main import app
from lead2cash.demo import sources
from lead2cash.demo.firm import mapping_document
from lead2cash.demo.stack import StackFactory
from lead2cash.observability import logs
from lead2cash.store.facade import Store

runner = CliRunner()


def _config(tmp_path: Path, st: Any) -> Path:
    odoo = st.admin.settings
    hubspot = st.hub.hubspot.settings
    harvest = st.hub.harvest.settings
    (tmp_path / "mappings.yaml").write_text(yaml.safe_dump(mapping_document(st.facts)))
    config = {
        "mappings": "mappings.yaml",
        "odoo": {
            "url": odoo.url,
            "database": odoo.db,
            "login": odoo.login,
            "api_key": "env:T_ODOO_KEY",
        },
        "hubspot": {"base_url": hubspot.base_url, "token": "env:T_HUBSPOT_TOKEN"},
        "harvest": {
            "base_url": harvest.base_url,
            "account_id": harvest.account_id,
            "token": "env:T_HARVEST_TOKEN",
        },
        "flows": {name: {"schedule": "* * * * *"} for name in ("deal_to_project", "timesheets")},
    }
    path = tmp_path / "lead2cash.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_the_worker_schedules_and_runs_the_flows_from_the_file(
    make_stack: StackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_stack() as st:
        secrets = {
            "T_ODOO_KEY": st.admin.settings.api_key.get_secret_value(),
            "T_HUBSPOT_TOKEN": st.hub.hubspot.settings.token.get_secret_value(),
            "T_HARVEST_TOKEN": st.hub.harvest.settings.token.get_secret_value(),
        }
        for name, value in secrets.items():
            monkeypatch.setenv(name, value)
        redacted: list[str] = []
        configure = logs.configure

        def spy(*, secrets: list[SecretStr] | None = None, **kwargs: Any) -> None:
            redacted.extend(s.get_secret_value() for s in secrets or [])
            configure(secrets=secrets, **kwargs)

        monkeypatch.setattr(logs, "configure", spy)
        ids = sources.seed_hubspot(st.control["hubspot"], st.facts.currencies["be"])
        sources.seed_harvest(
            st.control["harvest"], ids, st.facts.currencies["be"], start=date(2026, 11, 2)
        )
        url = f"sqlite:///{tmp_path / 'worker.db'}"
        result = runner.invoke(
            app, ["worker", "-f", str(_config(tmp_path, st)), "--burst", "--database-url", url]
        )
        assert result.exit_code == 0, result.output
        assert sorted(redacted) == sorted(secrets.values())
        orders = st.admin.search_read("sale.order", [], ["client_order_ref"])
        assert sorted(o["client_order_ref"] for o in orders) == sorted(
            ids[k] for k in ("tm", "ms", "ff")
        )
        assert st.admin.search_count("account.analytic.line", [("project_id", "!=", False)]) > 0
        store = Store.open(url)
        try:
            kinds = {j.kind for j in store.jobs.find()}
        finally:
            store.close()
        assert {"deal_to_project.poll", "timesheets.run", "deal_to_project.deal"} <= kinds
