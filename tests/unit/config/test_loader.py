"""YAML with environment overlays; errors that locate problems and never echo input."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from lead2cash import errors
from lead2cash.config.loader import deep_merge, fingerprint, load, with_environment
from lead2cash.security.secrets import SecretReference


class Odoo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    api_key: SecretReference
    batch_size: int = 500


class Conf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    odoo: Odoo
    companies: list[str]


DOC = """
odoo:
  url: http://odoo.dev:8069
  api_key: env:ODOO_KEY
companies: [be, uk]
environments:
  prod:
    odoo:
      url: https://erp.example.com
      batch_size: 1000
    companies: [be]
"""


def test_overlay_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    path = tmp_path / "l2c.yaml"
    path.write_text(DOC)
    dev = load(Conf, path, "dev")
    prod = load(Conf, path, "prod")
    assert dev.odoo.url == "http://odoo.dev:8069"
    assert dev.companies == ["be", "uk"]
    assert prod.odoo.url == "https://erp.example.com"
    assert prod.odoo.api_key == "env:ODOO_KEY"
    assert prod.odoo.batch_size == 1000
    assert prod.companies == ["be"]


def test_errors_locate_problems_without_echoing_secrets(tmp_path: Path) -> None:
    path = tmp_path / "l2c.yaml"
    path.write_text("odoo:\n  url: x\n  api_key: hunter2-literal\ncompanies: [a]\nextra: 1\n")
    with pytest.raises(errors.ConfigError) as info:
        load(Conf, path, "dev")
    text = str(info.value)
    assert "odoo.api_key" in text
    assert "extra: Extra inputs are not permitted" in text
    assert "hunter2" not in text


def test_bad_yaml_unknown_env_and_non_mapping(tmp_path: Path) -> None:
    path = tmp_path / "l2c.yaml"
    path.write_text("odoo: [unclosed\n")
    with pytest.raises(errors.ConfigError, match="not valid YAML"):
        load(Conf, path, "dev")
    with pytest.raises(errors.ConfigError, match="unknown environment 'qa'"):
        with_environment({}, "qa")
    with pytest.raises(errors.ConfigError, match="unknown environment"):
        with_environment({"environments": {"qa": {}}}, "dev")
    path.write_text("- a\n")
    with pytest.raises(errors.ConfigError, match="top level must be a mapping"):
        load(Conf, path, "dev")


def test_deep_merge_does_not_mutate_and_fingerprint_is_stable() -> None:
    base = {"a": {"b": 1, "c": [1]}}
    merged = deep_merge(base, {"a": {"c": [2]}})
    assert merged == {"a": {"b": 1, "c": [2]}}
    assert base == {"a": {"b": 1, "c": [1]}}
    assert fingerprint({"x": 1, "y": 2}) == fingerprint({"y": 2, "x": 1})
    assert fingerprint({"x": 1}) != fingerprint({"x": 2})


@pytest.mark.parametrize("flow", ["master_data", "billing", "timesheet"])
def test_a_flow_the_hub_does_not_schedule_is_refused(flow: str) -> None:
    from pydantic import ValidationError

    from lead2cash.config.schema import HubConfig
    from lead2cash.flows.handlers import RUN_KINDS

    odoo = {"url": "http://127.0.0.1:8069", "database": "d", "login": "l", "api_key": "env:K"}
    with pytest.raises(ValidationError, match="unknown flow"):
        HubConfig.model_validate({"odoo": odoo, "flows": {flow: {}}})
    for known in RUN_KINDS:  # every scheduled flow is accepted
        HubConfig.model_validate({"odoo": odoo, "flows": {known: {}}})
