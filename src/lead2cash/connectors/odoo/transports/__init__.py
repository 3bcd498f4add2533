"""Transports: one class per protocol behind the small :class:`Transport` protocol.

- :class:`Json2Transport`: ``/json/2/<model>/<method>`` (Odoo 19+), bearer API key;
- :class:`JsonRpcTransport`: ``/jsonrpc`` (17-19);
- :class:`XmlRpcTransport`: ``/xmlrpc/2`` (17-19).

All three share one :class:`httpx.Client` per connection and raise only :mod:`lead2cash.errors`
classes (through ``faults.py``).
"""

from __future__ import annotations

from lead2cash.connectors.odoo.transports.base import (
    NONE_RESULT,
    CountingTransport,
    Transport,
    encode,
)
from lead2cash.connectors.odoo.transports.json2 import Json2Transport
from lead2cash.connectors.odoo.transports.jsonrpc import JsonRpcTransport
from lead2cash.connectors.odoo.transports.xmlrpc import XmlRpcTransport

__all__ = [
    "NONE_RESULT",
    "CountingTransport",
    "Json2Transport",
    "JsonRpcTransport",
    "Transport",
    "XmlRpcTransport",
    "encode",
]
