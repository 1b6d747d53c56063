"""The audit store on real SQLite files and a real PostgreSQL: records, queries, prune, roles."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, func, make_url, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from citybrain.auth.audit import (
    AuditFilter,
    AuditRecord,
    AuditStore,
    AuditUnavailable,
    operation_hash,
)
from citybrain.auth.audit_tables import audit_checkpoints, audit_head, audit_records
from citybrain.connectors.cursors import InvalidCursor

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.sql import Executable

    from tests.servers import PostgresServer

DOCS = Path(__file__).parent.parent.parent / "docs"
NOW = dt.datetime(2025, 6, 30, 12, 0, 0, 123456, tzinfo=dt.UTC)
ID_NUMBER = "120101199003071235"


_DATABASES: dict[int, str] = {}  # one PostgreSQL database per server, emptied for each test


def new_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty audit store URL: a SQLite file under ``tmp_path``, or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'audit' / 'audit.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    if id(server) not in _DATABASES:
        _DATABASES[id(server)] = f"audit_{uuid.uuid4().hex[:16]}"
        server.create_database(_DATABASES[id(server)])
    database = _DATABASES[id(server)]
    tables = ", ".join(t.name for t in (audit_records, audit_head, audit_checkpoints))
    server.psql(f"SET lock_timeout = '5s'; DROP TABLE IF EXISTS {tables}", database)
    return str(server.url(database))


def make_records(
    count: int, *, at: dt.datetime = NOW, subject: str = "officer-7", first_key: int = 0
) -> list[AuditRecord]:
    """``count`` distinct records (keys, purposes and decisions vary)."""
    return [
        AuditRecord(
            at=at + dt.timedelta(microseconds=i),
            subject=subject,
            roles=("grid_worker", "analyst") if i % 2 else ("grid_worker",),
            purpose="epidemic-control" if i % 2 else None,
            entity_type="Person" if i % 3 else "Place",
            entity_key=f"12010119900307{first_key + i:04d}",
            fields=(("idNumber", "mask"), ("healthCode", "deny"), ("name", "allow")),
            request_id=f"req-{first_key + i}",
            operation_hash=operation_hash(f"{{ person {i} }}"),
            client_address="10.0.0.7",
        )
        for i in range(count)
    ]


async def run_sql(url: str, *statements: Executable) -> list[Any]:
    """Run statements in one committed transaction, as someone with write access would."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return [await conn.execute(s) for s in statements]
    finally:
        await engine.dispose()


async def row_of(url: str, seq: int) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            stmt = select(audit_records).where(audit_records.c.seq == seq)
            return dict((await conn.execute(stmt)).mappings().one())
    finally:
        await engine.dispose()


async def count_rows(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(audit_records)) or 0)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_store_url(request, tmp_path)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[AuditStore]:
    built = AuditStore(store_url)
    assert await built.create() is True
    yield built
    await built.close()


async def test_one_batch_appends_exactly_m_rows_and_every_attribute_round_trips(
    store: AuditStore, store_url: str
) -> None:
    records = make_records(7)
    await store.append(records)
    assert await count_rows(store_url) == 7
    page = await store.query(first=100)
    assert [e.seq for e in page.entries] == [7, 6, 5, 4, 3, 2, 1]
    assert [e.record for e in page.entries] == records[::-1]
    assert not page.has_next_page
    stored = page.entries[-1].record
    assert stored.at == NOW and stored.at.tzinfo == dt.UTC
    assert stored.fields == (("idNumber", "mask"), ("healthCode", "deny"), ("name", "allow"))
    report = await store.verify()
    assert (report.ok, report.checked, report.head_seq) == (True, 7, 7)
    assert report.head_hash == page.entries[0].hash


async def test_create_is_idempotent_and_empty_appends_write_nothing(
    store: AuditStore, store_url: str
) -> None:
    await store.append(make_records(2))
    await store.append([])
    assert await store.create() is False
    assert await count_rows(store_url) == 2
    await store.check_health()
    assert (await store.verify()).checked == 2


async def test_auditors_filter_by_subject_entity_and_time_newest_first(store: AuditStore) -> None:
    await store.append(make_records(3, subject="alice"))
    await store.append(make_records(2, subject="bob", at=NOW + dt.timedelta(days=1)))
    alice = await store.query(AuditFilter(subject="alice"))
    assert [e.seq for e in alice.entries] == [3, 2, 1]
    person = await store.query(
        AuditFilter(entity_type="Person", entity_key=make_records(2)[1].entity_key)
    )
    assert [(e.seq, e.record.subject) for e in person.entries] == [(5, "bob"), (2, "alice")]
    later = await store.query(AuditFilter(since=NOW + dt.timedelta(hours=1)))
    assert [e.seq for e in later.entries] == [5, 4]
    beijing = dt.timezone(dt.timedelta(hours=8))
    earlier = await store.query(
        AuditFilter(until=(NOW + dt.timedelta(hours=1)).astimezone(beijing))
    )
    assert [e.seq for e in earlier.entries] == [3, 2, 1]


async def test_pages_follow_the_cursor(store: AuditStore) -> None:
    await store.append(make_records(5))
    seen: list[int] = []
    after = None
    while True:
        page = await store.query(first=2, after=after)
        seen += [e.seq for e in page.entries]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [5, 4, 3, 2, 1]
    with pytest.raises(InvalidCursor):
        await store.query(after="not-a-cursor")
    with pytest.raises(ValueError, match="first"):
        await store.query(first=0)


async def test_prune_leaves_a_checkpoint_that_verify_starts_from(
    store: AuditStore, store_url: str
) -> None:
    old = NOW - dt.timedelta(days=300)
    await store.append(make_records(2, at=old))
    await store.append(make_records(1, at=old, first_key=2))
    await store.append(make_records(3, at=NOW - dt.timedelta(days=10), first_key=3))
    await store.append(make_records(1, at=old, first_key=6))  # old, but behind young ones
    report = await store.prune(184, now=NOW)
    assert (report.pruned, report.checkpoint_seq) == (3, 3)
    assert report.cutoff == NOW - dt.timedelta(days=184)
    assert await count_rows(store_url) == 4
    verified = await store.verify()
    assert (verified.ok, verified.checked, verified.checkpoint_seq) == (True, 4, 3)
    assert (await store.prune(184, now=NOW)).pruned == 0
    await store.append(make_records(2, first_key=7))
    assert (await store.verify()).checked == 6
    later = await store.prune(184, now=NOW + dt.timedelta(days=300))
    assert (later.pruned, later.checkpoint_seq) == (6, 9)
    assert (await store.verify()).ok


async def test_prune_refuses_short_retention_in_production(store_url: str) -> None:
    production = AuditStore(store_url, production=True)
    await production.create()
    try:
        with pytest.raises(ValueError, match="at least 184 days"):
            await production.prune(30)
        assert (await production.prune(184)).pruned == 0
    finally:
        await production.close()
    development = AuditStore(store_url)
    try:
        assert (await development.prune(30)).pruned == 0
        with pytest.raises(ValueError, match="at least 1"):
            await development.prune(0)
    finally:
        await development.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"at": dt.datetime(2025, 1, 1)}, "timezone-aware"),
        ({"fields": (("name", "show"),)}, "decision 'show'"),
        ({"operation_hash": "{ person }"}, "operation_hash"),
        ({"subject": "a\x00b"}, "NUL"),
    ],
)
def test_records_refuse_what_the_store_could_not_keep(change: dict[str, Any], message: str) -> None:
    base = make_records(1)[0]
    fields = {f: getattr(base, f) for f in base.__slots__}
    with pytest.raises(ValueError, match=message):
        AuditRecord(**{**fields, **change})


# What docs/audit.md tells operators to grant the service's PostgreSQL role.
WRITER_GRANTS = (
    "GRANT SELECT, INSERT ON audit_records TO citybrain_audit_writer;",
    "GRANT SELECT, UPDATE ON audit_head TO citybrain_audit_writer;",
    "GRANT SELECT ON audit_checkpoints TO citybrain_audit_writer;",
)


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
async def test_the_documented_postgres_writer_role_appends_but_cannot_rewrite(
    store_url: str, postgres_server: PostgresServer
) -> None:
    guide = (DOCS / "audit.md").read_text(encoding="utf-8")
    assert all(grant in guide for grant in WRITER_GRANTS)
    owner = AuditStore(store_url)
    await owner.create()
    postgres_server.psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        "'citybrain_audit_writer') THEN CREATE ROLE citybrain_audit_writer LOGIN; END IF; "
        "END $$; " + " ".join(WRITER_GRANTS),
        str(make_url(store_url).database),
    )
    writer_url = make_url(store_url).set(username="citybrain_audit_writer")
    writer = AuditStore(writer_url.render_as_string(hide_password=False))
    try:
        assert await writer.create() is False
        await writer.append(make_records(3))
        await writer.check_health()
        assert (await writer.verify()).checked == 3
        assert len((await writer.query()).entries) == 3
        with pytest.raises(AuditUnavailable):
            await writer.prune(1, now=NOW + dt.timedelta(days=400))
        for rewrite in (delete(audit_records), update(audit_records).values(subject="x")):
            with pytest.raises(DBAPIError, match="permission denied"):
                await run_sql(writer_url.render_as_string(hide_password=False), rewrite)
        assert (await owner.verify()).checked == 3
    finally:
        await writer.close()
        await owner.close()
