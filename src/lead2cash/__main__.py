"""``python -m lead2cash`` is the ``l2c`` command."""

from __future__ import annotations

from lead2cash.cli.main import main

if __name__ == "__main__":
    main()
