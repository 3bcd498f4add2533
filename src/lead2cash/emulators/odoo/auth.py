"""Credentials of the emulated users: passwords and API keys, kept as SHA-256 digests.

As in Odoo 17-19 (``_check_credentials``), XML-RPC and JSON-RPC accept either the password or
an API key as the secret; JSON-2 accepts API keys only (``Authorization: bearer``). A user
without a password (``password=None``) can only use API keys, like a bot user with an empty
password.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass
class ApiKey:
    uid: int
    name: str
    digest: bytes = field(repr=False)


class Credentials:
    """Passwords and API keys per uid; secrets never stored in clear."""

    def __init__(self) -> None:
        self._passwords: dict[int, bytes] = {}
        self._keys: list[ApiKey] = []

    def __repr__(self) -> str:
        return f"Credentials(users={sorted(self._passwords)}, keys={len(self._keys)})"

    def clear(self) -> None:
        self._passwords.clear()
        self._keys.clear()

    def set_password(self, uid: int, password: str | None) -> None:
        if password:
            self._passwords[uid] = _digest(password)
        else:
            self._passwords.pop(uid, None)

    def add_key(self, uid: int, key: str, name: str = "emulator") -> None:
        self._keys.append(ApiKey(uid, name, _digest(key)))

    def key_user(self, key: str) -> int | None:
        """The uid of a valid API key (JSON-2 bearer), else None."""
        wanted = _digest(key)
        for k in self._keys:
            if hmac.compare_digest(k.digest, wanted):
                return k.uid
        return None

    def check(self, uid: int, secret: str) -> bool:
        """Password first, then API key (``_check_credentials``)."""
        if not secret:
            return False
        stored = self._passwords.get(uid)
        if stored is not None and hmac.compare_digest(stored, _digest(secret)):
            return True
        return self.key_user(secret) == uid

    def keys_of(self, uid: int) -> int:
        return sum(1 for k in self._keys if k.uid == uid)
