"""Root query fields: find one entity by key, or page through a filtered list."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import strawberry
from strawberry.types import Info

from citybrain.city_clock import city_time
from citybrain.connectors import Filter
from citybrain.errors import bad_user_input
from citybrain.id_numbers import InvalidIdNumber, validate_id_number
from citybrain.regions import code_level
from citybrain.resolvers import fetch_entity, fetch_list
from citybrain.schema.audit import AuditRecordFilter, AuditRecordPage, audit_records
from citybrain.schema.base import Connection, Entity
from citybrain.schema.civil_affairs import Person
from citybrain.schema.enums import EventStatus
from citybrain.schema.grid import Community, District, EventCategory, Grid, GridEvent, Street
from citybrain.schema.health import Place
from citybrain.schema.screening import ScreeningBatch, screen_persons
from citybrain.schema.statistics import EventStatistics, HealthDailyReport, WhistleStatistics
from citybrain.schema.statistics_query import (
    event_statistics,
    health_daily_report,
    whistle_statistics,
)
from citybrain.schema.transport import DriverLicence, Vehicle

__all__ = ["EventFilter", "Query"]

E = TypeVar("E", bound=Entity)


def _id_number(value: str, argument: str = "idNumber") -> str:
    try:
        return validate_id_number(value)
    except InvalidIdNumber as exc:
        raise bad_user_input(f"`{argument}` is not a valid resident ID number: {exc}") from None


def _region(value: str, level: str | None, argument: str) -> str:
    found = code_level(value)
    if found is None or (level is not None and found != level):
        want = f"a {level} code" if level else "a district, street, community or grid code"
        raise bad_user_input(
            f"`{argument}` must be {want} (6, 9, 12 or 15 digits: 120101 is 和平区)",
            argument=argument,
        )
    return value


async def _one(
    info: Info, target: type[E], source: tuple[str, str, str], value: object
) -> E | None:
    found = await fetch_entity(
        info.context, target.graphql_name, source, value, info.selected_fields[0].selections
    )
    return None if found is None else target.wrap(*found)


async def _list(
    info: Info,
    target: type[E],
    source: tuple[str, str],
    filters: list[Filter],
    first: int | None,
    after: str | None,
) -> Connection[E]:
    nodes = [
        s
        for edges in info.selected_fields[0].selections
        if getattr(edges, "name", None) == "edges"
        for node in getattr(edges, "selections", [])
        if getattr(node, "name", None) == "node"
        for s in node.selections
    ]
    page, bundle = await fetch_list(
        info.context, target.graphql_name, source, filters, first, after, nodes
    )
    return Connection.of(page, target.wrap, bundle, after=after)


@strawberry.input(description="Which grid events (网格事件) to list.")
class EventFilter:
    region_code: str | None = strawberry.field(
        default=None, description="District, street, community or grid code: events within it."
    )
    status: EventStatus | None = strawberry.field(default=None, description="Workflow status.")
    category_code: str | None = strawberry.field(
        default=None, description="A category (大类) or sub-category (小类) code."
    )
    reported_from: dt.datetime | None = strawberry.field(
        default=None,
        description="Reported at or after this time (Beijing time unless it carries an offset).",
    )
    reported_before: dt.datetime | None = strawberry.field(
        default=None,
        description="Reported before this time (Beijing time unless it carries an offset).",
    )


@strawberry.type(description="The city's graph: every department, one query (数据通).")
class Query:
    @strawberry.field(
        description="The caller's own record (我的): for a citizen, themselves across every "
        "department, unmasked; null for anyone else."
    )
    async def me(self, info: Info) -> Person | None:
        access = info.context.access
        own = access.principal.own_id_number if access is not None else None
        if own is None:
            return None
        return await _one(info, Person, ("civil_affairs", "person", "id_number"), own)

    @strawberry.field(description="Audit records (审计记录), newest first: auditors only.")
    async def audit_records(
        self,
        info: Info,
        filter: AuditRecordFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> AuditRecordPage:
        return await audit_records(info, filter, first, after)

    event_statistics: EventStatistics | None = strawberry.field(
        resolver=event_statistics,
        description="Grid-event statistics (事件统计) of a region and period: aggregates only.",
    )
    whistle_statistics: WhistleStatistics | None = strawberry.field(
        resolver=whistle_statistics,
        description="Whistle statistics (吹哨报到统计) per department: aggregates only.",
    )
    health_daily_report: HealthDailyReport | None = strawberry.field(
        resolver=health_daily_report,
        description="The health-code daily report (健康码日报) per district, with daily trend.",
    )

    screen_persons: ScreeningBatch | None = strawberry.field(
        resolver=screen_persons,
        description="Data verification for mass events (数据核验): screen up to "
        "CITYBRAIN_SCREENING_MAX_IDS ID numbers; verifiers under purpose event-screening.",
    )

    @strawberry.field(
        description="A resident (居民) by resident ID number; FORBIDDEN to roles that may read "
        "no field of a resident."
    )
    async def person(self, info: Info, id_number: str) -> Person | None:
        key = _id_number(id_number)
        if info.context.access is not None:  # no existence test for who reads no person
            info.context.access.require_reader("Person", "Query.person", key)
        return await _one(info, Person, ("civil_affairs", "person", "id_number"), key)

    @strawberry.field(
        description="Residents whose home grid (所属网格) is `gridCode`; FORBIDDEN to roles "
        "that may read no field of a resident."
    )
    async def persons(
        self, info: Info, grid_code: str, first: int | None = None, after: str | None = None
    ) -> Connection[Person]:
        code = _region(grid_code, "grid", "gridCode")
        if info.context.access is not None:
            info.context.access.require_reader("Person", "Query.persons")
        filters = [Filter("home_grid_code", "eq", code)]
        return await _list(info, Person, ("civil_affairs", "person"), filters, first, after)

    @strawberry.field(description="A place (场所) by place code (场所码).")
    async def place(self, info: Info, place_code: str) -> Place | None:
        return await _one(info, Place, ("health", "place", "place_code"), place_code)

    @strawberry.field(description="The 16 districts (区) of the city.")
    async def districts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[District]:
        return await _list(info, District, ("grid", "district"), [], first, after)

    @strawberry.field(description="A district (区) by its 6-digit area code.")
    async def district(self, info: Info, code: str) -> District | None:
        code = _region(code, "district", "code")
        return await _one(info, District, ("grid", "district", "code"), code)

    @strawberry.field(description="A street or township (街道/乡镇) by its 9-digit code.")
    async def street(self, info: Info, code: str) -> Street | None:
        code = _region(code, "street", "code")
        return await _one(info, Street, ("grid", "street", "code"), code)

    @strawberry.field(description="A community or village (社区/村) by its 12-digit code.")
    async def community(self, info: Info, code: str) -> Community | None:
        code = _region(code, "community", "code")
        return await _one(info, Community, ("grid", "community", "code"), code)

    @strawberry.field(description="A grid (网格) by its 15-digit code.")
    async def grid(self, info: Info, code: str) -> Grid | None:
        code = _region(code, "grid", "code")
        return await _one(info, Grid, ("grid", "grid", "code"), code)

    @strawberry.field(description="A grid event (网格事件) by number.")
    async def event(self, info: Info, id: int) -> GridEvent | None:
        return await _one(info, GridEvent, ("grid", "grid_event", "id"), id)

    @strawberry.field(description="Grid events (网格事件), newest first, filtered.")
    async def events(
        self,
        info: Info,
        filter: EventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GridEvent]:
        filters: list[Filter] = []
        if filter is not None:
            if filter.region_code is not None:
                region = _region(filter.region_code, None, "filter.regionCode")
                filters.append(Filter("grid_code", "prefix", region))
            if filter.status is not None:
                filters.append(Filter("status", "eq", filter.status.value))
            if filter.category_code is not None:
                filters.append(Filter("category_code", "prefix", filter.category_code))
            if filter.reported_from is not None:
                filters.append(Filter("reported_at", "ge", city_time(filter.reported_from)))
            if filter.reported_before is not None:
                filters.append(Filter("reported_at", "lt", city_time(filter.reported_before)))
        return await _list(info, GridEvent, ("grid", "grid_event"), filters, first, after)

    @strawberry.field(description="Event categories (事件类别): the 9 top-level ones.")
    async def event_categories(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[EventCategory]:
        filters = [Filter("parent_code", "eq", None)]
        return await _list(info, EventCategory, ("grid", "event_category"), filters, first, after)

    @strawberry.field(description="A ride-hailing driver licence (网约车驾驶员证) by holder's ID.")
    async def driver(self, info: Info, id_number: str) -> DriverLicence | None:
        key = _id_number(id_number)
        return await _one(info, DriverLicence, ("transport", "driver", "id_number"), key)

    @strawberry.field(description="A ride-hailing vehicle (网约车车辆) by number plate.")
    async def vehicle(self, info: Info, plate: str) -> Vehicle | None:
        return await _one(info, Vehicle, ("transport", "vehicle", "plate"), plate)
