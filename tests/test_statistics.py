"""Statistics through the graph: recounts, small-cell suppression, who may read them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.schema import field_catalogue
from citybrain.schema.statistics import STATISTICS_TYPES
from tests.city import open_graph
from tests.recount import recount_events, recount_health

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from citybrain.settings import Settings
    from tests.city import GraphClient

EVENTS = """
query Events($region: String, $from: DateTime!, $before: DateTime!) {
  eventStatistics(regionCode: $region, from: $from, before: $before) {
    regionCode asOf suppressionThreshold
    total { code name reported closed closeRate averageHandlingHours overdue suppressed }
    byRegion { code name reported closed closeRate averageHandlingHours overdue suppressed }
    byCategory { code name reported closed overdue suppressed }
  }
}
"""
PERIOD = {"from": "2025-06-01T00:00:00", "before": "2026-06-01T00:00:00"}
START, END = dt.datetime(2025, 6, 1), dt.datetime(2026, 6, 1)

WHISTLES = """
query W($from: DateTime!, $before: DateTime!) {
  whistleStatistics(from: $from, before: $before) {
    total { whistles responded averageResponseHours scored suppressed }
    byDepartment { department whistles responded averageSpeedScore averageHandlingScore }
  }
}
"""

HEALTH = """
query Health($from: Date!, $before: Date!, $district: String) {
  healthDailyReport(from: $from, before: $before, districtCode: $district) {
    city { codesShown scans activePlaceCodes days { day codesShown scans } }
    districts {
      districtCode districtName codesShown scans placeCodesIssued activePlaceCodes suppressed
      days { day codesShown scans placeCodesIssued suppressed }
      issuedByIndustry { industry placeCodes suppressed }
    }
  }
}
"""


@pytest.fixture
async def unsuppressed(small_city: Settings) -> AsyncIterator[GraphClient]:
    """The graph with small-cell suppression off (threshold 1), to compare exact counts."""
    client, _ = await open_graph(small_city.model_copy(update={"suppression_threshold": 1}))
    try:
        yield client.as_role("analyst")
    finally:
        await client.aclose()


async def test_event_statistics_equal_a_recount(unsuppressed: GraphClient) -> None:
    data = (await unsuppressed.data(EVENTS, {**PERIOD, "region": None}))["eventStatistics"]
    grid = unsuppressed.connectors["grid"]
    total = (await recount_events(grid, START, END, END))[None]
    assert data["total"] == {
        "code": None,
        "name": "天津市",
        "reported": total.reported,
        "closed": total.closed,
        "closeRate": pytest.approx(total.closed / total.reported),
        "averageHandlingHours": pytest.approx(total.average_hours),
        "overdue": total.overdue,
        "suppressed": False,
    }
    per_district = await recount_events(grid, START, END, END, key="region")
    assert len(data["byRegion"]) == len(per_district) == 16
    for row in data["byRegion"]:
        want = per_district[row["code"]]
        assert (row["reported"], row["closed"], row["overdue"]) == (
            want.reported,
            want.closed,
            want.overdue,
        )
        assert row["name"].endswith("区")
    per_category = await recount_events(grid, START, END, END, key="category")
    assert {r["code"]: r["reported"] for r in data["byCategory"]} == {
        k: v.reported for k, v in per_category.items()
    }
    assert all(r["name"] for r in data["byCategory"])


async def test_a_street_breaks_down_into_its_communities(unsuppressed: GraphClient) -> None:
    data = (await unsuppressed.data(EVENTS, {**PERIOD, "region": "120101001"}))["eventStatistics"]
    want = await recount_events(
        unsuppressed.connectors["grid"], START, END, END, region="120101001", key="region"
    )
    assert {r["code"]: r["reported"] for r in data["byRegion"]} == {
        k: v.reported for k, v in want.items()
    }
    assert sum(r["reported"] for r in data["byRegion"]) == data["total"]["reported"]


async def test_health_report_equals_a_recount(unsuppressed: GraphClient) -> None:
    start, end = dt.date(2026, 10, 25), dt.date(2026, 11, 1)
    data = (
        await unsuppressed.data(
            HEALTH, {"from": start.isoformat(), "before": end.isoformat(), "district": None}
        )
    )["healthDailyReport"]
    want = await recount_health(unsuppressed.connectors["health"], start, end)
    assert len(data["districts"]) == 16
    for report in data["districts"]:
        found = want[report["districtCode"]]
        assert report["codesShown"] == sum(found["shown"].values())
        assert report["scans"] == sum(found["scans"].values())
        assert report["activePlaceCodes"] == found["active"]
        assert [d["day"] for d in report["days"]] == [
            (start + dt.timedelta(days=n)).isoformat() for n in range(7)
        ]
        for day in report["days"]:
            assert day["codesShown"] == found["shown"].get(dt.date.fromisoformat(day["day"]), 0)
    assert data["city"]["codesShown"] == sum(sum(f["shown"].values()) for f in want.values())


async def test_small_cells_are_suppressed(graph: GraphClient) -> None:
    analyst = graph.as_role("analyst")
    data = (await analyst.data(EVENTS, {**PERIOD, "region": "120101001001"}))["eventStatistics"]
    assert data["suppressionThreshold"] == 5
    want = await recount_events(
        graph.connectors["grid"], START, END, END, region="120101001001", key="region"
    )
    rows: list[dict[str, Any]] = data["byRegion"]
    for row in rows:
        true = want[row["code"]]
        for name in ("reported", "closed", "overdue"):
            value = getattr(true, name)
            if 0 < value < 5:
                assert row[name] is None and row["suppressed"]
            elif row[name] is not None:
                assert row[name] == value
        if row["closed"] is None:
            assert row["closeRate"] is None and row["averageHandlingHours"] is None
    # A published total would give a single withheld cell away: a second one goes too.
    for name in ("reported", "closed", "overdue"):
        withheld = [r for r in rows if r[name] is None]
        assert len(withheld) != 1
    assert len(rows) > 1 and any(r["suppressed"] for r in rows)


async def test_health_report_suppresses_small_counts(graph: GraphClient) -> None:
    data = await graph.as_role("analyst").data(
        HEALTH, {"from": "2020-01-01", "before": "2020-12-31", "district": "120101"}
    )
    report = data["healthDailyReport"]
    assert report["city"] is None
    (district,) = report["districts"]
    issued = [d["placeCodesIssued"] for d in district["days"]]
    assert all(n is None or n == 0 or n >= 5 for n in issued)
    assert any(d["suppressed"] for d in district["days"])
    for row in district["issuedByIndustry"]:
        assert row["placeCodes"] is None or row["placeCodes"] >= 5
    assert any(row["suppressed"] for row in district["issuedByIndustry"])


def test_statistics_types_hold_no_personal_field() -> None:
    names = {t.__strawberry_definition__.name for t in STATISTICS_TYPES}  # type: ignore[attr-defined]
    catalogue = field_catalogue()
    fields = {n: level for n, level in catalogue.items() if n.split(".")[0] in names}
    assert len(fields) > 40
    assert not [n for n, level in fields.items() if level.is_personal]


async def test_the_analyst_gets_statistics_and_no_personal_field(graph: GraphClient) -> None:
    analyst = graph.as_role("analyst")
    body = await analyst.query(EVENTS, {**PERIOD, "region": None})
    assert "errors" not in body
    person = await analyst.query(
        '{ person(idNumber: "120101199003071235") { idNumber name phone healthCode { color } } }'
    )
    codes = {e["extensions"]["code"] for e in person["errors"]}
    assert codes == {"FORBIDDEN"}
    denied = {e["extensions"]["field"] for e in person["errors"]}
    # An analyst may not even look a resident up (which would tell whether one exists).
    assert denied == {"Query.person"}
    assert person["data"] == {"person": None}


@pytest.mark.parametrize(
    ("roles", "jurisdiction"),
    [(None, None), ("citizen", "120101199003071235"), ("verifier", None)],
)
async def test_statistics_are_refused_without_the_right_role(
    graph: GraphClient, roles: str | None, jurisdiction: str | None
) -> None:
    caller = graph.as_role(roles, jurisdiction)
    for query, variables in (
        (EVENTS, {**PERIOD, "region": None}),
        (HEALTH, {"from": "2026-10-01", "before": "2026-10-02", "district": None}),
    ):
        body = await caller.query(query, variables)
        assert body["data"] and all(v is None for v in body["data"].values())  # only the field
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_regional_officers_get_their_own_region_only(graph: GraphClient) -> None:
    officer = graph.as_role("street_officer", "120101001")
    own = await officer.data(EVENTS, {**PERIOD, "region": None})
    assert own["eventStatistics"]["regionCode"] == "120101001"
    inner = await officer.data(EVENTS, {**PERIOD, "region": "120101001002"})
    assert inner["eventStatistics"]["regionCode"] == "120101001002"
    outside = await officer.query(EVENTS, {**PERIOD, "region": "120102"})
    assert [e["extensions"]["code"] for e in outside["errors"]] == ["FORBIDDEN"]
    health = await officer.query(
        HEALTH, {"from": "2026-10-01", "before": "2026-10-02", "district": None}
    )
    assert [e["extensions"]["code"] for e in health["errors"]] == ["FORBIDDEN"]
    district = graph.as_role("district_officer", "120102")
    report = await district.data(
        HEALTH, {"from": "2026-10-01", "before": "2026-10-02", "district": None}
    )
    assert [d["districtCode"] for d in report["healthDailyReport"]["districts"]] == ["120102"]


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (EVENTS, {**PERIOD, "region": "12010"}, "regionCode"),
        (EVENTS, {"from": "2026-06-01T00:00:00", "before": "2025-06-01T00:00:00"}, "from"),
        (HEALTH, {"from": "2026-01-01", "before": "2026-01-01"}, "from"),
        (HEALTH, {"from": "2020-01-01", "before": "2026-01-01"}, "from"),
        (EVENTS, {"from": "2025-06-01T00:00:01", "before": "2026-06-01T00:00:00"}, "from"),
        (EVENTS, {"from": "2025-06-01T00:00:00", "before": "2026-05-31T23:59:59"}, "before"),
        (EVENTS, {"from": "2025-06-01T00:00:00Z", "before": "2026-06-01T00:00:00"}, "from"),
        (WHISTLES, {"from": "2025-06-01T00:00:00", "before": "2026-06-01T12:00:00"}, "before"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    graph: GraphClient, query: str, variables: dict[str, Any], argument: str
) -> None:
    body = await graph.as_role("analyst").query(query, variables)
    assert body["data"] and all(v is None for v in body["data"].values())  # only the field
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"`{argument}`" in error["message"]


async def test_whistle_statistics_add_up(unsuppressed: GraphClient) -> None:
    data = await unsuppressed.data(
        WHISTLES, {"from": "2024-11-01T00:00:00", "before": "2026-11-02T00:00:00"}
    )
    figures = data["whistleStatistics"]
    assert figures["byDepartment"]
    assert sum(d["whistles"] for d in figures["byDepartment"]) == figures["total"]["whistles"]


async def test_times_with_an_offset_are_read_as_city_time(unsuppressed: GraphClient) -> None:
    local = await unsuppressed.data(EVENTS, {**PERIOD, "region": "120101"})
    utc = await unsuppressed.data(
        EVENTS,
        {"from": "2025-05-31T16:00:00Z", "before": "2026-05-31T16:00:00+00:00", "region": "120101"},
    )
    assert utc["eventStatistics"]["total"] == local["eventStatistics"]["total"]
    assert local["eventStatistics"]["total"]["reported"] > 0


async def test_periods_are_whole_days_so_one_second_cannot_single_out_an_event(
    graph: GraphClient,
) -> None:
    """A binary search on `before` would find one event's second; only midnights pass."""
    analyst = graph.as_role("analyst")
    for before in ("2026-10-15T14:30:00", "2026-10-15T14:30:01", "2026-10-15T00:00:00.5"):
        body = await analyst.query(
            EVENTS, {"from": "2026-10-01T00:00:00", "before": before, "region": "120101001"}
        )
        assert body["data"] and all(v is None for v in body["data"].values())  # only the field
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "before"}
        assert "whole day" in error["message"]
    # Midnight Beijing time, whatever the offset it is written with, is a whole day.
    totals = []
    for before in ("2026-10-16T00:00:00", "2026-10-16T00:00:00+08:00", "2026-10-15T16:00:00Z"):
        data = await analyst.data(
            EVENTS, {"from": "2026-10-01T00:00:00", "before": before, "region": "120101001"}
        )
        totals.append(data["eventStatistics"]["total"])
    assert totals[0] == totals[1] == totals[2]
    assert totals[0]["reported"] > 0
