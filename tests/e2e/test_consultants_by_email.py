"""``match_consultants_by_email``: a consultant missing from ``consultants`` is the company's
employee with that work e-mail (CSV exports name people by e-mail); switched off, the entry
waits for a mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lead2cash.demo import sources
from lead2cash.demo.firm import PEOPLE
from lead2cash.demo.stack import StackFactory
from lead2cash.flows.imports import import_file
from lead2cash.store.jobs import NewJob

UK = {p.name for p in PEOPLE if p.company == "uk"}


@pytest.mark.parametrize("by_email", [True, False])
def test_an_unmapped_consultant_is_found_by_work_email(
    make_stack: StackFactory, tmp_path: Path, by_email: bool
) -> None:
    overrides = {"consultants": {}, "match_consultants_by_email": by_email}
    with make_stack(mapping_overrides=overrides) as st:
        ids = sources.seed_salesforce(st.control["salesforce"])
        st.hub.store.jobs.enqueue([NewJob("deal_to_project.poll", "poll", {})])
        st.drain()
        times, _ = sources.write_uk_csv(tmp_path, ids, start=date(2026, 11, 2), days=2)
        import_file(st.hub.store, "timesheets", times, "generic")
        st.drain()
        lines = st.admin.search_read(
            "account.analytic.line", [("project_id", "!=", False)], ["employee_id"]
        )
        problems = [(kind, state, error) for kind, state, error, _ in st.problems()]
        if by_email:
            assert lines and {line["employee_id"][1] for line in lines} == UK
            assert not problems
        else:
            assert not lines
            assert problems and {e for _, _, e in problems} == {"missing_reference"}
