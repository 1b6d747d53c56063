"""``citybrain audit verify`` and ``citybrain audit prune``, configured by CITYBRAIN_* only."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from citybrain.auth.audit import AuditRecord, AuditStore
from citybrain.auth.audit_tables import audit_records
from citybrain.cli import app
from citybrain.settings import Settings
from tests.auth.test_audit import ID_NUMBER, make_records, new_store_url, run_sql
from tests.servers import free_port

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The audit store that ``Settings()`` names: the data directory's, or CITYBRAIN_AUDIT_URL."""
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path / "data"))
    if request.param == "postgres":
        monkeypatch.setenv("CITYBRAIN_AUDIT_URL", new_store_url(request, tmp_path))
    return Settings().audit_store_url()


def fill(url: str, *batches: list[AuditRecord]) -> None:
    async def append() -> None:
        store = AuditStore(url)
        try:
            await store.create()
            for batch in batches:
                await store.append(batch)
        finally:
            await store.close()

    asyncio.run(append())


def days_ago(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


def test_verify_reports_an_intact_chain(store_url: str) -> None:
    fill(store_url, make_records(2), make_records(1, first_key=2))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 3 records since the first record" in result.output
    assert "head: seq 3, hash " in result.output


def test_verify_names_the_first_broken_record_and_exits_1(store_url: str) -> None:
    fill(store_url, make_records(4))
    stmt = update(audit_records).where(audit_records.c.seq == 2).values(entity_key=ID_NUMBER)
    asyncio.run(run_sql(store_url, stmt))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain BROKEN at record seq 2: its content does not match its hash" in (
        result.output
    )
    assert ID_NUMBER not in result.output


@pytest.mark.parametrize("store", ["missing file", "garbage file", "closed port"])
def test_verify_and_prune_without_a_store_exit_2_and_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    if store == "garbage file":
        (tmp_path / "audit.sqlite3").write_bytes(b"not a database " * 512)
    if store == "closed port":
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/audit"
        monkeypatch.setenv("CITYBRAIN_AUDIT_URL", url)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "audit chain not verified: the audit store could not be read" in result.output
    result = runner.invoke(app, ["audit", "prune"])
    assert result.exit_code == 2, result.output
    assert "nothing pruned: the audit store could not be pruned" in result.output
    assert (tmp_path / "audit.sqlite3").exists() == (store == "garbage file")


def test_prune_uses_the_retention_setting_and_verify_still_passes(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store_url, make_records(2, at=days_ago(200)), make_records(1, at=days_ago(1)))
    result = runner.invoke(app, ["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert "pruned 2 audit records" in result.output and "(184 days)" in result.output
    assert "checkpoint: seq 2" in result.output
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 1 records since checkpoint seq 2" in result.output
    monkeypatch.setenv("CITYBRAIN_AUDIT_RETENTION_DAYS", "365")
    assert "nothing to prune" in runner.invoke(app, ["audit", "prune"]).output
    result = runner.invoke(app, ["audit", "prune", "--older-than-days", "1"])
    assert "pruned 1 audit records" in result.output


def test_prune_refuses_less_than_184_days_in_production(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store_url, make_records(2, at=days_ago(100)))
    monkeypatch.setenv("CITYBRAIN_PROFILE", "production")
    result = runner.invoke(app, ["audit", "prune", "--older-than-days", "30"])
    assert result.exit_code == 2
    assert "refusing to prune: production keeps audit records at least 184 days" in result.output
    assert "--older-than-days is 30" in result.output
    monkeypatch.setenv("CITYBRAIN_AUDIT_RETENTION_DAYS", "90")
    result = runner.invoke(app, ["audit", "prune"])
    assert result.exit_code == 2
    assert "CITYBRAIN_AUDIT_RETENTION_DAYS is 90" in result.output
    result = runner.invoke(app, ["audit", "prune", "--older-than-days", "184"])
    assert result.exit_code == 0 and "nothing to prune" in result.output


def test_prune_refuses_to_delete_a_broken_record(store_url: str) -> None:
    fill(store_url, make_records(3, at=days_ago(300)))
    stmt = update(audit_records).where(audit_records.c.seq == 1).values(subject="x")
    asyncio.run(run_sql(store_url, stmt))
    result = runner.invoke(app, ["audit", "prune"])
    assert result.exit_code == 1
    assert "refusing to prune: audit record 1 is broken" in result.output
