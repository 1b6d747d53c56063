"""Civil affairs (民政) types: the resident, with every department's records about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from citybrain.resolvers.federation import reference_row
from citybrain.schema.base import Connection, Entity
from citybrain.schema.enums import Gender, ResidentType
from citybrain.schema.grid import Grid, GridEvent
from citybrain.schema.health import HealthCode, NucleicAcidTest, PlaceScan, Vaccination
from citybrain.schema.transport import DriverLicence, Vehicle, Violation

__all__ = ["ElderlyCare", "Household", "Person", "Subsidy"]


@strawberry.type(description="Elderly-care record (银发智能服务 / 养老服务).")
class ElderlyCare(Entity):
    graphql_name = "ElderlyCare"
    care_level: int | None = strawberry.field(description="Care level (照护等级), 1 to 3.")
    service_type: str | None = strawberry.field(description="Service (服务类型), e.g. 居家养老.")
    provider: str | None = strawberry.field(description="Service provider (服务机构).")
    since: dt.date | None = strawberry.field(description="Receiving care since.")


@strawberry.type(description="Subsidy grant (惠民惠农补贴), paid directly (直达).")
class Subsidy(Entity):
    graphql_name = "Subsidy"
    id: int | None = strawberry.field(description="Grant number.")
    programme: str | None = strawberry.field(description="Programme (补贴项目), e.g. 高龄津贴.")
    amount: int | None = strawberry.field(description="Amount in yuan (金额).")
    granted_on: dt.date | None = strawberry.field(description="Date paid.")


@strawberry.federation.type(
    keys=["idNumber"],
    description="Resident (居民), keyed by the 18-digit resident ID number (居民身份证号码).",
)
class Person(Entity):
    graphql_name = "Person"
    id_number: str | None = strawberry.field(description="Resident ID number (GB 11643).")
    name: str | None = strawberry.field(description="Name (姓名).")
    gender: Gender | None = strawberry.field(description="Gender (性别).")
    birth_date: dt.date | None = strawberry.field(description="Date of birth (出生日期).")
    phone: str | None = strawberry.field(description="Mobile phone (手机号).")
    address: str | None = strawberry.field(description="Residential address (居住地址).")
    resident_type: ResidentType | None = strawberry.field(description="Resident type (人口类型).")
    household_id: str | None = strawberry.field(description="Household number (户号).")
    home_grid_code: str | None = strawberry.field(description="Code of the home grid (所属网格).")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Person | None:
        row = await reference_row(info, "Person", representation, readers_only=True)
        return None if row is None else cls.wrap(row)

    @strawberry.field(description="Household (户) the resident belongs to.")
    def household(self, info: Info) -> Household | None:
        return self.related_one(info, Household)

    @strawberry.field(description="Elderly-care record (养老服务), if any.")
    def elderly_care(self, info: Info) -> ElderlyCare | None:
        return self.related_one(info, ElderlyCare)

    @strawberry.field(description="Subsidies granted (惠民惠农), newest first.")
    def subsidies(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Subsidy] | None:
        return self.related_page(info, Subsidy, first, after)

    @strawberry.field(description="Health code (健康码), from the health commission (卫健).")
    def health_code(self, info: Info) -> HealthCode | None:
        return self.related_one(info, HealthCode)

    @strawberry.field(description="Vaccinations (疫苗接种), oldest dose first.")
    def vaccinations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Vaccination] | None:
        return self.related_page(info, Vaccination, first, after)

    @strawberry.field(description="Nucleic-acid tests (核酸检测), newest first.")
    def nucleic_acid_tests(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[NucleicAcidTest] | None:
        return self.related_page(info, NucleicAcidTest, first, after)

    @strawberry.field(description="The latest nucleic-acid test (最近一次核酸), if any.")
    def latest_nucleic_acid_test(self, info: Info) -> NucleicAcidTest | None:
        return self.related_one(info, NucleicAcidTest)

    @strawberry.field(description="Place-code scans (场所码扫码记录), newest first.")
    def place_scans(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PlaceScan] | None:
        return self.related_page(info, PlaceScan, first, after)

    @strawberry.field(description="Ride-hailing driver licence (网约车驾驶员证), transport (交通).")
    def driver_licence(self, info: Info) -> DriverLicence | None:
        return self.related_one(info, DriverLicence)

    @strawberry.field(description="Ride-hailing vehicles owned (网约车车辆).")
    def vehicles(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Vehicle] | None:
        return self.related_page(info, Vehicle, first, after)

    @strawberry.field(description="Traffic violations (交通违章), newest first.")
    def violations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Violation] | None:
        return self.related_page(info, Violation, first, after)

    @strawberry.field(description="Home grid (所属网格), from grid governance (网格).")
    def home_grid(self, info: Info) -> Grid | None:
        return self.related_one(info, Grid)

    @strawberry.field(description="Grid events (网格事件) this resident reported, newest first.")
    def reported_events(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GridEvent] | None:
        return self.related_page(info, GridEvent, first, after)


@strawberry.type(description="Household (户).")
class Household(Entity):
    graphql_name = "Household"
    household_id: str | None = strawberry.field(description="Household number (户号).")
    address: str | None = strawberry.field(description="Registered address.")
    grid_code: str | None = strawberry.field(description="Code of the grid.")

    @strawberry.field(description="Head of household (户主).")
    def head(self, info: Info) -> Person | None:
        return self.related_one(info, Person)

    @strawberry.field(description="Members of the household.")
    def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Person] | None:
        return self.related_page(info, Person, first, after)

    @strawberry.field(description="The grid (网格) of the household.")
    def grid(self, info: Info) -> Grid | None:
        return self.related_one(info, Grid)
