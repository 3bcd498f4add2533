"""The system-of-record table and echo suppression."""

from __future__ import annotations

import pytest

from lead2cash import errors
from lead2cash.flows.ownership import CRM, DEFAULT, ODOO, is_echo
from lead2cash.store.bindings import content_hash


def test_owner_and_writable_subset() -> None:
    assert DEFAULT.owner("deal", "invoiced_to_date") == ODOO
    assert DEFAULT.owner("deal", "dealname") == CRM
    values = {"invoiced_to_date": "100.00", "dealname": "x", "overdue": False}
    assert DEFAULT.writable(ODOO, "deal", values) == {
        "invoiced_to_date": "100.00",
        "overdue": False,
    }


def test_a_write_to_a_field_owned_elsewhere_is_refused() -> None:
    with pytest.raises(errors.ConfigError, match="dealname of deal to odoo: owned by crm"):
        DEFAULT.check_write(ODOO, "deal", {"dealname": "renamed", "overdue": True})
    DEFAULT.check_write(ODOO, "deal", {"overdue": True})
    with pytest.raises(errors.ConfigError):
        DEFAULT.owner("spaceship", "x")


def test_echo_of_our_own_write_is_recognised() -> None:
    written = {"invoiced_to_date": "100.00", "overdue": False}
    last = content_hash(written)
    assert is_echo(last, {"overdue": False, "invoiced_to_date": "100.00"})
    assert not is_echo(last, {"overdue": True, "invoiced_to_date": "100.00"})
    assert not is_echo(None, written)
