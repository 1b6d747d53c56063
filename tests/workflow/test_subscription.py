"""Live updates over graphql-transport-ws against a live uvicorn, with a real WebSocket client:
filtered by jurisdiction and field policy, audited, and fanned out across processes by Redis."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from typing import TYPE_CHECKING, Any

import httpx
from redis.asyncio import Redis

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from citybrain.settings import Settings
from citybrain.workflow import CHANNEL
from tests.city import token_for
from tests.workflow.documents import document, report_input
from tests.workflow.live import WAIT, GraphSocket, LiveServer, ServerProcess

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.servers import RedisServer

UPDATES = """subscription($region: String) { gridEventUpdates(regionCode: $region) {
  eventId action status version gridCode
  step { action actorRole }
  event { id status title version } } }"""


async def _until(condition: Callable[[], Any]) -> None:
    for _ in range(int(WAIT / 0.01)):
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not come true")


async def _mutate(base_url: str, token: str, action: str, **input: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/graphql",
            json={"query": document(action), "variables": {"input": input}},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def _next(socket: GraphSocket) -> dict[str, Any]:
    message = await socket.receive()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    update: dict[str, Any] = message["payload"]["data"]["gridEventUpdates"]
    return update


async def _acked(socket: GraphSocket) -> None:
    assert (await socket.receive())["type"] == "connection_ack"


def _other_grid(settings: Settings) -> str:
    import sqlite3

    with sqlite3.connect(settings.data_dir / "grid.sqlite3") as db:
        row = db.execute(
            "SELECT code FROM grids WHERE code LIKE ? AND code != ? ORDER BY code LIMIT 1",
            (DEMO_GRID_CODE[:9] + "%", DEMO_GRID_CODE),
        ).fetchone()
    return str(row[0])


async def test_a_subscriber_in_grid_a_gets_a_updates_and_none_of_grid_b(
    city_copy: Settings,
) -> None:
    grid_a, grid_b = DEMO_GRID_CODE, _other_grid(city_copy)
    worker_a = token_for(city_copy, "grid_worker", grid_a, subject="worker-a")
    worker_b = token_for(city_copy, "grid_worker", grid_b, subject="worker-b")
    async with (
        LiveServer(city_copy) as live,
        GraphSocket(live.url, worker_a) as a,
        GraphSocket(live.url, worker_b) as b,
    ):
        await _acked(a)
        await _acked(b)
        await a.subscribe(UPDATES)
        await b.subscribe(UPDATES)
        await _until(lambda: live.app.state.updates.subscriber_count == 2)

        # B's events first: were any delivered to A, they would come before A's own.
        b1 = await _mutate(live.url, worker_b, "REPORT", **report_input(grid_b))
        await _mutate(live.url, worker_b, "ACCEPT", eventId=b1["eventId"], expectedVersion=1)
        a1 = await _mutate(live.url, worker_a, "REPORT", **report_input(grid_a))
        await _mutate(live.url, worker_a, "ACCEPT", eventId=a1["eventId"], expectedVersion=1)
        b2 = await _mutate(live.url, worker_b, "REPORT", **report_input(grid_b))

        seen_a = [await _next(a), await _next(a)]
        assert [(u["eventId"], u["action"]) for u in seen_a] == [
            (a1["eventId"], "REPORT"),
            (a1["eventId"], "ACCEPT"),
        ]
        assert seen_a[1]["event"] == {
            "id": a1["eventId"],
            "status": "ACCEPTED",
            "title": "占道经营",
            "version": 2,
        }
        assert seen_a[1]["step"] == {"action": "ACCEPT", "actorRole": "GRID_WORKER"}
        assert {u["gridCode"] for u in seen_a} == {grid_a}
        seen_b = [await _next(b) for _ in range(3)]
        assert [(u["eventId"], u["action"]) for u in seen_b] == [
            (b1["eventId"], "REPORT"),
            (b1["eventId"], "ACCEPT"),
            (b2["eventId"], "REPORT"),
        ]


async def test_a_street_follows_its_street_and_sees_whistles_as_they_happen(
    city_copy: Settings,
) -> None:
    grid_b = _other_grid(city_copy)
    worker = token_for(city_copy, "grid_worker", DEMO_GRID_CODE[:9], subject="worker")
    street = token_for(city_copy, "street_officer", DEMO_GRID_CODE[:9], subject="street")
    async with LiveServer(city_copy) as live, GraphSocket(live.url, street) as socket:
        await _acked(socket)
        await socket.subscribe(UPDATES)
        await _until(lambda: live.app.state.updates.subscriber_count == 1)
        e1 = await _mutate(live.url, worker, "REPORT", **report_input(grid_b))
        event_id = e1["eventId"]
        await _mutate(live.url, worker, "ACCEPT", eventId=event_id, expectedVersion=1)
        await _mutate(live.url, street, "ANALYSE", eventId=event_id, expectedVersion=2)
        await _mutate(
            live.url, street, "DISPATCH", eventId=event_id, expectedVersion=3, department="城管科"
        )
        await _mutate(
            live.url, street, "WHISTLE", eventId=event_id, expectedVersion=4, department="城管委"
        )
        seen = [await _next(socket) for _ in range(5)]
    assert [u["action"] for u in seen] == ["REPORT", "ACCEPT", "ANALYSE", "DISPATCH", "WHISTLE"]
    assert seen[-1]["status"] == "WHISTLED" and seen[-1]["event"]["version"] == 5


async def test_updates_obey_field_policy_and_are_audited(city_copy: Settings) -> None:
    subject = f"worker-{uuid.uuid4().hex[:8]}"
    worker = token_for(city_copy, "grid_worker", DEMO_GRID_CODE, subject=subject)
    query = """subscription { gridEventUpdates { eventId
      event { reporter { name idNumber birthDate } } } }"""
    async with LiveServer(city_copy) as live, GraphSocket(live.url, worker) as socket:
        await _acked(socket)
        await socket.subscribe(query)
        await _until(lambda: live.app.state.updates.subscriber_count == 1)
        done = await _mutate(
            live.url,
            worker,
            "REPORT",
            **report_input(DEMO_GRID_CODE, reporterIdNumber=DEMO_ID_NUMBER),
        )
        message = await socket.receive()
    payload = message["payload"]
    reporter = payload["data"]["gridEventUpdates"]["event"]["reporter"]
    assert reporter["name"].endswith("*") and reporter["idNumber"] != DEMO_ID_NUMBER
    assert "*" in reporter["idNumber"] and reporter["birthDate"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    store = AuditStore.from_settings(city_copy)
    try:
        page = await store.query(AuditFilter(subject=subject, entity_type="Person"), first=10)
    finally:
        await store.close()
    (entry,) = page.entries
    assert entry.record.entity_key == DEMO_ID_NUMBER
    assert dict(entry.record.fields) == {"name": "mask", "idNumber": "mask", "birthDate": "deny"}
    assert done["eventId"] == payload["data"]["gridEventUpdates"]["eventId"]


async def test_subscriptions_are_refused_outside_the_callers_reach(city_copy: Settings) -> None:
    worker = token_for(city_copy, "grid_worker", DEMO_GRID_CODE)
    citizen = token_for(city_copy, "citizen", DEMO_ID_NUMBER)
    async with LiveServer(city_copy) as live:
        for token, variables, code in [
            (worker, {"region": DEMO_GRID_CODE[:9]}, "FORBIDDEN"),  # wider than their grid
            (worker, {"region": "12010100100100"}, "BAD_USER_INPUT"),
            (citizen, {}, "FORBIDDEN"),
            (None, {}, "FORBIDDEN"),
        ]:
            async with GraphSocket(live.url, token) as socket:
                await _acked(socket)
                await socket.subscribe(UPDATES, variables)
                message = await socket.receive()
                assert message["type"] == "error", message
                assert message["payload"][0]["extensions"]["code"] == code
        assert live.app.state.updates.subscriber_count == 0
        async with GraphSocket(live.url, "not-a-token") as socket:
            assert socket.ws is not None
            await socket.ws.wait_closed()
            assert socket.ws.close_code == 4403


async def test_an_update_made_through_one_process_reaches_a_subscriber_on_another(
    city_copy: Settings, redis_server: RedisServer
) -> None:
    settings = Settings(data_dir=city_copy.data_dir, redis_url=redis_server.url)
    grid_a, grid_b = DEMO_GRID_CODE, _other_grid(settings)
    worker_a = token_for(settings, "grid_worker", grid_a, subject="worker-a")
    worker_b = token_for(settings, "grid_worker", grid_b, subject="worker-b")
    redis = Redis.from_url(redis_server.url)

    async def listeners() -> int:
        counts = dict(await redis.pubsub_numsub(CHANNEL))
        return int(counts.get(CHANNEL.encode(), 0))

    try:
        async with (
            ServerProcess(settings) as first,
            LiveServer(settings) as second,
            GraphSocket(first.url, worker_a) as a,
            GraphSocket(second.url, worker_b) as b,
        ):
            await _acked(a)
            await _acked(b)
            await a.subscribe(UPDATES)
            await b.subscribe(UPDATES)
            await _until(lambda: second.app.state.updates.subscriber_count == 1)
            # One Redis subscription per process, once it has a subscriber of its own.
            await _until(_two(listeners))

            b1 = await _mutate(first.url, worker_b, "REPORT", **report_input(grid_b))
            a1 = await _mutate(second.url, worker_a, "REPORT", **report_input(grid_a))
            await _mutate(first.url, worker_a, "ACCEPT", eventId=a1["eventId"], expectedVersion=1)

            assert [(u["eventId"], u["action"]) for u in [await _next(a), await _next(a)]] == [
                (a1["eventId"], "REPORT"),  # made through the other process
                (a1["eventId"], "ACCEPT"),
            ]
            update = await _next(b)  # made through the other process
            assert (update["eventId"], update["gridCode"]) == (b1["eventId"], grid_b)
            assert update["event"]["status"] == "REPORTED"
    finally:
        await redis.aclose()


def _two(listeners: Callable[[], Any]) -> Callable[[], Any]:
    async def both() -> bool:
        return bool(await listeners() == 2)

    return both


async def test_only_subscriptions_run_over_websocket(city_copy: Settings) -> None:
    # Queries and mutations go over HTTP, where the gateway credential, safelist and rate
    # limit apply: a WebSocket connection must not be a way around them.
    officer = token_for(city_copy, "health_officer", subject="officer")
    person = f'{{ person(idNumber: "{DEMO_ID_NUMBER}") {{ name }} }}'
    entities = (
        '{ _entities(representations: [{__typename: "Person", idNumber: "'
        + DEMO_ID_NUMBER
        + '"}]) { ... on Person { name } } }'
    )
    worker = token_for(city_copy, "grid_worker", DEMO_GRID_CODE, subject="worker")
    mutation = document("REPORT")
    async with LiveServer(city_copy) as live:
        for token, query, variables in [
            (officer, person, {}),
            (officer, entities, {}),
            (None, "{ _service { sdl } }", {}),
            (worker, mutation, {"input": report_input(DEMO_GRID_CODE)}),
        ]:
            async with GraphSocket(live.url, token) as socket:
                await _acked(socket)
                await socket.subscribe(query, variables)
                message = await socket.receive()
                assert message["type"] in {"error", "next"}, message
                payload = message["payload"]
                errors = payload if message["type"] == "error" else payload["errors"]
                assert [e["extensions"]["code"] for e in errors] == ["SUBSCRIPTIONS_ONLY"]
                assert message["type"] == "error" or payload.get("data") is None
    store = AuditStore.from_settings(city_copy)
    try:
        page = await store.query(AuditFilter(subject="officer"), first=10)
    finally:
        await store.close()
    assert not page.entries  # nothing was served


async def test_a_connection_is_closed_when_its_token_expires(city_copy: Settings) -> None:
    worker = token_for(city_copy, "grid_worker", DEMO_GRID_CODE, lifetime=2)
    async with LiveServer(city_copy) as live, GraphSocket(live.url, worker) as socket:
        await _acked(socket)
        await socket.subscribe(UPDATES)
        await _until(lambda: live.app.state.updates.subscriber_count == 1)
        assert socket.ws is not None
        await asyncio.wait_for(socket.ws.wait_closed(), WAIT)
        assert socket.ws.close_code == 4401
        await _until(lambda: live.app.state.updates.subscriber_count == 0)
