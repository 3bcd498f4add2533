"""CSV import for any time or expense tool: column profiles as data, typed rows, row errors.

The function API the CLI (``l2c import timesheets|expenses FILE --profile NAME``) calls::

    from lead2cash.connectors import csvfile

    result = csvfile.parse_timesheets("export.csv", "clockify", all_or_nothing=False)
    result.rows      # [TimesheetRow(line=2, external_id="sha256:...", day=..., hours=...)]
    result.errors    # [RowError(line=7, column="Start Date", reason="not a date ...")]

No database writes here: the caller stores the rows (by ``external_id``, so a re-import of the
same file is idempotent) and shows the errors. Profiles: ``profiles.py`` and
``docs/connectors/csv-profiles.md``.
"""

from __future__ import annotations

from lead2cash.connectors.csvfile.parse import parse_expenses, parse_timesheets
from lead2cash.connectors.csvfile.profiles import (
    FIELDS,
    REGISTRY,
    Column,
    CsvProfile,
    Kind,
    ProfileRegistry,
    builtin_profiles,
    get_profile,
    load_profiles,
)
from lead2cash.connectors.csvfile.rows import ExpenseRow, ParseResult, RowError, TimesheetRow

__all__ = [
    "FIELDS",
    "REGISTRY",
    "Column",
    "CsvProfile",
    "ExpenseRow",
    "Kind",
    "ParseResult",
    "ProfileRegistry",
    "RowError",
    "TimesheetRow",
    "builtin_profiles",
    "get_profile",
    "load_profiles",
    "parse_expenses",
    "parse_timesheets",
]
