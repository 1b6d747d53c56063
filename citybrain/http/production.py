"""What ``citybrain serve --production`` refuses at the HTTP layer and in its stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from citybrain.http.manifest import ManifestError, load_manifest

if TYPE_CHECKING:
    from citybrain.settings import Settings

__all__ = ["production_problems"]


def production_problems(settings: Settings) -> list[str]:
    """Each production set-up problem of the safety settings, saying what to set."""
    problems: list[str] = []
    audit_url = settings.audit_url or ""
    if (not audit_url or audit_url.startswith("sqlite")) and not settings.allow_sqlite_audit:
        problems.append(
            "the audit trail is a SQLite file: set CITYBRAIN_AUDIT_URL to PostgreSQL, or "
            "CITYBRAIN_ALLOW_SQLITE_AUDIT=true to consent to a single-host file"
        )
    rate_limited = settings.rate_limit_per_minute != 0
    if not settings.redis_url and (settings.persisted_queries or rate_limited):
        problems.append(
            "no CITYBRAIN_REDIS_URL: persisted queries and rate-limit counters would live "
            "in each worker alone (set it, or CITYBRAIN_PERSISTED_QUERIES=false and "
            "CITYBRAIN_RATE_LIMIT_PER_MINUTE=0)"
        )
    if settings.safelist == "enforce":
        try:
            registered = load_manifest(settings.operations_manifest())
        except ManifestError as exc:
            problems.append(str(exc))
        else:
            if not registered:
                problems.append(
                    f"CITYBRAIN_SAFELIST=enforce but {settings.operations_manifest()} holds no "
                    "operation: `citybrain operations register FILE…` first"
                )
    if settings.introspection:
        problems.append("CITYBRAIN_INTROSPECTION=true: the production profile keeps it off")
    return problems
