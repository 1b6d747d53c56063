"""The hierarchy: real district codes, codes that extend their parent's, Chinese names."""

from __future__ import annotations

from citybrain.regions import TIANJIN_DISTRICTS, code_level
from citybrain.seed import DEMO_GRID_CODE, SCALES
from citybrain.seed.hierarchy import build_hierarchy


def test_city_scale_hierarchy_has_tianjins_totals() -> None:
    city = build_hierarchy(SCALES["city"])
    assert [(d["code"], d["name"]) for d in city.districts] == list(TIANJIN_DISTRICTS)
    assert (len(city.streets), len(city.communities), len(city.grids)) == (281, 6127, 20795)
    assert len({g.code for g in city.grids}) == 20795
    district_codes = {d["code"] for d in city.districts}
    street_codes = {s["code"] for s in city.streets}
    community_codes = {c["code"] for c in city.communities}
    assert all(s["district_code"] in district_codes for s in city.streets)
    assert all(str(s["code"]).startswith(str(s["district_code"])) for s in city.streets)
    assert all(c["street_code"] in street_codes for c in city.communities)
    assert all(str(c["code"]).startswith(str(c["street_code"])) for c in city.communities)
    assert {g.community_code for g in city.grids} == community_codes
    assert all(code_level(g.code) == "grid" for g in city.grids)


def test_small_scale_is_uniform_and_holds_the_demo_grid() -> None:
    small = build_hierarchy(SCALES["small"])
    assert (len(small.districts), len(small.streets), len(small.communities)) == (16, 32, 64)
    assert len(small.grids) == 128
    assert small.grids[0].code == DEMO_GRID_CODE
    assert small.grids[0].district_name == "和平区"


def test_names_are_chinese_and_unique_where_they_must_be() -> None:
    city = build_hierarchy(SCALES["city"])
    assert all(str(s["name"]).endswith(("街道", "镇")) for s in city.streets)
    assert all(str(c["name"]).endswith(("社区", "村")) for c in city.communities)
    assert all(g.name == f"第{int(g.code[-3:])}网格" for g in city.grids)
    streets_of: dict[str, list[str]] = {}
    for street in city.streets:
        streets_of.setdefault(str(street["district_code"]), []).append(str(street["name"]))
    assert all(len(names) == len(set(names)) for names in streets_of.values())
    assert streets_of["120101"][0] == "劝业场街道"


def test_the_hierarchy_does_not_depend_on_the_seed() -> None:
    assert build_hierarchy(SCALES["small"]) == build_hierarchy(SCALES["small"])
