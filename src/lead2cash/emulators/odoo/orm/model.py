"""``Model``: the base class of every emulated Odoo model (read, write, load)."""

from __future__ import annotations

from typing import Any

from lead2cash.emulators.odoo.orm.core import public_model
from lead2cash.emulators.odoo.orm.load import Loader
from lead2cash.emulators.odoo.orm.write import WriteMixin


class Model(WriteMixin):
    """An Odoo model: fields per version, CRUD, search, read, ``load``."""

    @public_model
    def load(self, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
        """The importer (see ``orm/load.py``); needs the model's own access rights only."""
        return Loader(self).run(fields, data)


class TransientModel(Model):
    """A wizard: records live as long as the database (the vacuum is not emulated)."""

    _transient = True
