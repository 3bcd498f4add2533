"""Secret references: only references are accepted; resolution never leaks a value."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from lead2cash import errors
from lead2cash.security.secrets import SecretReference, redact, resolve


class Conf(BaseModel):
    api_key: SecretReference


@pytest.mark.parametrize(
    "good",
    ["env:ODOO_KEY", "file:/run/secrets/odoo", "keyring:lead2cash/odoo", "vault:secret/l2c#odoo"],
)
def test_references_are_accepted(good: str) -> None:
    assert Conf(api_key=good).api_key == good


@pytest.mark.parametrize(
    "bad",
    ["s3cr3t-value", "env:", "env:1BAD", "file:relative/path", "keyring:noslash", "vault:nokey"],
)
def test_literals_and_malformed_references_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        Conf(api_key=bad)
    # the config loader reports errors without their input, so a literal never echoes back
    assert all("s3cr3t" not in str(e) for e in info.value.errors(include_input=False))


def test_env_and_file_resolve(tmp_path: Path) -> None:
    assert resolve("env:K", environ={"K": "v1"}).get_secret_value() == "v1"
    path = tmp_path / "key"
    path.write_text("v2\n")
    assert resolve(f"file:{path}").get_secret_value() == "v2"


def test_missing_secrets_are_config_errors_without_values(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="K is not set"):
        resolve("env:K", environ={})
    with pytest.raises(errors.ConfigError, match="cannot read secret file"):
        resolve(f"file:{tmp_path}/missing")


def test_optional_backends_say_what_to_install() -> None:
    with pytest.raises(errors.ConfigError, match="pip install keyring"):
        resolve("keyring:svc/name")


def test_redact() -> None:
    secret = resolve("env:K", environ={"K": "abc123"})
    assert redact("token abc123 refused", [secret]) == "token *** refused"
    assert "abc123" not in repr(secret)
