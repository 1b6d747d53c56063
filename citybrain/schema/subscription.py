"""Live updates over graphql-transport-ws: ``gridEventUpdates`` for a jurisdiction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncGenerator  # noqa: TC003 - strawberry reads it at build
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from citybrain.auth.roles import Role
from citybrain.auth.sensitivity import Decision
from citybrain.errors import bad_user_input
from citybrain.regions import code_level
from citybrain.resolvers import prefetch
from citybrain.schema.base import Entity
from citybrain.schema.connection_rules import token_expired
from citybrain.schema.enums import EventStatus
from citybrain.schema.grid import EventStep, GridEvent
from citybrain.workflow import WorkflowRefusal

if TYPE_CHECKING:
    from strawberry.types.nodes import Selection

    from citybrain.federation import RequestContext
    from citybrain.workflow import LocalUpdates

__all__ = ["GridEventUpdate", "Subscription"]


@strawberry.type(description="One workflow step of a grid event, as it happens (事件动态).")
class GridEventUpdate(Entity):
    graphql_name = "GridEventUpdate"
    event_id: int | None = strawberry.field(description="The event number.")
    step_id: int | None = strawberry.field(description="The timeline step just appended.")
    action: str | None = strawberry.field(description="The step, e.g. DISPATCH or WHISTLE.")
    status: EventStatus | None = strawberry.field(description="The event's status now.")
    version: int | None = strawberry.field(description="The event's version now.")
    grid_code: str | None = strawberry.field(description="The event's grid.")
    at: dt.datetime | None = strawberry.field(
        description="When the step was taken (Beijing time, UTC+8, no offset)."
    )

    @strawberry.field(description="The event as it stands (read under your field policy).")
    def event(self, info: Info) -> GridEvent | None:
        return self.related_one(info, GridEvent)

    @strawberry.field(description="The timeline step (处置环节) just appended.")
    def step(self, info: Info) -> EventStep | None:
        return self.related_one(info, EventStep)


def _refuse(code: str, message: str) -> WorkflowRefusal:
    return WorkflowRefusal(code, message)


def _region(ctx: RequestContext, region_code: str | None) -> str:
    """The region whose events the caller follows: within their jurisdiction, always."""
    if region_code is not None and code_level(region_code) is None:
        raise bad_user_input(
            "`regionCode` must be a district, street, community or grid code (6, 9, 12 or "
            "15 digits)",
            argument="regionCode",
        )
    access = ctx.access
    if access is None:
        return region_code or ""
    principal = access.principal
    if Role.ANONYMOUS in principal.roles or principal.is_citizen:
        raise _refuse(
            "FORBIDDEN", "live event updates are for grid workers, officers and departments"
        ).as_graphql()
    if access.decisions.get("GridEventUpdate.action") is Decision.DENY:
        raise _refuse("FORBIDDEN", "your role may not follow grid events").as_graphql()
    scope = access.scope
    if scope.city_wide:
        return region_code or ""
    own = scope.region
    if own is None:
        raise _refuse(
            "FORBIDDEN", "your token names no jurisdiction: there are no events to follow"
        ).as_graphql()
    if region_code is None:
        return own
    if not region_code.startswith(own):
        raise _refuse("FORBIDDEN", "`regionCode` is outside your jurisdiction").as_graphql()
    return region_code


@strawberry.type(description="Live updates (实时推送), over graphql-transport-ws at /graphql.")
class Subscription:
    @strawberry.subscription(
        description="Every workflow step (dispatches, whistles, …) of events in a region, as "
        "it happens. `regionCode` defaults to your jurisdiction and must lie within it."
    )
    async def grid_event_updates(
        self, info: Info, region_code: str | None = None
    ) -> AsyncGenerator[GridEventUpdate, None]:
        ctx: RequestContext = info.context
        region = _region(ctx, region_code)
        updates = ctx.updates
        if updates is None:
            raise _refuse(
                "DEPARTMENT_UNAVAILABLE", "live updates are not available on this server"
            ).as_graphql()
        selections = info.selected_fields[0].selections
        return _stream(ctx, updates, region, selections)


async def _stream(
    ctx: RequestContext, updates: LocalUpdates, region: str, selections: list[Selection]
) -> AsyncGenerator[GridEventUpdate, None]:
    async for update in updates.subscribe(region):
        if ctx.principal.expired():
            raise token_expired()  # ends this subscription; the app closes the connection
        # Each update reads the event afresh: a connection lives longer than any cache.
        ctx.loaders = ctx.loaders.fresh()
        row = dataclasses.asdict(update)
        bundle = await prefetch(ctx, "GridEventUpdate", [row], selections)
        yield GridEventUpdate.wrap(row, bundle)
