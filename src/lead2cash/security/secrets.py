"""Secrets are references, never values: ``env:NAME``, ``file:/path``,
``keyring:service/name`` and ``vault:path#key``.

Configuration files hold only references; this module resolves them at start-up into
:class:`pydantic.SecretStr`. Errors name the reference, never the secret. ``keyring:`` needs the
optional ``keyring`` package and ``vault:`` the optional ``hvac`` package (with ``VAULT_ADDR`` and
``VAULT_TOKEN`` in the environment); without them the reference is a configuration error that
says what to install.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, SecretStr

from lead2cash import errors

_REF = re.compile(r"^(env|file|keyring|vault):(.+)$")


def check_reference(value: str) -> str:
    """Accept only a well-formed secret reference (a literal secret is refused)."""
    match = _REF.match(value.strip())
    if not match:
        raise ValueError(
            "a secret must be a reference (env:NAME, file:/path, "
            "keyring:service/name or vault:path#key), not a literal value"
        )
    scheme, rest = match.groups()
    if scheme == "env" and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rest):
        raise ValueError(f"env: reference needs a variable name, got {rest!r}")
    if scheme == "file" and not rest.startswith("/"):
        raise ValueError("file: reference needs an absolute path")
    if scheme == "keyring" and "/" not in rest:
        raise ValueError("keyring: reference needs service/name")
    if scheme == "vault" and "#" not in rest:
        raise ValueError("vault: reference needs path#key")
    return value.strip()


#: A config field that holds a secret reference.
SecretReference = Annotated[str, AfterValidator(check_reference)]


def resolve(reference: str, *, environ: dict[str, str] | None = None) -> SecretStr:
    """The secret a reference names; ``errors.ConfigError`` if it cannot be had."""
    check = _REF.match(reference.strip())
    if not check:
        raise errors.ConfigError("not a secret reference", reference="<literal>")
    scheme, rest = check.groups()
    env = os.environ if environ is None else environ
    if scheme == "env":
        value = env.get(rest)
        if not value:
            raise errors.ConfigError(f"environment variable {rest} is not set", reference=reference)
        return SecretStr(value)
    if scheme == "file":
        try:
            return SecretStr(Path(rest).read_text().strip())
        except OSError as exc:
            raise errors.ConfigError(
                f"cannot read secret file {rest}: {exc.strerror}", reference=reference
            ) from None
    if scheme == "keyring":
        return _keyring(rest, reference)
    return _vault(rest, reference, env)


def _optional(module: str, reference: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise errors.ConfigError(
            f"{reference.split(':')[0]}: references need the optional "
            f"package {module!r} (pip install {module})",
            reference=reference,
        ) from None


def _keyring(rest: str, reference: str) -> SecretStr:
    keyring = _optional("keyring", reference)
    service, _, name = rest.partition("/")
    value = keyring.get_password(service, name)
    if not value:
        raise errors.ConfigError(f"no keyring entry {service}/{name}", reference=reference)
    return SecretStr(str(value))


def _vault(rest: str, reference: str, env: Any) -> SecretStr:
    hvac = _optional("hvac", reference)
    path, _, key = rest.partition("#")
    if not env.get("VAULT_ADDR") or not env.get("VAULT_TOKEN"):
        raise errors.ConfigError(
            "vault: references need VAULT_ADDR and VAULT_TOKEN", reference=reference
        )
    client = hvac.Client(url=env["VAULT_ADDR"], token=env["VAULT_TOKEN"])
    mount, _, sub = path.partition("/")
    try:
        data = client.secrets.kv.v2.read_secret_version(path=sub, mount_point=mount)
        value = data["data"]["data"][key]
    except Exception as exc:  # noqa: BLE001 - hvac raises many types; none may leak a value
        raise errors.ConfigError(
            f"cannot read {path}#{key} from Vault: {type(exc).__name__}", reference=reference
        ) from None
    return SecretStr(str(value))


def redact(text: str, secrets: list[SecretStr]) -> str:
    """``text`` with every known secret value replaced by ``***``."""
    for secret in secrets:
        value = secret.get_secret_value()
        if value:
            text = text.replace(value, "***")
    return text
