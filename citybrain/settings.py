"""One settings object for the whole service, read from ``CITYBRAIN_*`` environment variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEPARTMENTS", "DEVELOPMENT_SIGNING_KEY", "Settings", "mask_url"]

# The four built-in departments; each has its own database (or HTTP base URL).
DEPARTMENTS: tuple[str, ...] = ("civil_affairs", "health", "transport", "grid")
DEVELOPMENT_SIGNING_KEY = "citybrain-development-key-not-for-production"

_URL_PASSWORD = re.compile(r"(?P<head>[a-z0-9+]+://[^:/@]*:)(?P<password>[^@]*)(?P<tail>@)")


def mask_url(url: str) -> str:
    """Hide the password of a database or HTTP URL: ``postgresql://u:***@host/db``."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", url)


class Settings(BaseSettings):
    """Settings of a citybrain process. Every field is also an environment variable.

    Building the object is cheap and does no I/O. With nothing set, the service runs on
    one SQLite file per department under ``data_dir``, an in-process cache and a development
    signing key.

    Args:
        data_dir: where the default SQLite files live (``CITYBRAIN_DATA_DIR``).
        civil_affairs_url: async SQLAlchemy URL of the civil-affairs database.
        health_url: async SQLAlchemy URL of the health database.
        transport_url: async SQLAlchemy URL of the transport database.
        grid_url: async SQLAlchemy URL of the grid-governance database.
        connectors: department -> name of the ``citybrain.connectors`` entry point that
            serves it, e.g. ``CITYBRAIN_CONNECTORS='{"health": "health"}'``.
        redis_url: Redis URL (``redis://host:6379/0``); with it, live updates reach
            subscribers on every server process (``CITYBRAIN_REDIS_URL``).

    Example:
        >>> Settings(data_dir=Path("/tmp/city")).department_url("health")
        'sqlite+aiosqlite:////tmp/city/health.sqlite3'
    """

    model_config = SettingsConfigDict(env_prefix="CITYBRAIN_", extra="forbid")

    data_dir: Path = Path("data")
    civil_affairs_url: str | None = None
    health_url: str | None = None
    transport_url: str | None = None
    grid_url: str | None = None
    connectors: dict[str, str] = Field(default_factory=dict)
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    graphiql: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    signing_key: SecretStr = SecretStr(DEVELOPMENT_SIGNING_KEY)
    sql_echo: bool = False
    profile: Literal["development", "production"] = "development"
    token_issuer: str = "citybrain"  # noqa: S105 - a claim value, not a secret
    token_audience: str = "citybrain"  # noqa: S105 - a claim value, not a secret
    jwks_file: Path | None = None
    audit_url: str | None = None
    policy_file: Path | None = None
    audit_retention_days: int = Field(default=184, ge=1)
    # Resilience of department calls (citybrain.connectors.resilience); per-department
    # overrides in `resilience`, e.g. {"health": {"timeout": 0.5, "concurrency": 4}}.
    department_timeout: float = Field(default=5.0, gt=0)
    department_concurrency: int = Field(default=32, ge=1)
    retry_attempts: int = Field(default=2, ge=0)
    retry_backoff: float = Field(default=0.025, ge=0)
    retry_budget: float = Field(default=0.2, ge=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_reset: float = Field(default=10.0, gt=0)
    statistics_timeout: float = Field(default=60.0, gt=0)
    resilience: dict[str, dict[str, float]] = Field(default_factory=dict)
    # Cache of department rows (citybrain.connectors.cache).
    redis_url: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://")
    cache_enabled: bool = True
    cache_ttl: float = Field(default=60.0, ge=0)
    cache_ttls: dict[str, float] = Field(default_factory=dict)
    cache_negative_ttl: float = Field(default=5.0, ge=0)
    cache_lists: bool = True
    cache_exclude: list[str] = Field(default_factory=list)
    cache_max_entries: int = Field(default=50_000, ge=1)
    cache_timeout: float = Field(default=0.05, gt=0)
    # Observability (citybrain.observability).
    log_format: Literal["json", "text"] = "json"
    otel_enabled: bool = False
    lineage_header: str = "X-Citybrain-Lineage"
    suppression_threshold: int = Field(default=5, ge=1)
    screening_max_ids: int = Field(default=10_000, ge=1)
    screening_test_window_hours: int = Field(default=72, ge=1)
    screening_at_window_hours: int = Field(default=24, ge=0)
    # --- HTTP safety: limits, cost, persisted operations, abuse controls (docs/security.md)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_document_chars: int = Field(default=15_000, ge=100)
    max_tokens: int = Field(default=1_000, ge=10)
    max_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=15, ge=0)
    max_directives: int = Field(default=50, ge=0)
    max_root_fields: int = Field(default=20, ge=1)
    max_cost: int = Field(default=50_000, ge=1)
    cost_budgets: dict[str, int] = Field(default_factory=dict)
    cost_mode: Literal["enforce", "measure"] = "enforce"
    persisted_queries: bool = True
    safelist: Literal["off", "enforce", "log"] = "off"
    operations_file: Path | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=0)
    cors_origins: list[str] = Field(default_factory=list)
    gateway_secret: SecretStr | None = None
    introspection: bool | None = None
    persisted_get_only: bool | None = None
    allow_sqlite_audit: bool = False

    @field_validator("cost_budgets")
    @classmethod
    def _budgets_name_known_roles(cls, budgets: dict[str, int]) -> dict[str, int]:
        """A budget for a role that does not exist is a typo, never silently ignored."""
        # Imported here: citybrain.auth reads these settings at import time.
        from citybrain.auth.roles import Role

        known = [role.value for role in Role]
        unknown = sorted(set(budgets) - set(known))
        if unknown:
            raise ValueError(
                f"unknown roles {unknown} in CITYBRAIN_COST_BUDGETS; the roles are "
                f"{', '.join(known)}"
            )
        return budgets

    def department_url(self, department: str) -> str:
        """The database URL of ``department``: the configured one or the SQLite default."""
        url: str | None = getattr(self, f"{department}_url", None)
        if url:
            return url
        return f"sqlite+aiosqlite:///{self.data_dir.absolute() / department}.sqlite3"

    def connector_name(self, department: str) -> str:
        """The entry-point name chosen for ``department`` (by default, the department's own)."""
        return self.connectors.get(department, department)

    def audit_store_url(self) -> str:
        """The audit store's URL: the configured one or a SQLite file beside the departments."""
        if self.audit_url:
            return self.audit_url
        return f"sqlite+aiosqlite:///{self.data_dir.absolute() / 'audit'}.sqlite3"

    def operations_manifest(self) -> Path:
        """Where registered operations (the safelist) are kept: the setting or the data dir."""
        return self.operations_file or self.data_dir / "operations.json"

    def uses_development_defaults(self) -> list[str]:
        """Name each development default still in force (empty in a production set-up)."""
        found = [f"{d}_url (SQLite file)" for d in DEPARTMENTS if not getattr(self, f"{d}_url")]
        if self.signing_key.get_secret_value() == DEVELOPMENT_SIGNING_KEY:
            found.append("signing_key (development key)")
        return found

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            if isinstance(value, str) and name and name.endswith("_url"):
                yield name, mask_url(value)
            else:
                yield name, value
