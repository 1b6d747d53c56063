"""Transport (交通) types: ride-hailing platforms, drivers, vehicles, violations (慧治网约车)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from citybrain.schema.base import Connection, Entity
from citybrain.schema.enums import LicenceStatus

if TYPE_CHECKING:
    from citybrain.schema.civil_affairs import Person

__all__ = ["DriverLicence", "RideHailingPlatform", "Vehicle", "Violation"]

LazyPerson = Annotated["Person", strawberry.lazy("citybrain.schema.civil_affairs")]


@strawberry.type(description="Ride-hailing platform (网约车平台).")
class RideHailingPlatform(Entity):
    graphql_name = "RideHailingPlatform"
    code: str = strawberry.field(description="Platform code.")
    name: str = strawberry.field(description="Platform name (平台名称).")
    permit_number: str = strawberry.field(description="Operating permit (经营许可证号).")


@strawberry.type(description="Ride-hailing driver licence (网约车驾驶员证).")
class DriverLicence(Entity):
    graphql_name = "DriverLicence"
    licence_number: str | None = strawberry.field(description="Licence number (证号).")
    status: LicenceStatus | None = strawberry.field(description="Licence status.")
    issued_on: dt.date | None = strawberry.field(description="Date of issue.")
    expires_on: dt.date | None = strawberry.field(description="Date of expiry.")
    platform_code: str | None = strawberry.field(description="Code of the platform driven for.")

    @strawberry.field(description="The platform (平台) the driver works for.")
    def platform(self, info: Info) -> RideHailingPlatform | None:
        return self.related_one(info, RideHailingPlatform)

    @strawberry.field(description="The licence holder (civil affairs, 民政).")
    def person(self, info: Info) -> LazyPerson | None:
        from citybrain.schema.civil_affairs import Person

        return self.related_one(info, Person)

    @strawberry.field(description="Traffic violations (违章) of the driver, newest first.")
    def violations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Violation] | None:
        return self.related_page(info, Violation, first, after)


@strawberry.type(description="Ride-hailing vehicle (网约车车辆).")
class Vehicle(Entity):
    graphql_name = "Vehicle"
    plate: str | None = strawberry.field(description="Number plate (车牌号), e.g. 津A12345.")
    model: str | None = strawberry.field(description="Make and model.")
    color: str | None = strawberry.field(description="Body colour.")
    registered_on: dt.date | None = strawberry.field(description="Registration date.")
    platform_code: str | None = strawberry.field(description="Code of the platform it serves.")

    @strawberry.field(description="The owner (civil affairs, 民政).")
    def owner(self, info: Info) -> LazyPerson | None:
        from citybrain.schema.civil_affairs import Person

        return self.related_one(info, Person)

    @strawberry.field(description="The platform (平台) the vehicle serves.")
    def platform(self, info: Info) -> RideHailingPlatform | None:
        return self.related_one(info, RideHailingPlatform)

    @strawberry.field(description="Violations (违章) recorded for the vehicle, newest first.")
    def violations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Violation] | None:
        return self.related_page(info, Violation, first, after)


@strawberry.type(description="Traffic violation (交通违章).")
class Violation(Entity):
    graphql_name = "Violation"
    id: int | None = strawberry.field(description="Record number.")
    plate: str | None = strawberry.field(description="Plate of the vehicle involved.")
    kind: str | None = strawberry.field(description="What happened (违章类型).")
    points: int | None = strawberry.field(description="Penalty points (扣分).")
    fine: int | None = strawberry.field(description="Fine in yuan (罚款).")
    occurred_at: dt.datetime | None = strawberry.field(description="When.")

    @strawberry.field(description="The vehicle involved.")
    def vehicle(self, info: Info) -> Vehicle | None:
        return self.related_one(info, Vehicle)
