"""The update bus: region matching, slow subscribers, and Redis being away."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING

import pytest

from citybrain.seed import DEMO_GRID_CODE
from citybrain.settings import Settings
from citybrain.workflow import EventUpdate, LocalUpdates, RedisUpdates, SlowSubscriber
from citybrain.workflow.updates import updates_from_settings
from tests.city import open_graph
from tests.servers import free_port
from tests.workflow.documents import act, report_input

if TYPE_CHECKING:
    from pathlib import Path

    from tests.servers import RedisServer


def _update(grid_code: str, event_id: int = 1) -> EventUpdate:
    return EventUpdate(event_id, 1, "REPORT", "REPORTED", 1, grid_code, dt.datetime(2026, 1, 1))


async def _registered(bus: LocalUpdates, count: int) -> None:
    for _ in range(100):
        if bus.subscriber_count >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError("the subscribers did not register")


async def test_subscribers_get_the_updates_of_their_region_only() -> None:
    bus = LocalUpdates()
    street, grid = bus.subscribe(DEMO_GRID_CODE[:9]), bus.subscribe(DEMO_GRID_CODE)
    street_next = asyncio.ensure_future(anext(street))
    grid_next = asyncio.ensure_future(anext(grid))
    await _registered(bus, 2)
    neighbour = DEMO_GRID_CODE[:12] + "999"
    await bus.publish(_update(neighbour, 1))
    await bus.publish(_update(DEMO_GRID_CODE, 2))
    assert (await street_next).event_id == 1
    assert (await grid_next).event_id == 2
    assert (await anext(street)).event_id == 2
    await street.aclose()
    await grid.aclose()
    assert bus.subscriber_count == 0


async def test_a_subscriber_that_falls_far_behind_is_dropped() -> None:
    bus = LocalUpdates()
    stream = bus.subscribe("")
    first = asyncio.ensure_future(anext(stream))
    await _registered(bus, 1)
    for i in range(1002):
        bus.deliver(_update(DEMO_GRID_CODE, i))
    await first
    with pytest.raises(SlowSubscriber):
        for _ in range(1002):
            await anext(stream)
    assert bus.subscriber_count == 0


def test_updates_round_trip_through_json() -> None:
    update = _update(DEMO_GRID_CODE, 7)
    assert EventUpdate.from_json(update.to_json()) == update
    assert "id_number" not in update.to_json()


async def test_redis_or_local_by_settings(redis_server: RedisServer) -> None:
    assert type(updates_from_settings(Settings())) is LocalUpdates
    bus = updates_from_settings(Settings(redis_url=redis_server.url))
    assert isinstance(bus, RedisUpdates)
    await bus.close()


async def test_a_transition_stands_when_redis_is_away(small_city: Settings, tmp_path: Path) -> None:
    from tests.workflow.conftest import copy_city

    settings = copy_city(small_city, tmp_path / "city")
    settings = Settings(data_dir=settings.data_dir, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    client, _ = await open_graph(settings)
    try:
        worker = client.as_role("grid_worker", DEMO_GRID_CODE)
        done = await act(worker, "REPORT", **report_input(DEMO_GRID_CODE))
        assert done["event"]["status"] == "REPORTED"
        bus = client.app.state.updates
        assert (bus.published, bus.publish_failures) == (0, 1)
    finally:
        await client.aclose()
        await client.app.state.updates.close()
