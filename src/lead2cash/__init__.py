"""lead2cash: the integration hub between CRM, time and expense tools, and Odoo."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

# A library stays silent unless the application (the CLI, the API) configures logging.
logging.getLogger(__name__).addHandler(logging.NullHandler())

try:
    __version__ = version("lead2cash")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
