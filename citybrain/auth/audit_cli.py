"""``citybrain audit verify`` and ``citybrain audit prune``: the audit store for operators.

Exit codes: 0 done; 1 the chain is broken (``verify``, or ``prune`` refusing to delete a
broken record); 2 nothing was checked or changed (store unreachable, argument refused).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from citybrain.auth.audit_records import MINIMUM_RETENTION_DAYS
from citybrain.settings import Settings

if TYPE_CHECKING:
    from citybrain.auth.audit_records import PruneReport, VerifyReport

__all__ = ["audit_app"]

audit_app = typer.Typer(
    help="The tamper-evident audit store: verify its hash chain, prune old records.",
    no_args_is_help=True,
    add_completion=False,
)


async def _verify(settings: Settings) -> VerifyReport:
    from citybrain.auth.audit_store import AuditStore

    store = AuditStore.from_settings(settings)
    try:
        return await store.verify()
    finally:
        await store.close()


async def _prune(settings: Settings, days: int) -> PruneReport:
    from citybrain.auth.audit_store import AuditStore

    store = AuditStore.from_settings(settings)
    try:
        return await store.prune(days)
    finally:
        await store.close()


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@audit_app.command()
def verify() -> None:
    """Walk the chain from the last prune checkpoint; name the first broken record (exit 1)."""
    from citybrain.auth.audit_records import AuditUnavailable

    try:
        report = asyncio.run(_verify(Settings()))
    except AuditUnavailable as exc:
        raise _fail(f"audit chain not verified: {exc}", 2) from None
    if not report.ok:
        raise _fail(
            f"audit chain BROKEN at record seq {report.first_broken_seq}: {report.reason}. "
            f"{report.checked} records before it are intact. Restore the store from a backup "
            "or investigate who had write access; do not prune.",
            1,
        )
    since = (
        "since the first record"
        if report.checkpoint_seq is None
        else f"since checkpoint seq {report.checkpoint_seq} (records up to it were pruned)"
    )
    typer.echo(f"audit chain intact: {report.checked} records {since}")
    typer.echo(f"head: seq {report.head_seq}, hash {report.head_hash}")


@audit_app.command()
def prune(
    older_than_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Delete records older than this many days "
            "(default: CITYBRAIN_AUDIT_RETENTION_DAYS; production minimum 184).",
        ),
    ] = None,
) -> None:
    """Delete the oldest records, leaving a checkpoint so that `verify` still passes."""
    from citybrain.auth.audit_records import AuditChainBroken, AuditUnavailable

    settings = Settings()
    days = older_than_days if older_than_days is not None else settings.audit_retention_days
    if settings.profile == "production" and days < MINIMUM_RETENTION_DAYS:
        source = (
            "--older-than-days" if older_than_days is not None else "CITYBRAIN_AUDIT_RETENTION_DAYS"
        )
        raise _fail(
            f"refusing to prune: production keeps audit records at least "
            f"{MINIMUM_RETENTION_DAYS} days (six months), and {source} is {days}; "
            f"use {MINIMUM_RETENTION_DAYS} or more",
            2,
        )
    try:
        report = asyncio.run(_prune(settings, days))
    except AuditChainBroken as exc:
        raise _fail(str(exc), 1) from None
    except AuditUnavailable as exc:
        raise _fail(f"nothing pruned: {exc}", 2) from None
    cutoff = f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
    if report.pruned == 0:
        typer.echo(f"nothing to prune: no records before {cutoff} ({days} days)")
        return
    typer.echo(
        f"pruned {report.pruned} audit records before {cutoff} ({days} days); "
        f"checkpoint: seq {report.checkpoint_seq}, hash {report.checkpoint_hash}"
    )
