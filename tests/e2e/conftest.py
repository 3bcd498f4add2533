"""The end-to-end stack: every emulator on 127.0.0.1, a SQLite store, the flows' handlers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from lead2cash.demo.stack import Stack, StackFactory, stack
from lead2cash.store.facade import Store


@pytest.fixture
def e2e_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'l2c.db'}", upgrade=True)
    yield store
    store.close()


@pytest.fixture
def make_stack(e2e_store: Store) -> StackFactory:
    def make(**kwargs: Any) -> AbstractContextManager[Stack]:
        return stack(e2e_store, **kwargs)

    return make
