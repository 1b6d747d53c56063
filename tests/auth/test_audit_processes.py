"""One chain from several writers (OS processes, concurrent connections); a store that is down."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from citybrain.auth.audit import AuditFilter, AuditStore, AuditUnavailable
from tests.auth.test_audit import make_records, new_store_url
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

ROOT = Path(__file__).parent.parent.parent

# A server process in miniature: wait for the start signal, then append one batch per
# "request", with a little other work between them (SQLite's busy wait is not a fair queue:
# a writer that never pauses can keep the lock until the other one's timeout).
WRITER = """
import asyncio, sys
from pathlib import Path
from citybrain.auth.audit import AuditStore
from tests.auth.test_audit import make_records

async def main(url, tag, batches, go):
    store = AuditStore(url)
    print("ready", flush=True)
    while not Path(go).exists():
        await asyncio.sleep(0.001)
    for i in range(batches):
        await store.append(make_records(2, subject=tag, first_key=2 * i))
        await asyncio.sleep(0.002)
    await store.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
"""


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return new_store_url(request, tmp_path)


async def _created(url: str) -> AuditStore:
    store = AuditStore(url)
    await store.create()
    return store


async def test_two_processes_appending_at_once_keep_one_intact_chain(
    store_url: str, tmp_path: Path
) -> None:
    store = await _created(store_url)
    go, batches = tmp_path / "go", 25
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WRITER,
            store_url,
            tag,
            str(batches),
            str(go),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for tag in ("process-a", "process-b")
    ]
    for writer in writers:
        assert writer.stdout is not None
        assert await writer.stdout.readline() == b"ready\n"
    go.touch()
    for writer in writers:
        _, err = await writer.communicate()
        assert writer.returncode == 0, err.decode()
    try:
        report = await store.verify()
        assert (report.ok, report.checked) == (True, 2 * 2 * batches), report
        subjects = [e.record.subject for e in (await store.query(first=1000)).entries]
    finally:
        await store.close()
    assert subjects.count("process-a") == subjects.count("process-b") == 2 * batches
    switches = sum(1 for a, b in itertools.pairwise(subjects) if a != b)
    assert switches >= 3, f"the two processes did not append at the same time: {subjects}"


async def test_concurrent_appends_keep_each_batch_together(store_url: str) -> None:
    stores = [await _created(store_url) for _ in range(3)]
    appends: list[Awaitable[None]] = [
        store.append(make_records(3, subject=f"writer-{w}", first_key=3 * b))
        for w, store in enumerate(stores)
        for b in range(8)
    ]
    try:
        await asyncio.gather(*appends)
        report = await stores[0].verify()
        entries = (await stores[0].query(first=1000)).entries
    finally:
        for store in stores:
            await store.close()
    assert (report.ok, report.checked) == (True, 72)
    batches: dict[tuple[str, int], list[int]] = defaultdict(list)
    for entry in entries:
        batches[entry.record.subject, int(entry.record.entity_key[-4:]) // 3].append(entry.seq)
    assert len(batches) == 24
    for seqs in batches.values():
        assert sorted(seqs) == list(range(min(seqs), min(seqs) + 3))


def _assert_says_nothing_of_the_store(exc: AuditUnavailable, *secrets: str) -> None:
    message = str(exc)
    assert exc.__cause__ is not None
    assert type(exc.__cause__).__name__ in message
    for secret in ("aiosqlite", "asyncpg", "127.0.0.1", "INSERT", "SELECT", *secrets):
        assert secret not in message


async def _every_operation_fails(store: AuditStore, *secrets: str) -> None:
    operations: list[Callable[[], Awaitable[object]]] = [
        lambda: store.append(make_records(1)),
        store.check_health,
        store.verify,
        lambda: store.query(AuditFilter(subject="officer-7")),
        lambda: store.prune(184),
    ]
    for operation in operations:
        with pytest.raises(AuditUnavailable) as caught:
            await operation()
        _assert_says_nothing_of_the_store(caught.value, *secrets)


@pytest.mark.parametrize("damage", ["directory removed", "file replaced"])
async def test_a_damaged_sqlite_store_is_unavailable(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "audit"
    store = await _created(f"sqlite+aiosqlite:///{folder / 'audit.sqlite3'}")
    try:
        await store.append(make_records(2))  # the pool now holds an open connection
        if damage == "directory removed":
            shutil.rmtree(folder)
        else:
            for path in folder.iterdir():
                path.unlink()
            (folder / "audit.sqlite3").write_bytes(b"not a database " * 512)
        await _every_operation_fails(store, str(tmp_path))
    finally:
        await store.close()
    assert damage != "directory removed" or not folder.exists()


async def test_a_sqlite_store_that_was_never_created_stays_absent(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    store = AuditStore(f"sqlite+aiosqlite:///{path}")
    try:
        await _every_operation_fails(store, str(tmp_path))
    finally:
        await store.close()
    assert not path.exists()


async def test_a_postgres_store_on_a_closed_port_is_unavailable() -> None:
    store = AuditStore(f"postgresql+asyncpg://postgres:secret@127.0.0.1:{free_port()}/audit")
    try:
        await _every_operation_fails(store, "secret")
    finally:
        await store.close()
