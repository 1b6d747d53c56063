"""The grid hierarchy (district / street / community / grid), the same for every seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

from citybrain.regions import TIANJIN_DISTRICTS
from citybrain.seed.scales import DistrictShape, Scale, city_shape, distribute
from citybrain.seed.vocabulary import (
    BUILDING_SUFFIXES,
    PLACE_WORDS,
    RURAL_DISTRICTS,
    SURNAMES,
    VILLAGE_SUFFIXES,
)

__all__ = ["GridArea", "Hierarchy", "build_hierarchy"]

# 和平区's real streets; the first one holds the demo grid.
_HEPING_STREETS = ("劝业场", "小白楼", "五大道", "新兴", "南营门", "南市")
# Share of streets (街道) rather than townships (镇) in suburban and rural districts.
_SUBURBAN = frozenset({"120110", "120111", "120112", "120113", "120116"})


@dataclass(frozen=True, slots=True)
class GridArea:
    """One grid and the names of the areas above it."""

    index: int
    code: str
    name: str
    community_name: str
    street_name: str
    district_name: str
    village: bool

    @property
    def community_code(self) -> str:
        return self.code[:12]

    @property
    def street_code(self) -> str:
        return self.code[:9]

    @property
    def district_code(self) -> str:
        return self.code[:6]

    @property
    def full_name(self) -> str:
        """E.g. ``和平区劝业场街道新华里社区第1网格``."""
        return f"{self.district_name}{self.street_name}{self.community_name}{self.name}"


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Rows of the four hierarchy tables, and every grid with its names."""

    districts: list[dict[str, object]]
    streets: list[dict[str, object]]
    communities: list[dict[str, object]]
    grids: list[GridArea]

    def grid_rows(self) -> list[dict[str, object]]:
        return [
            {"code": g.code, "community_code": g.community_code, "name": g.name} for g in self.grids
        ]


def _street_names(rng: random.Random, district: DistrictShape) -> list[str]:
    if district.code in RURAL_DISTRICTS:
        share = 0.3
    elif district.code in _SUBURBAN:
        share = 0.6
    else:
        share = 1.0
    streets_proper = max(1, round(district.streets * share))
    words = list(_HEPING_STREETS) if district.code == "120101" else []
    spare = [w for w in PLACE_WORDS if w not in words]
    words += (
        rng.sample(spare, district.streets - len(words)) if district.streets > len(words) else []
    )
    return [
        f"{word}{'街道' if i < streets_proper else '镇'}"
        for i, word in enumerate(words[: district.streets])
    ]


def _community_names(rng: random.Random, count: int, *, village: bool) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        if village:
            name = f"{rng.choice(SURNAMES[:80])}{rng.choice(VILLAGE_SUFFIXES)}村"
        else:
            name = f"{rng.choice(PLACE_WORDS)}{rng.choice(BUILDING_SUFFIXES)}社区"
        names[name] = None
    return list(names)


def _shapes(scale: Scale) -> list[DistrictShape]:
    if scale.per_district is None:
        return city_shape()
    streets, communities, grids = scale.per_district
    return [
        DistrictShape(code, name, streets, streets * communities, streets * communities * grids)
        for code, name in TIANJIN_DISTRICTS
    ]


def build_hierarchy(scale: Scale) -> Hierarchy:
    """All districts, streets, communities and grids of ``scale``, with Chinese names."""
    rng = random.Random("citybrain-hierarchy")
    uniform = scale.per_district is not None
    districts: list[dict[str, object]] = []
    streets: list[dict[str, object]] = []
    communities: list[dict[str, object]] = []
    grids: list[GridArea] = []
    for district in _shapes(scale):
        districts.append({"code": district.code, "name": district.name})
        street_names = _street_names(rng, district)

        def weights(n: int) -> list[float]:
            return [1.0] * n if uniform else [rng.uniform(0.7, 1.3) for _ in range(n)]

        per_street = distribute(district.communities, weights(district.streets))
        per_community = distribute(district.grids, weights(district.communities))
        community_index = 0
        for s, (street_name, n_communities) in enumerate(
            zip(street_names, per_street, strict=True)
        ):
            street_code = f"{district.code}{s + 1:03d}"
            streets.append(
                {"code": street_code, "district_code": district.code, "name": street_name}
            )
            village = street_name.endswith("镇")
            for c, community_name in enumerate(
                _community_names(rng, n_communities, village=village)
            ):
                community_code = f"{street_code}{c + 1:03d}"
                communities.append(
                    {"code": community_code, "street_code": street_code, "name": community_name}
                )
                for g in range(per_community[community_index]):
                    grids.append(
                        GridArea(
                            index=len(grids),
                            code=f"{community_code}{g + 1:03d}",
                            name=f"第{g + 1}网格",
                            community_name=community_name,
                            street_name=street_name,
                            district_name=district.name,
                            village=village,
                        )
                    )
                community_index += 1
    return Hierarchy(districts, streets, communities, grids)
