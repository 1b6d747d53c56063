"""Retries and races through HTTP: an idempotency key acts once; a stale version is refused."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from typing import TYPE_CHECKING

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.seed import DEMO_GRID_CODE
from tests.workflow.documents import EVENT, act, error_code, report_input, send

if TYPE_CHECKING:
    from tests.workflow.conftest import Cast


def _count(cast: Cast, sql: str, *params: object) -> int:
    with sqlite3.connect(cast.graph.settings.data_dir / "grid.sqlite3") as db:
        return int(db.execute(sql, params).fetchone()[0])


async def test_a_retried_report_creates_one_event(cast: Cast) -> None:
    key = str(uuid.uuid4())
    events = _count(cast, "SELECT count(*) FROM grid_events")
    first = await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
    retry = await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
    assert (first["replayed"], retry["replayed"]) == (False, True)
    assert retry["eventId"] == first["eventId"] and retry["step"]["id"] == first["step"]["id"]
    assert _count(cast, "SELECT count(*) FROM grid_events") == events + 1


async def test_a_retried_step_acts_once_and_is_audited_once(cast: Cast) -> None:
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    key = str(uuid.uuid4())
    results = [
        await act(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1, idempotencyKey=key)
        for _ in range(3)
    ]
    assert [r["replayed"] for r in results] == [False, True, True]
    assert {r["version"] for r in results} == {2}
    steps = _count(cast, "SELECT count(*) FROM event_steps WHERE event_id = ?", event_id)
    assert steps == 2  # REPORT, ACCEPT
    store = AuditStore.from_settings(cast.graph.settings)
    try:
        page = await store.query(
            AuditFilter(entity_type="GridEvent", entity_key=str(event_id)), first=50
        )
    finally:
        await store.close()
    accepts = [e for e in page.entries if ("transition:ACCEPT", "allow") in e.record.fields]
    assert len(accepts) == 1


async def test_the_same_key_for_another_request_is_refused(cast: Cast) -> None:
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    key = str(uuid.uuid4())
    await act(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1, idempotencyKey=key)
    body = await send(
        cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1, note="x", idempotencyKey=key
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert "idempotency key" in body["errors"][0]["message"]


async def test_keys_belong_to_their_caller(cast: Cast) -> None:
    key = str(uuid.uuid4())
    other = cast.graph.as_role("grid_worker", DEMO_GRID_CODE, subject="another-worker")
    one = await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
    two = await act(other, "REPORT", **report_input(DEMO_GRID_CODE, idempotencyKey=key))
    assert not two["replayed"] and two["eventId"] != one["eventId"]


async def test_two_officers_acting_on_one_version_one_wins_the_other_gets_conflict(
    any_cast: Cast,
) -> None:
    cast = any_cast
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    await act(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1)
    await act(cast.street, "ANALYSE", eventId=event_id, expectedVersion=2)
    colleague = cast.graph.as_role("street_officer", DEMO_GRID_CODE[:9], subject="colleague")
    bodies = await asyncio.gather(
        send(cast.street, "DISPATCH", eventId=event_id, expectedVersion=3, department="城管科"),
        send(colleague, "DISPATCH", eventId=event_id, expectedVersion=3, department="住建科"),
    )
    codes = sorted("ok" if "errors" not in b else error_code(b) for b in bodies)
    assert codes == ["CONFLICT", "ok"]
    event = (await cast.graph.data(EVENT, {"id": event_id}))["event"]
    assert event["version"] == 4
    assert [e["node"]["action"] for e in event["timeline"]["edges"]].count("DISPATCH") == 1


async def test_concurrent_retries_of_one_request_act_once(any_cast: Cast) -> None:
    cast = any_cast
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    key = str(uuid.uuid4())
    results = await asyncio.gather(
        *(
            act(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1, idempotencyKey=key)
            for _ in range(4)
        )
    )
    assert sorted(r["replayed"] for r in results) == [False, True, True, True]
    assert {r["step"]["id"] for r in results} == {results[0]["step"]["id"]}
    event = (await cast.graph.data(EVENT, {"id": event_id}))["event"]
    assert [e["node"]["action"] for e in event["timeline"]["edges"]] == ["REPORT", "ACCEPT"]


async def test_a_replay_is_not_answered_to_the_same_person_with_other_rights(
    cast: Cast,
) -> None:
    # A replay answers from the first request's record without deciding again: the same
    # subject's token for another grid must not be answered from it (its step and note).
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    key = str(uuid.uuid4())
    accept = {"eventId": event_id, "expectedVersion": 1, "note": "居民反映", "idempotencyKey": key}
    first = await act(cast.worker, "ACCEPT", **accept)
    elsewhere = cast.graph.as_role("grid_worker", "120102001001001", subject="worker-demo")
    body = await send(elsewhere, "ACCEPT", **accept)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "居民反映" not in str(body)
    again = await act(cast.worker, "ACCEPT", **accept)
    assert again["replayed"] and again["eventId"] == first["eventId"]
