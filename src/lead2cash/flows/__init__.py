"""Flows: deal_to_project, timesheets, expenses, billing, status_feedback, master_data.

Flows speak only canonical objects; connectors translate to and from each system.
"""

from __future__ import annotations
