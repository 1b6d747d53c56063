"""Tampering with the audit store, in each of the four ways and more, is named by verify."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, update

from citybrain.auth.audit import AuditChainBroken, AuditStore, AuditUnavailable, operation_hash
from citybrain.auth.audit_tables import audit_checkpoints, audit_head, audit_records
from tests.auth.test_audit import (
    ID_NUMBER,
    NOW,
    count_rows,
    make_records,
    new_store_url,
    row_of,
    run_sql,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.sql import Executable


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_store_url(request, tmp_path)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[AuditStore]:
    built = AuditStore(store_url)
    await built.create()
    yield built
    await built.close()


def _set(where_seq: int, **values: Any) -> Executable:
    return update(audit_records).where(audit_records.c.seq == where_seq).values(**values)


async def test_an_edit_of_any_column_names_the_edited_record(
    store: AuditStore, store_url: str
) -> None:
    await store.append(make_records(3))
    await store.append(make_records(3, first_key=3))
    original = await row_of(store_url, 4)
    edits: dict[str, Any] = {
        "at": NOW + dt.timedelta(seconds=1),
        "subject": "someone-else",
        "roles": '["admin"]',
        "purpose": "epidemic-control",
        "entity_type": "Vehicle",
        "entity_key": ID_NUMBER,
        "fields": '[["healthCode","allow"]]',
        "request_id": "req-x",
        "operation_hash": operation_hash("{ other }"),
        "client_address": "10.9.9.9",
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }
    assert set(edits) == {c.name for c in audit_records.c} - {"seq"}
    for column, value in edits.items():
        await run_sql(store_url, _set(4, **{column: value}))
        report = await store.verify()
        assert (report.ok, report.first_broken_seq, report.checked) == (False, 4, 3), column
        await run_sql(store_url, _set(4, **{column: original[column]}))
        assert (await store.verify()).ok, column
    await run_sql(store_url, _set(4, seq=100))  # renumbered: 4 is missing, 100 out of place
    assert (await store.verify()).first_broken_seq == 4
    await run_sql(store_url, _set(100, seq=4))
    await run_sql(store_url, _set(4, roles='[ "grid_worker" ]'))  # same value, not canonical
    assert (await store.verify()).first_broken_seq == 4


async def test_a_deleted_middle_record_is_named(store: AuditStore, store_url: str) -> None:
    await store.append(make_records(6))
    await run_sql(store_url, delete(audit_records).where(audit_records.c.seq == 3))
    report = await store.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 3, 2)
    assert "missing" in report.reason


@pytest.mark.parametrize("how", ["seq", "contents"])
async def test_two_swapped_records_are_named(store: AuditStore, store_url: str, how: str) -> None:
    await store.append(make_records(6))
    if how == "seq":
        await run_sql(store_url, _set(2, seq=-2), _set(4, seq=2), _set(-2, seq=4))
    else:
        two, four = await row_of(store_url, 2), await row_of(store_url, 4)
        del two["seq"], four["seq"]
        await run_sql(store_url, _set(2, **four), _set(4, **two))
    report = await store.verify()
    assert (report.ok, report.first_broken_seq) == (False, 2)


async def test_a_truncated_tail_is_named(store: AuditStore, store_url: str) -> None:
    await store.append(make_records(6))
    await run_sql(store_url, delete(audit_records).where(audit_records.c.seq >= 5))
    report = await store.verify()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 5, 4)
    assert "truncated" in report.reason


async def test_a_missing_or_edited_head_is_caught(store: AuditStore, store_url: str) -> None:
    await store.append(make_records(3))
    await run_sql(store_url, update(audit_head).values(last_hash="0" * 64))
    assert (await store.verify()).first_broken_seq == 3
    await run_sql(store_url, delete(audit_head))
    assert not (await store.verify()).ok
    with pytest.raises(AuditUnavailable, match="no chain head"):
        await store.append(make_records(1))


async def test_tampering_after_a_prune_is_still_caught(store: AuditStore, store_url: str) -> None:
    await store.append(make_records(3, at=NOW - dt.timedelta(days=200)))
    await store.append(make_records(3, first_key=3))
    await store.prune(184, now=NOW)
    original = await row_of(store_url, 4)
    await run_sql(store_url, _set(4, subject="someone-else"))
    assert (await store.verify()).first_broken_seq == 4
    await run_sql(store_url, _set(4, subject=original["subject"]))
    cp = audit_checkpoints
    await run_sql(store_url, update(cp).values(hash="a" * 64))
    assert (await store.verify()).first_broken_seq == 4
    await run_sql(store_url, update(cp).values(hash=original["prev_hash"]))
    assert (await store.verify()).ok
    await run_sql(store_url, delete(cp))  # hide the prune: records 1-3 are then missing
    assert (await store.verify()).first_broken_seq == 1
    await run_sql(store_url, delete(audit_records).where(audit_records.c.seq == 6))
    assert (await store.verify()).first_broken_seq == 1


async def test_prune_refuses_to_delete_broken_records(store: AuditStore, store_url: str) -> None:
    await store.append(make_records(4, at=NOW - dt.timedelta(days=200)))
    await run_sql(store_url, _set(2, entity_key=ID_NUMBER))
    with pytest.raises(AuditChainBroken, match="record 2 is broken"):
        await store.prune(184, now=NOW)
    assert await count_rows(store_url) == 4
