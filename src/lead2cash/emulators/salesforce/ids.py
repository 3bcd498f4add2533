"""Salesforce record ids: 15 case-sensitive characters (key prefix, pod, counter) plus a
three-character case-safe suffix, which makes the 18-character form the API returns.

Ids are compared in their 18-character form, so a client may send either form, as it may to
Salesforce.
"""

from __future__ import annotations

import re

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SHAPE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def _suffix(id15: str) -> str:
    out = []
    for chunk in range(3):
        bits = 0
        for i, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << i
        out.append(_SUFFIX[bits])
    return "".join(out)


def to18(value: str) -> str | None:
    """The 18-character form of an id, or ``None`` when ``value`` is not a well-formed id."""
    if not _SHAPE.match(value):
        return None
    id15 = value[:15]
    suffix = _suffix(id15)
    if len(value) == 18 and value[15:].upper() != suffix:
        return None
    return id15 + suffix


def make_id(prefix: str, counter: int) -> str:
    """The 18-character id of the ``counter``-th record with key prefix ``prefix``."""
    digits = []
    n = counter
    for _ in range(8):
        n, rem = divmod(n, 62)
        digits.append(_ALPHABET[rem])
    id15 = f"{prefix}5g00{''.join(reversed(digits))}"
    return id15 + _suffix(id15)


#: The emulated org's id (``00D`` is the Organization key prefix).
ORG_ID = make_id("00D", 1)
