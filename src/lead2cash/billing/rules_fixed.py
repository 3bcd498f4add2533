"""Fixed amounts on a schedule: milestones and fixed-fee instalments.

Each milestone or instalment is worth its ``amount``, or its ``share`` of the whole (the
milestone contract's ``contract_value``, the fixed fee's ``total``), rounded half-up to the
currency. When the schedule adds up exactly to the whole (computed without rounding), the last
item of the list takes the rounding remainder, so the rounded items add up to the rounded whole
to the last minor unit; when it does not, a ``schedule_mismatch`` warning says by how much.
The amounts are planned over the whole schedule on every run, so each item bills the same
amount whichever period bills it.

- A milestone bills once it is ``reached`` (and, when ``reached_on`` is known, by the end of
  the period).
- An instalment bills once its ``due_date`` is on or before the period's end, including
  instalments of earlier periods not invoiced yet.

Keys in the ledger are reported ``already_billed`` and not billed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lead2cash.billing.draft import Draft, exact_sum, times
from lead2cash.billing.proposal import FindingKind, LineKind
from lead2cash.model.contract import FixedFee, MilestoneTerms
from lead2cash.model.money import Money


def planned_amounts(
    draft: Draft, parts: Sequence[tuple[Money | None, Decimal | None]], whole: Money | None
) -> list[Decimal]:
    """The rounded amount of each ``(amount, share)`` part of ``whole``; the last part takes the
    rounding remainder when the parts add up to ``whole`` exactly."""
    exact: list[Decimal] = []
    for amount, share in parts:
        if amount is not None:
            exact.append(amount.amount)
        else:
            assert whole is not None  # the model checks shares have a whole
            assert share is not None
            exact.append(times(share, whole.amount))
    rounded = [draft.rounded(value) for value in exact]
    if whole is None:
        return rounded
    if exact_sum(exact) == whole.amount:
        rounded[-1] = draft.rounded(whole.amount) - sum(rounded[:-1], Decimal(0))
        return rounded
    planned = sum(rounded, Decimal(0))
    draft.find(
        FindingKind.SCHEDULE_MISMATCH,
        f"the schedule adds up to {draft.money(planned)}, not {whole.rounded()}; "
        f"{draft.money(draft.rounded(whole.amount) - planned)} is not scheduled",
        amount=draft.money(draft.rounded(whole.amount) - planned),
    )
    return rounded


def bill_milestones(draft: Draft, terms: MilestoneTerms) -> None:
    value = terms.contract_value
    amounts = planned_amounts(draft, [(m.amount, m.share) for m in terms.milestones], value)
    for milestone, amount in zip(terms.milestones, amounts, strict=True):
        if not milestone.reached or (
            milestone.reached_on is not None and milestone.reached_on > draft.period.end
        ):
            continue
        price = draft.money(amount)
        if milestone.key in draft.ledger.milestones:
            draft.find(
                FindingKind.ALREADY_BILLED,
                f"milestone {milestone.name!r} is already invoiced",
                sources=[milestone.key],
                amount=price,
            )
            continue
        part = ""
        if milestone.share is not None and value is not None:
            part = f" ({_percent(milestone.share)} of {value.rounded()})"
        draft.line(
            LineKind.MILESTONE,
            f"Milestone {milestone.name}{part}",
            Decimal(1),
            price,
            [milestone.key],
        )
        draft.milestones.append(milestone.key)


def bill_instalments(draft: Draft, terms: FixedFee) -> None:
    amounts = planned_amounts(draft, [(i.amount, i.share) for i in terms.instalments], terms.total)
    due = sorted(
        (
            (instalment, amount, index)
            for index, (instalment, amount) in enumerate(
                zip(terms.instalments, amounts, strict=True)
            )
            if instalment.due_date <= draft.period.end
        ),
        key=lambda item: (item[0].due_date, item[2]),
    )
    for instalment, amount, _ in due:
        price = draft.money(amount)
        if instalment.key in draft.ledger.instalments:
            draft.find(
                FindingKind.ALREADY_BILLED,
                f"instalment {instalment.key!r} due {instalment.due_date} is already invoiced",
                sources=[instalment.key],
                amount=price,
            )
            continue
        part = "" if instalment.share is None else f", {_percent(instalment.share)}"
        draft.line(
            LineKind.INSTALMENT,
            f"Fixed fee instalment {instalment.key} due {instalment.due_date}{part} of "
            f"{terms.total.rounded()}",
            Decimal(1),
            price,
            [instalment.key],
        )
        draft.instalments.append(instalment.key)


def _percent(share: Decimal) -> str:
    """``0.4`` → ``40 %``; a third → ``33.33 %``."""
    value = times(share, Decimal(100))
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text} %"
