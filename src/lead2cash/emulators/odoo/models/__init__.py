"""The emulated Odoo models, by business area; :data:`ALL_MODELS` is what a server installs."""

from __future__ import annotations

from lead2cash.emulators.odoo.models import (
    account,
    base,
    hr,
    invoicing,
    move,
    payment,
    product,
    project,
    sale,
    timesheet,
)
from lead2cash.emulators.odoo.orm.model import Model

ALL_MODELS: list[type[Model]] = [
    *base.MODELS,
    *product.MODELS,
    *sale.MODELS,
    *invoicing.MODELS,
    *project.MODELS,
    *timesheet.MODELS,
    *hr.MODELS,
    *account.MODELS,
    *move.MODELS,
    *payment.MODELS,
]
