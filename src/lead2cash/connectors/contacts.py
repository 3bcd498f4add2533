"""What the CRM connectors share when they turn a person into a canonical contact."""

from __future__ import annotations

import logging
import re

#: The pattern ``Contact.email`` accepts (``model/party.py``).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def usable_email(
    email: str | None, *, system: str, contact_id: str, log: logging.Logger
) -> str | None:
    """``email`` when a canonical contact accepts it; otherwise ``None`` and a warning on
    ``log`` (the connector's logger): a typo in a CRM's email field must not hold the deal up."""
    if email is None or _EMAIL.match(email):
        return email
    log.warning(
        "%s contact %s has an invalid email; it is left out",
        system,
        contact_id,
        extra={"action": "invalid_email", "system": system, "external_id": contact_id},
    )
    return None
