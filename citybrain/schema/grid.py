"""Grid governance (网格, 津治通) types: the hierarchy, workers, events, whistles."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from citybrain.resolvers.federation import reference_row
from citybrain.schema.base import Connection, Entity
from citybrain.schema.deadlines import deadline_of, overdue_of, with_category
from citybrain.schema.enums import EventStatus

if TYPE_CHECKING:
    from citybrain.schema.civil_affairs import Household, Person
    from citybrain.schema.health import Place

__all__ = [
    "Community",
    "District",
    "EventCategory",
    "EventStep",
    "Grid",
    "GridEvent",
    "GridWorker",
    "Street",
    "Whistle",
]

_CIVIL = "citybrain.schema.civil_affairs"
_HEALTH = "citybrain.schema.health"
LazyPerson = Annotated["Person", strawberry.lazy(_CIVIL)]
LazyHousehold = Annotated["Household", strawberry.lazy(_CIVIL)]
LazyPlace = Annotated["Place", strawberry.lazy(_HEALTH)]


@strawberry.type(description="District (区), identified by its 6-digit GB/T 2260 area code.")
class District(Entity):
    graphql_name = "District"
    code: str = strawberry.field(description="Area code, e.g. 120101 for 和平区.")
    name: str = strawberry.field(description="District name (区名).")

    @strawberry.field(description="Streets and townships (街道/乡镇) of the district.")
    def streets(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Street]:
        return self.related_page(info, Street, first, after)


@strawberry.type(description="Street or township (街道/乡镇): district code + 3 digits.")
class Street(Entity):
    graphql_name = "Street"
    code: str = strawberry.field(description="9-digit street code.")
    name: str = strawberry.field(description="Street name (街道名).")
    district_code: str = strawberry.field(description="Code of the district it belongs to.")

    @strawberry.field(description="The district (区) of this street.")
    def district(self, info: Info) -> District | None:
        return self.related_one(info, District)

    @strawberry.field(description="Communities and villages (社区/村) of the street.")
    def communities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Community]:
        return self.related_page(info, Community, first, after)


@strawberry.type(description="Community or village (社区/村): street code + 3 digits.")
class Community(Entity):
    graphql_name = "Community"
    code: str = strawberry.field(description="12-digit community code.")
    name: str = strawberry.field(description="Community name (社区名).")
    street_code: str = strawberry.field(description="Code of the street it belongs to.")

    @strawberry.field(description="The street (街道) of this community.")
    def street(self, info: Info) -> Street | None:
        return self.related_one(info, Street)

    @strawberry.field(description="Grids (网格) of the community.")
    def grids(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Grid]:
        return self.related_page(info, Grid, first, after)


@strawberry.federation.type(
    keys=["code"], description="Grid (网格): the smallest unit of grid governance."
)
class Grid(Entity):
    graphql_name = "Grid"
    code: str = strawberry.field(description="15-digit grid code: community code + 3 digits.")
    name: str = strawberry.field(description="Grid name (网格名).")
    community_code: str = strawberry.field(description="Code of the community it belongs to.")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Grid | None:
        row = await reference_row(info, "Grid", representation)
        return None if row is None else cls.wrap(row)

    @strawberry.field(description="The community (社区) of this grid.")
    def community(self, info: Info) -> Community | None:
        return self.related_one(info, Community)

    @strawberry.field(description="Residents whose home grid this is (civil affairs, 民政).")
    def residents(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyPerson] | None:
        from citybrain.schema.civil_affairs import Person

        return self.related_page(info, Person, first, after)

    @strawberry.field(description="Households (户) registered in this grid (civil affairs).")
    def households(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyHousehold] | None:
        from citybrain.schema.civil_affairs import Household

        return self.related_page(info, Household, first, after)

    @strawberry.field(description="Places (场所) with a place code in this grid (health, 卫健).")
    def places(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LazyPlace]:
        from citybrain.schema.health import Place

        return self.related_page(info, Place, first, after)

    @strawberry.field(description="Grid workers (网格员) serving this grid.")
    def workers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GridWorker] | None:
        return self.related_page(info, GridWorker, first, after)

    @strawberry.field(description="Grid events (网格事件) in this grid, newest first.")
    def events(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GridEvent] | None:
        return self.related_page(info, GridEvent, first, after)


@strawberry.type(description="Grid worker (网格员).")
class GridWorker(Entity):
    graphql_name = "GridWorker"
    worker_id: str | None = strawberry.field(description="Worker number (工号).")
    name: str | None = strawberry.field(description="Worker's name.")
    phone: str | None = strawberry.field(description="Work phone.")
    grid_code: str | None = strawberry.field(description="Code of the grid served.")

    @strawberry.field(description="The grid (网格) this worker serves.")
    def grid(self, info: Info) -> Grid | None:
        return self.related_one(info, Grid)


@strawberry.type(description="Event category (事件类别): 9 categories, 239 sub-categories.")
class EventCategory(Entity):
    graphql_name = "EventCategory"
    code: str = strawberry.field(description="Category code; a sub-category extends its parent's.")
    name: str = strawberry.field(description="Category name (类别名称).")
    parent_code: str | None = strawberry.field(description="Parent category code, if any.")
    deadline_hours: int = strawberry.field(description="Hours allowed to close such an event.")

    @strawberry.field(description="The parent category (大类), for a sub-category.")
    def parent(self, info: Info) -> EventCategory | None:
        return self.related_one(info, EventCategory)

    @strawberry.field(description="Sub-categories (小类) of a top-level category.")
    def sub_categories(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[EventCategory]:
        return self.related_page(info, EventCategory, first, after)


@strawberry.federation.type(keys=["id"], description="Grid event (网格事件) reported in a grid.")
class GridEvent(Entity):
    graphql_name = "GridEvent"
    id: int | None = strawberry.field(description="Event number.")
    title: str | None = strawberry.field(description="Short title (事件标题).")
    description: str | None = strawberry.field(description="What was reported (事件描述).")
    status: EventStatus | None = strawberry.field(description="Workflow status.")
    category_code: str | None = strawberry.field(description="Sub-category code.")
    grid_code: str | None = strawberry.field(description="Code of the grid where it happened.")
    reported_at: dt.datetime | None = strawberry.field(
        description="When it was reported (上报时间), Beijing time, UTC+8, no offset."
    )
    closed_at: dt.datetime | None = strawberry.field(
        description="When it was closed, if it was (Beijing time, UTC+8, no offset)."
    )
    version: int | None = strawberry.field(
        description="Changes with every workflow step: send it back as `expectedVersion`."
    )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> GridEvent | None:
        row = await reference_row(info, "GridEvent", representation)
        return None if row is None else cls.wrap(row)

    @strawberry.field(description="The grid (网格) of the event.")
    def grid(self, info: Info) -> Grid | None:
        return self.related_one(info, Grid)

    @strawberry.field(description="The event's sub-category (事件小类).")
    def category(self, info: Info) -> EventCategory | None:
        return self.related_one(info, EventCategory)

    @strawberry.field(
        description="When it must be closed by (办结时限): reported at + its sub-category's "
        "deadline hours (Beijing time, UTC+8, no offset)."
    )
    def deadline_at(self, info: Info) -> dt.datetime | None:
        return with_category(self, info, deadline_of)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Overdue (超期): closed after its deadline, or still open past it."
    )
    def overdue(self, info: Info) -> bool | None:
        return with_category(self, info, overdue_of)  # type: ignore[no-any-return]

    @strawberry.field(description="The resident who reported it (civil affairs, 民政).")
    def reporter(self, info: Info) -> LazyPerson | None:
        from citybrain.schema.civil_affairs import Person

        return self.related_one(info, Person)

    @strawberry.field(description="Workflow steps (处置流程), oldest first.")
    def timeline(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[EventStep] | None:
        return self.related_page(info, EventStep, first, after)

    @strawberry.field(description="Whistles (吹哨) summoning district departments.")
    def whistles(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Whistle] | None:
        return self.related_page(info, Whistle, first, after)


@strawberry.type(description="One step of an event's workflow (处置环节).")
class EventStep(Entity):
    graphql_name = "EventStep"
    id: int | None = strawberry.field(description="Step number.")
    action: str | None = strawberry.field(
        description="What was done, e.g. ACCEPT, DISPATCH, WHISTLE."
    )
    actor_role: str | None = strawberry.field(description="Role of whoever did it.")
    actor_name: str | None = strawberry.field(description="Who did it (a post or office).")
    at: dt.datetime | None = strawberry.field(description="When (Beijing time, UTC+8, no offset).")
    note: str | None = strawberry.field(description="Note left with the step.")


@strawberry.type(
    description="Whistle (吹哨): a street summons a district department; 报到 answers."
)
class Whistle(Entity):
    graphql_name = "Whistle"
    id: int | None = strawberry.field(description="Whistle number.")
    department: str | None = strawberry.field(description="The district department summoned.")
    street_code: str | None = strawberry.field(description="Code of the street that whistled.")
    whistled_at: dt.datetime | None = strawberry.field(
        description="When the street whistled (Beijing time, UTC+8, no offset)."
    )
    responded_at: dt.datetime | None = strawberry.field(
        description="When the department reported in (报到), if it has "
        "(Beijing time, UTC+8, no offset)."
    )
    speed_score: int | None = strawberry.field(description="Response-speed score (1-5).")
    handling_score: int | None = strawberry.field(description="Handling score (1-5).")

    @strawberry.field(description="The street (街道) that whistled.")
    def street(self, info: Info) -> Street | None:
        return self.related_one(info, Street)
