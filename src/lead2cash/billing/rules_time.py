"""Time and materials: approved billable hours priced by the rate card, up to a cap.

Each entry is priced with ``RateCard.rate_for`` (the consultant's override first, then their
role's rate, on the entry's day); entries at the same rate make one line, whose sources are the
entries. An entry with no rate is a ``rate_missing`` block and stays unbilled.

The not-to-exceed cap counts the time amount billed over the whole contract (the ledger's
``amount_billed`` plus this run's rounded lines; expenses are outside the cap). Entries are taken
in (day, source key) order; an entry that would take the total past the cap is billed only up to
it, on a line of its own marked ``capped`` (its amount is exactly what the cap left, its
quantity the hours that pays for, to 0.01 h rounded down), and its remainder is an ``over_cap``
finding with hours and amount. Every later entry is over the cap entirely: not billed, not in
the ledger (so it bills if the cap is raised), reported as ``over_cap``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from lead2cash.billing.draft import Draft, hours_text, times
from lead2cash.billing.proposal import FindingKind, LineKind
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import TimeAndMaterials
from lead2cash.model.money import Money
from lead2cash.model.work import TimeEntry

#: Hours on a capped line: what the capped amount pays for, to this quantum, rounded down.
CAPPED_HOURS = Decimal("0.01")


@dataclass
class _RateGroup:
    rate: Money
    hours: Decimal = Decimal(0)
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Staffing:
    """Who an entry's consultant is for the rate card: their role and their override key."""

    role_of: Callable[[SourceRef], str | None]
    key_of: Callable[[SourceRef], str]

    def rate(self, terms: TimeAndMaterials, entry: TimeEntry) -> Money | None:
        return terms.rate_card.rate_for(
            consultant=self.key_of(entry.consultant),
            role=self.role_of(entry.consultant),
            day=entry.day,
        )


def bill_time(
    draft: Draft, terms: TimeAndMaterials, entries: Sequence[TimeEntry], staffing: Staffing
) -> None:
    """Price ``entries`` (billable, approved, in the period, unbilled, sorted) into lines."""
    cap = None if terms.cap is None else draft.rounded(terms.cap.amount)
    billed = draft.ledger.amount_billed.amount  # rounded lines so far, ledger included
    groups: dict[Decimal, _RateGroup] = {}
    capped: tuple[TimeEntry, Money, Decimal, Decimal] | None = None
    for entry in entries:
        key = entry.source.key
        rate = staffing.rate(terms, entry)
        if rate is None:
            draft.find(
                FindingKind.RATE_MISSING,
                f"no rate for {entry.consultant.key} on {entry.day}: "
                f"{hours_text(entry.hours)} h not billed",
                sources=[key],
                hours=entry.hours,
            )
            continue
        _check_source_rate(draft, entry, rate)
        group = groups.get(rate.amount) or _RateGroup(rate)
        before = draft.rounded(times(group.hours, rate.amount))
        after = draft.rounded(times(group.hours + entry.hours, rate.amount))
        if cap is None or billed - before + after <= cap:
            groups[rate.amount] = group
            group.hours += entry.hours
            group.sources.append(key)
            billed += after - before
            continue
        room = max(cap - billed, Decimal(0))
        hours = Decimal(0)
        if room > 0:  # the entry that crosses the cap: billed up to it
            hours = min((room / rate.amount).quantize(CAPPED_HOURS, ROUND_DOWN), entry.hours)
            capped = (entry, rate, hours, room)
            billed = cap
        draft.find(
            FindingKind.OVER_CAP,
            f"{hours_text(entry.hours - hours)} h of {key} are over the not-to-exceed cap of "
            f"{draft.money(cap)}: not billed",
            sources=[key],
            hours=entry.hours - hours,
            amount=draft.money(draft.rounded(times(entry.hours, rate.amount) - room)),
        )
    amounts = Decimal(0)
    for group in groups.values():
        line = draft.line(
            LineKind.TIME,
            f"Time {draft.period}: {hours_text(group.hours)} h at {group.rate} per hour",
            group.hours,
            group.rate,
            group.sources,
        )
        amounts += line.amount.amount
        draft.hours += group.hours
        draft.time_entries.extend(group.sources)
    if capped is not None:
        entry, rate, hours, room = capped
        line = draft.line(
            LineKind.TIME,
            f"Time {draft.period}: {hours_text(hours)} h at {rate} per hour, "
            f"up to the not-to-exceed cap of {terms.cap}",
            hours,
            rate,
            [entry.source.key],
            amount=room,
            capped=True,
        )
        amounts += line.amount.amount
        draft.hours += hours
        draft.time_entries.append(entry.source.key)
    draft.time_amount += amounts


def _check_source_rate(draft: Draft, entry: TimeEntry, rate: Money) -> None:
    source_rate = entry.billable_rate
    if source_rate is None:
        return
    if source_rate.currency == rate.currency and source_rate.amount == rate.amount:
        return
    draft.find(
        FindingKind.RATE_MISMATCH,
        f"{entry.source.key} carries the rate {source_rate} at the source; "
        f"billed at the rate card's {rate}",
        sources=[entry.source.key],
        hours=entry.hours,
    )
