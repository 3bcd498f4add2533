"""The Odoo connector (17, 18, 19): one client over three protocols, version compatibility,
the idempotent writer and the doctor.

- ``settings.py``: :class:`OdooSettings` (``L2C_ODOO__*``);
- ``transports/``: JSON-2, JSON-RPC and XML-RPC behind one small protocol;
- ``faults.py``: every Odoo failure mapped to :mod:`lead2cash.errors`;
- ``client.py``: :class:`OdooClient` (version detection, protocol choice, company context);
- ``compat.py``: field renames and features per database (:class:`Compat`);
- ``writer.py``: :class:`ExternalIdWriter`, upsert by external id with ``Model.load``;
- ``reader.py``: paged reads and reference data by external id or name;
- ``doctor.py``: readiness and least-privilege checks (``l2c odoo doctor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import httpx

from lead2cash.connectors.odoo.client import OdooClient, ServerVersion
from lead2cash.connectors.odoo.compat import Compat
from lead2cash.connectors.odoo.doctor import DoctorReport, run_doctor
from lead2cash.connectors.odoo.reader import OdooReader, ReferenceCache
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.odoo.writer import (
    ExternalIdWriter,
    RowResult,
    UpsertRow,
    WriteReport,
    external_id,
)


@dataclass(frozen=True)
class OdooConnector:
    """The Odoo connector's entry in the registry: its settings model and client factory."""

    kind: ClassVar[str] = "odoo"
    settings_model: ClassVar[type[OdooSettings]] = OdooSettings

    def client(self, settings: OdooSettings, *, http: httpx.Client | None = None) -> OdooClient:
        return OdooClient(settings, http=http)


CONNECTOR = OdooConnector()

__all__ = [
    "CONNECTOR",
    "Compat",
    "DoctorReport",
    "ExternalIdWriter",
    "OdooClient",
    "OdooConnector",
    "OdooReader",
    "OdooSettings",
    "ReferenceCache",
    "RowResult",
    "ServerVersion",
    "UpsertRow",
    "WriteReport",
    "external_id",
    "run_doctor",
]
