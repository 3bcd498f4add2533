"""Retainer: a monthly fee with included hours, overage beyond them, and optional rollover.

- The fee is billed once per period, for every period from the retainer's ``start`` (else the
  contract's ``start_date``) to the contract's ``end_date``; the month ``start`` falls in is
  billed in full (no proration). Periods are billed in order: after ``2026-11`` comes
  ``2026-12``; another period raises ``ValidationError(field="period")`` (a skipped month would
  lose its fee and its rollover).
- Billable hours draw down, entry by entry in (day, source key) order, first the hours carried
  in from the previous period (with ``rollover``), then the period's included hours; the hours
  beyond are one ``retainer_overage`` line at the overage rate, whose sources are the entries
  that went over (an entry that crosses the line is split: its part within the allowance is
  drawn down, the rest is overage). The fee line's sources are ``retainer:YYYY-MM`` and the
  entries drawn down.
- With ``rollover``, the period's unused *included* hours carry into the next period, at most
  ``max_rollover_hours`` when set; carried hours not used in the period they were carried into
  expire (they are drawn first, so that only happens in a period that used fewer hours than it
  carried in).
- A period whose fee is already billed is closed: its fee is reported ``already_billed`` and
  hours reaching it late are ``period_closed`` blocks (not billed, not in the ledger) for a
  person to move into an open period.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lead2cash import errors
from lead2cash.billing.draft import Draft, hours_text
from lead2cash.billing.proposal import FindingKind, LineKind, RetainerUsage
from lead2cash.model.contract import Retainer
from lead2cash.model.work import TimeEntry


def fee_key(draft: Draft) -> str:
    """The source key of a period's retainer fee (``retainer:2026-11``)."""
    return f"retainer:{draft.period}"


def bill_retainer(draft: Draft, terms: Retainer, entries: Sequence[TimeEntry]) -> None:
    """The fee, the drawdown and the overage of ``entries`` (billable, approved, in the period,
    unbilled, sorted)."""
    period, ledger, contract = draft.period, draft.ledger, draft.contract
    if period in ledger.retainer_periods:
        draft.find(
            FindingKind.ALREADY_BILLED,
            f"the retainer fee for {period} is already billed",
            sources=[fee_key(draft)],
            amount=terms.monthly_fee.rounded(),
        )
        for entry in entries:
            draft.find(
                FindingKind.PERIOD_CLOSED,
                f"{hours_text(entry.hours)} h of {entry.source.key} reached retainer period "
                f"{period} after it was billed: not billed",
                sources=[entry.source.key],
                hours=entry.hours,
            )
        return
    start = terms.start or contract.start_date
    if (start is not None and period.end < start) or (
        contract.end_date is not None and period.start > contract.end_date
    ):
        for entry in entries:
            draft.find(
                FindingKind.OUTSIDE_TERM,
                f"{hours_text(entry.hours)} h of {entry.source.key} fall in {period}, outside "
                f"the retainer's term: not billed",
                sources=[entry.source.key],
                hours=entry.hours,
            )
        return
    last = ledger.last_retainer_period
    if last is not None and period != last.next():
        raise errors.ValidationError(
            f"retainer period {period} cannot be billed: the last one billed is {last}, "
            f"the next one is {last.next()}",
            field="period",
            rule="retainer periods are billed in order",
        )
    _draw_down(draft, terms, entries)


def _draw_down(draft: Draft, terms: Retainer, entries: Sequence[TimeEntry]) -> None:
    carried_in = draft.ledger.rollover_hours if terms.rollover else Decimal(0)
    carry_left, included_left = carried_in, terms.included_hours
    drawn: list[str] = []
    over: list[str] = []
    overage = Decimal(0)
    for entry in entries:
        rest = entry.hours
        take = min(rest, carry_left)
        carry_left, rest = carry_left - take, rest - take
        take = min(rest, included_left)
        included_left, rest = included_left - take, rest - take
        if rest < entry.hours or entry.hours == 0:
            drawn.append(entry.source.key)
        if rest > 0:
            over.append(entry.source.key)
            overage += rest
    carried_out = Decimal(0)
    if terms.rollover:
        carried_out = included_left
        if terms.max_rollover_hours is not None:
            carried_out = min(carried_out, terms.max_rollover_hours)
    hours = sum((e.hours for e in entries), Decimal(0))
    usage = RetainerUsage(
        period=draft.period,
        carried_in=carried_in,
        included=terms.included_hours,
        hours=hours,
        from_carried=carried_in - carry_left,
        from_included=terms.included_hours - included_left,
        overage=overage,
        carried_out=carried_out,
        expired=carry_left + included_left - carried_out,
    )
    used = usage.from_carried + usage.from_included
    carried = f", {hours_text(carried_in)} h carried in" if terms.rollover else ""
    draft.line(
        LineKind.RETAINER_FEE,
        f"Retainer {draft.period}: monthly fee, {hours_text(terms.included_hours)} h included"
        f"{carried}; {hours_text(used)} h used",
        Decimal(1),
        terms.monthly_fee,
        [fee_key(draft), *drawn],
    )
    if overage > 0:
        draft.line(
            LineKind.RETAINER_OVERAGE,
            f"Retainer {draft.period}: {hours_text(overage)} h beyond the included hours "
            f"at {terms.overage_rate} per hour",
            overage,
            terms.overage_rate,
            over,
        )
    draft.time_entries.extend(e.source.key for e in entries)
    draft.hours += hours
    draft.rollover_hours = carried_out
    draft.retainer_period = draft.period
    draft.retainer = usage
