"""Enumerations of the graph: code colours, resident types, statuses."""

from __future__ import annotations

import enum

import strawberry

__all__ = [
    "EventStatus",
    "Gender",
    "HealthCodeColor",
    "LicenceStatus",
    "ResidentType",
    "TestResult",
]


@strawberry.enum(description="Health code colour (健康码颜色).")
class HealthCodeColor(enum.Enum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


@strawberry.enum(description="Gender (性别), as recorded with the resident ID number.")
class Gender(enum.Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"


@strawberry.enum(description="Resident type (人口类型).")
class ResidentType(enum.Enum):
    PERMANENT = strawberry.enum_value("PERMANENT", description="Permanent resident (常住人口)")
    FLOATING = strawberry.enum_value("FLOATING", description="Floating population (流动人口)")
    NON_LOCAL = strawberry.enum_value("NON_LOCAL", description="Non-local resident (外地人口)")
    FOREIGN = strawberry.enum_value("FOREIGN", description="Foreign national (外籍人员)")


@strawberry.enum(description="Nucleic-acid test result (核酸检测结果).")
class TestResult(enum.Enum):
    __test__ = False  # not a pytest test class

    NEGATIVE = "NEGATIVE"
    POSITIVE = "POSITIVE"


@strawberry.enum(description="Ride-hailing driver licence status (网约车驾驶员证状态).")
class LicenceStatus(enum.Enum):
    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


@strawberry.enum(description="Where a grid event (网格事件) stands in its workflow.")
class EventStatus(enum.Enum):
    REPORTED = strawberry.enum_value("REPORTED", description="Reported (上报)")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="Accepted (受理)")
    ANALYSED = strawberry.enum_value("ANALYSED", description="Analysed (分析研判)")
    DISPATCHED = strawberry.enum_value("DISPATCHED", description="Dispatched (分流交办)")
    WHISTLED = strawberry.enum_value("WHISTLED", description="Whistled to a department (吹哨)")
    RESPONDED = strawberry.enum_value("RESPONDED", description="Department reported in (报到)")
    RESOLVED = strawberry.enum_value("RESOLVED", description="Resolved (办结)")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed (结案)")
    EVALUATED = strawberry.enum_value("EVALUATED", description="Evaluated (评价反馈)")
