"""Health (卫健) types: health code, vaccinations, nucleic-acid tests, places and scans."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from citybrain.resolvers.federation import reference_row
from citybrain.schema.base import Connection, Entity
from citybrain.schema.enums import HealthCodeColor, TestResult
from citybrain.schema.grid import District, Grid

if TYPE_CHECKING:
    from citybrain.schema.civil_affairs import Person

__all__ = ["HealthCode", "NucleicAcidTest", "Place", "PlaceScan", "Vaccination"]

LazyPerson = Annotated["Person", strawberry.lazy("citybrain.schema.civil_affairs")]


@strawberry.type(description="Health code (健康码) of a resident.")
class HealthCode(Entity):
    graphql_name = "HealthCode"
    color: HealthCodeColor | None = strawberry.field(description="Code colour (赋码颜色).")
    reason: str | None = strawberry.field(description="Why the code has this colour (赋码原因).")
    updated_at: dt.datetime | None = strawberry.field(
        description="When the colour was last set (Beijing time, UTC+8, no offset)."
    )


@strawberry.type(description="Vaccination record (疫苗接种记录).")
class Vaccination(Entity):
    graphql_name = "Vaccination"
    id: int | None = strawberry.field(description="Record number.")
    vaccine: str | None = strawberry.field(description="Vaccine name (疫苗名称).")
    dose: int | None = strawberry.field(description="Dose number (剂次).")
    vaccinated_on: dt.date | None = strawberry.field(description="Date of the dose.")
    site: str | None = strawberry.field(description="Vaccination site (接种点).")


@strawberry.type(description="Nucleic-acid test (核酸检测) record.")
class NucleicAcidTest(Entity):
    graphql_name = "NucleicAcidTest"
    id: int | None = strawberry.field(description="Record number.")
    sampled_at: dt.datetime | None = strawberry.field(
        description="When the sample was taken (采样时间), Beijing time, UTC+8, no offset."
    )
    result: TestResult | None = strawberry.field(description="Test result (检测结果).")
    institution: str | None = strawberry.field(description="Testing institution (检测机构).")


@strawberry.federation.type(
    keys=["placeCode"], description="Place (场所) with a place code (场所码) scanned by visitors."
)
class Place(Entity):
    graphql_name = "Place"
    place_code: str = strawberry.field(description="Place code (场所码).")
    name: str = strawberry.field(description="Place name (场所名称).")
    industry: str = strawberry.field(description="Industry (行业), e.g. 餐饮, 商超.")
    address: str = strawberry.field(description="Address (地址).")
    grid_code: str = strawberry.field(description="Code of the grid it stands in.")
    district_code: str = strawberry.field(description="Code of its district.")
    issued_on: dt.date = strawberry.field(description="When the place code was issued.")
    active: bool = strawberry.field(description="Whether the place code is in use.")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Place | None:
        row = await reference_row(info, "Place", representation)
        return None if row is None else cls.wrap(row)

    @strawberry.field(description="The grid (网格) the place stands in.")
    def grid(self, info: Info) -> Grid | None:
        return self.related_one(info, Grid)

    @strawberry.field(description="The district (区) of the place.")
    def district(self, info: Info) -> District | None:
        return self.related_one(info, District)

    @strawberry.field(description="Scans of the place code (扫码记录), newest first.")
    def scans(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PlaceScan] | None:
        return self.related_page(info, PlaceScan, first, after)


@strawberry.type(description="A scan of a place code (场所码扫码): who was where, when.")
class PlaceScan(Entity):
    graphql_name = "PlaceScan"
    id: int | None = strawberry.field(description="Scan number.")
    place_code: str | None = strawberry.field(description="Place code scanned.")
    scanned_at: dt.datetime | None = strawberry.field(
        description="When (扫码时间), Beijing time, UTC+8, no offset."
    )

    @strawberry.field(description="The place (场所) scanned.")
    def place(self, info: Info) -> Place | None:
        return self.related_one(info, Place)

    @strawberry.field(description="The resident who scanned (civil affairs, 民政).")
    def person(self, info: Info) -> LazyPerson | None:
        from citybrain.schema.civil_affairs import Person

        return self.related_one(info, Person)
