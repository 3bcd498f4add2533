"""Run an emulator's ASGI app with uvicorn: in the foreground (CLI) or in a thread (tests, demo)."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn


@dataclass
class RunningServer:
    """An emulator served on a real socket, with its base URL."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _config(app: Any, host: str, port: int, tls_dir: Path | None) -> uvicorn.Config:
    kwargs: dict[str, Any] = {}
    if tls_dir is not None:
        cert, key = self_signed_certificate(tls_dir, host)
        kwargs = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", access_log=False, **kwargs
    )


def start_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, tls: bool = False
) -> RunningServer:
    """Serve ``app`` in a daemon thread; returns once the socket accepts connections."""
    tls_dir = Path(tempfile.mkdtemp(prefix="l2c-tls-")) if tls else None
    server = uvicorn.Server(_config(app, host, port, tls_dir))
    thread = threading.Thread(target=server.run, name=f"emulator-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("emulator server did not start")
        time.sleep(0.01)
    sock_port = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    return RunningServer(f"{scheme}://{host}:{sock_port}", server, thread)


@contextlib.contextmanager
def serving(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, tls: bool = False
) -> Iterator[RunningServer]:
    """Context manager around :func:`start_in_thread`."""
    running = start_in_thread(app, host, port, tls=tls)
    try:
        yield running
    finally:
        running.stop()


def serve_forever(app: Any, host: str, port: int, *, tls: bool = False) -> None:
    """Serve ``app`` in the foreground until interrupted (``l2c emulator ...``)."""
    tls_dir = Path(tempfile.mkdtemp(prefix="l2c-tls-")) if tls else None
    uvicorn.Server(_config(app, host, port, tls_dir)).run()


def self_signed_certificate(directory: Path, host: str) -> tuple[Path, Path]:
    """Make a self-signed certificate for ``host`` (and 127.0.0.1, localhost) in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    sans: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    with contextlib.suppress(ValueError):
        sans.append(x509.IPAddress(ipaddress.ip_address(host)))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path
