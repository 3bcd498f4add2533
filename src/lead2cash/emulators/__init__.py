"""Local servers that speak each external system's real wire protocol, with in-memory state.

One ASGI app per system (``odoo``, ``hubspot``, ``salesforce``, ``harvest``), each with a control
API under ``/_emulator/`` and fault injection (``faults.py``). The demo and the tests use them;
production code paths never do.
"""

from __future__ import annotations
