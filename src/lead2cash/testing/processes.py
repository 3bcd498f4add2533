"""Start real ``l2c worker`` processes for crash, concurrency and benchmark runs."""

from __future__ import annotations

import os
import subprocess
import sys


def worker_process(
    url: str,
    *,
    concurrency: int = 1,
    kind: str = "test.sink",
    lease: float = 2.0,
    batch: int = 10,
    stderr: int | None = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """``python -m lead2cash worker`` with the test handlers, short leases and fast polling."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("L2C_")}
    env |= {
        "L2C_WORKER__LEASE_SECONDS": str(lease),
        "L2C_WORKER__HEARTBEAT_SECONDS": "0.5",
        "L2C_WORKER__POLL_SECONDS": "0.05",
        "L2C_WORKER__BATCH_SIZE": str(batch),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lead2cash",
            "worker",
            "--handlers",
            "lead2cash.testing.handlers",
            "--kind",
            kind,
            "--concurrency",
            str(concurrency),
            "--database-url",
            url,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
