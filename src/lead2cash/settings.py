"""Runtime settings, built once at the entry point (CLI, API lifespan) and passed down.

Nothing else reads ``os.environ``. Environment variables use the ``L2C_`` prefix and ``__`` for
nesting (``L2C_ODOO__URL``). Secrets are :class:`pydantic.SecretStr` and never printed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path(".l2c")


def default_database_url(home: Path) -> str:
    """The embedded default: SQLite in WAL mode at ``<home>/l2c.db``."""
    return f"sqlite:///{home / 'l2c.db'}"


class WorkerSettings(BaseModel):
    """How a worker claims and runs jobs."""

    model_config = ConfigDict(extra="forbid")

    concurrency: int = Field(default=1, ge=1, le=256)
    batch_size: int = Field(default=50, ge=1, le=1000)
    lease_seconds: float = Field(default=60.0, gt=0)
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    poll_seconds: float = Field(default=0.5, gt=0)
    park_timeout_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)
    auth_pause_seconds: float = Field(default=300.0, gt=0)


class RetrySettings(BaseModel):
    """The default retry policy for transient failures."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(default=8, ge=1)
    base_seconds: float = Field(default=2.0, gt=0)
    factor: float = Field(default=2.0, ge=1)
    cap_seconds: float = Field(default=3600.0, gt=0)


class Settings(BaseSettings):
    """The root of lead2cash's settings."""

    model_config = SettingsConfigDict(env_prefix="L2C_", env_nested_delimiter="__", extra="ignore")

    home: Path = DEFAULT_HOME
    database_url: str | None = None
    env: str = "dev"
    dedup_retention_days: int = Field(default=90, ge=1)
    #: HMAC key of the audit chain; without it the chain is plain SHA-256.
    audit_key: SecretStr | None = None
    #: Modules whose ``register(registry)`` adds job handlers (``L2C_HANDLERS='["a.b"]'``).
    handlers: list[str] = Field(default_factory=list)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url(self.home)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI flags) on top."""
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)  # type: ignore[arg-type]
