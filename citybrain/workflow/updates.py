"""Live updates of grid events: published after each transition, fanned out to subscribers.

:class:`LocalUpdates` delivers within one process. :class:`RedisUpdates` publishes to a
Redis channel, and each process listens to it once (one Redis subscription per process, not
per client) and delivers to its own subscribers, so an update made through any process
reaches subscribers on every process. An update carries no personal data: the event's
number, grid, step and status; subscribers read the event itself through the graph, under
their own field policy.

Updates are notifications, not the record: the timeline in the grid database is. A client
that reconnects reads the events it follows again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from redis.asyncio import Redis

    from citybrain.settings import Settings

__all__ = [
    "CHANNEL",
    "EventUpdate",
    "LocalUpdates",
    "RedisUpdates",
    "SlowSubscriber",
    "updates_from_settings",
]

logger = logging.getLogger(__name__)

CHANNEL = "citybrain:grid-event-updates"
"""The Redis pub/sub channel of grid-event updates."""

_QUEUE = 1000  # updates a slow subscriber may fall behind before it is dropped


@dataclass(frozen=True, slots=True)
class EventUpdate:
    """One transition of one event, as published.

    Args:
        event_id: the event.
        step_id: the timeline step the transition appended.
        action: e.g. ``"DISPATCH"``.
        status: the event's status afterwards.
        version: the event's version afterwards.
        grid_code: the event's grid (subscribers are matched by region prefix).
        at: when (naive city time, as stored).
    """

    event_id: int
    step_id: int
    action: str
    status: str
    version: int
    grid_code: str
    at: dt.datetime

    def to_json(self) -> str:
        """The message published to Redis."""
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> EventUpdate:
        """Parse a published message (raises ``ValueError``/``KeyError`` on a bad one)."""
        data: dict[str, Any] = json.loads(text)
        return cls(
            event_id=int(data["event_id"]),
            step_id=int(data["step_id"]),
            action=str(data["action"]),
            status=str(data["status"]),
            version=int(data["version"]),
            grid_code=str(data["grid_code"]),
            at=dt.datetime.fromisoformat(data["at"]),
        )


class _Subscriber:
    __slots__ = ("overflowed", "queue", "region")

    def __init__(self, region: str) -> None:
        self.region = region
        self.queue: asyncio.Queue[EventUpdate] = asyncio.Queue(maxsize=_QUEUE)
        self.overflowed = False


class SlowSubscriber(RuntimeError):
    """A subscriber fell too far behind and was dropped; it should reconnect and re-read."""


class LocalUpdates:
    """Updates within one process: publish delivers to this process's subscribers."""

    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions this process serves now."""
        return len(self._subscribers)

    async def publish(self, update: EventUpdate) -> None:
        """Send ``update`` to every subscriber whose region holds the event's grid."""
        self.deliver(update)

    def deliver(self, update: EventUpdate) -> None:
        """Hand ``update`` to this process's matching subscribers (never blocks)."""
        for subscriber in list(self._subscribers):
            if not update.grid_code.startswith(subscriber.region):
                continue
            try:
                subscriber.queue.put_nowait(update)
            except asyncio.QueueFull:
                subscriber.overflowed = True

    async def subscribe(self, region: str) -> AsyncGenerator[EventUpdate, None]:
        """Updates of events whose grid code starts with ``region`` ("" for the city).

        Raises:
            SlowSubscriber: the subscriber fell more than 1,000 updates behind.
        """
        subscriber = _Subscriber(region)
        self._subscribers.add(subscriber)
        try:
            await self._started()
            while True:
                if subscriber.overflowed and subscriber.queue.empty():
                    raise SlowSubscriber("too many updates were not read in time; reconnect")
                yield await subscriber.queue.get()
        finally:
            self._subscribers.discard(subscriber)
            await self._stopped()

    async def _started(self) -> None:
        """Called once a subscriber is registered."""

    async def _stopped(self) -> None:
        """Called once a subscriber is gone."""

    async def close(self) -> None:
        """Release connections (none in process)."""


class RedisUpdates(LocalUpdates):
    """Updates across processes through Redis pub/sub.

    Args:
        redis: a ``redis.asyncio`` client that publishes (with short timeouts: a publish
            never holds a mutation's answer for long).
        listener: a client for the subscription, whose reads wait as long as it takes
            (default: ``redis``).
        channel: the pub/sub channel.
    """

    def __init__(self, redis: Redis, listener: Redis | None = None, channel: str = CHANNEL) -> None:
        super().__init__()
        self.redis = redis
        self.listener = listener if listener is not None else redis
        self.channel = channel
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self.published = 0
        self.publish_failures = 0

    async def publish(self, update: EventUpdate) -> None:
        """Publish ``update`` to every process (including this one) through Redis."""
        try:
            await self.redis.publish(self.channel, update.to_json())
            self.published += 1
        except Exception as exc:  # the transition is committed: report, never undo it
            self.publish_failures += 1
            logger.warning("could not publish a grid-event update: %s", type(exc).__name__)

    async def _started(self) -> None:
        if self._listener is None or self._listener.done():
            self._listening = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(), name="grid-event-updates")
        await self._listening.wait()

    async def _stopped(self) -> None:
        if self._subscribers or self._listener is None:
            return
        listener, self._listener = self._listener, None
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener

    async def _listen(self) -> None:
        delay = 0.2
        while True:
            try:
                async with self.listener.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    delay = 0.2
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            update = EventUpdate.from_json(message["data"])
                        except (ValueError, KeyError, TypeError):
                            logger.warning("ignored a malformed grid-event update")
                            continue
                        self.deliver(update)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "grid-event updates: Redis subscription lost (%s); retrying in %.1f s",
                    type(exc).__name__,
                    delay,
                )
                self._listening.set()  # subscribers wait for updates, not for Redis
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        """Stop listening and close the Redis client."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await self.redis.aclose()
        if self.listener is not self.redis:
            await self.listener.aclose()


def updates_from_settings(settings: Settings) -> LocalUpdates:
    """Redis fan-out when ``redis_url`` is set, otherwise in-process delivery."""
    if not settings.redis_url:
        return LocalUpdates()
    from redis.asyncio import Redis

    url = settings.redis_url
    return RedisUpdates(
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2),
        Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30),
    )
