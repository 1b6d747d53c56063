"""Health (卫健) data: health codes, vaccinations, nucleic-acid tests, places and scans."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from typing import TYPE_CHECKING, Any

from citybrain.connectors.health.tables import (
    code_shows,
    health_codes,
    nucleic_acid_tests,
    place_scans,
    places,
    vaccinations,
)
from citybrain.regions import TIANJIN_DISTRICTS
from citybrain.seed.batches import Batch
from citybrain.seed.demo import DEMO_GRID_CODE, DEMO_ID_NUMBER
from citybrain.seed.identity import age_of
from citybrain.seed.places import INDUSTRIES, INDUSTRY_WEIGHTS, place_row
from citybrain.seed.scales import REFERENCE_TIME

if TYPE_CHECKING:
    from collections.abc import Iterator

    from citybrain.seed.hierarchy import GridArea, Hierarchy
    from citybrain.seed.people import Population
    from citybrain.seed.scales import Scale

__all__ = ["generate_health"]

_COLORS = ("GREEN", "YELLOW", "RED")
_COLOR_CUM_WEIGHTS = (95.0, 99.0, 100.0)
_REASONS = {
    "GREEN": ("未见异常", "核酸检测阴性，无中高风险地区旅居史"),
    "YELLOW": (
        "14天内有中风险地区旅居史",
        "未按时完成核酸检测",
        "发热门诊就诊，待复核",
        "密接的密接",
    ),
    "RED": ("密切接触者", "核酸检测阳性", "高风险地区旅居史"),
}
_VACCINES = (
    ("新冠灭活疫苗(Vero细胞)", 80.0),
    ("重组新冠病毒蛋白疫苗(CHO细胞)", 15.0),
    ("腺病毒载体新冠疫苗(Ad5-nCoV)", 5.0),
)
# How many records a person has: cumulative weights of 0, 1, 2, ... records.
_DOSES = (8.0, 12.0, 37.0, 100.0)  # vaccine doses, 0..3
_TESTS = (20.0, 50.0, 75.0, 90.0, 100.0)  # nucleic-acid tests, 0..4
_SCANS = (30.0, 70.0, 90.0, 100.0)  # place scans, 0..3
_SHOWS = (35.0, 70.0, 90.0, 100.0)  # health-code shows, 0..3
_INSTITUTIONS = (
    "天津市第一中心医院", "天津医科大学总医院", "天津市人民医院", "天津市第三中心医院",
    "天津市胸科医院", "天津市海河医院", "天津金域医学检验实验室", "天津迪安医学检验所",
    "天津华大医学检验所", "天津市疾病预防控制中心",
)  # fmt: skip
_DISTRICT_CODES = tuple(code for code, _ in TIANJIN_DISTRICTS)
_DAY = 86_400
_GRIDS_PER_BATCH = 200


class _HealthGenerator:
    def __init__(self, rng: random.Random, hierarchy: Hierarchy) -> None:
        self.rng = rng
        self.grids = hierarchy.grids
        self.ids = {name: itertools.count(1) for name in ("vaccination", "test", "scan", "show")}
        self.places_by_grid: list[list[str]] = [[] for _ in hierarchy.grids]
        self.places_by_district: dict[str, list[str]] = {code: [] for code in _DISTRICT_CODES}

    def places(self, scale: Scale) -> list[dict[str, Any]]:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        spread = max(1, scale.places_per_grid // 2)
        for grid in self.grids:
            if grid.code == DEMO_GRID_CODE:
                industries = list(INDUSTRIES)
            else:
                count = rng.randint(scale.places_per_grid - spread, scale.places_per_grid + spread)
                industries = rng.choices(INDUSTRIES, INDUSTRY_WEIGHTS, k=count)
            for industry in industries:
                row = place_row(rng, grid, industry, len(rows) + 1)
                rows.append(row)
                self.places_by_grid[grid.index].append(row["place_code"])
                self.places_by_district[grid.district_code].append(row["place_code"])
        return rows

    def _moment(self, days: int, *, daytime: bool = True) -> dt.datetime:
        """A moment within the last ``days`` days (between 07:00 and 22:00 if ``daytime``)."""
        random = self.rng.random
        day = 1 + int(random() * days)
        second = 7 * 3600 + int(random() * 15 * 3600) if daytime else int(random() * _DAY)
        return REFERENCE_TIME - dt.timedelta(seconds=day * _DAY - second)

    def _count(self, cum_weights: tuple[float, ...]) -> int:
        return bisect.bisect(cum_weights, self.rng.random() * cum_weights[-1])

    def person(self, id_number: str, grid: GridArea, out: Batch) -> None:
        rng = self.rng
        color = _COLORS[self._count(_COLOR_CUM_WEIGHTS)]
        out.add(
            health_codes,
            {
                "id_number": id_number,
                "color": color,
                "reason": rng.choice(_REASONS[color]),
                "updated_at": self._moment(7, daytime=False),
            },
        )
        doses = 0 if age_of(id_number) < 8 else self._count(_DOSES)
        if doses:
            vaccine = rng.choices([v for v, _ in _VACCINES], [w for _, w in _VACCINES])[0]
            site = f"{grid.district_name}{grid.street_name}社区卫生服务中心"
            day = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randint(0, 180))
            for dose in range(1, doses + 1):
                out.add(
                    vaccinations,
                    {
                        "id": next(self.ids["vaccination"]),
                        "id_number": id_number,
                        "vaccine": vaccine,
                        "dose": dose,
                        "vaccinated_on": day,
                        "site": site,
                    },
                )
                day += dt.timedelta(
                    days=rng.randint(21, 56) if dose == 1 else rng.randint(180, 300)
                )
        for _ in range(self._count(_TESTS)):
            out.add(
                nucleic_acid_tests,
                {
                    "id": next(self.ids["test"]),
                    "id_number": id_number,
                    "sampled_at": self._moment(60),
                    "result": "POSITIVE" if rng.random() < 0.001 else "NEGATIVE",
                    "institution": rng.choice(_INSTITUTIONS),
                },
            )
        own = self.places_by_grid[grid.index]
        nearby = self.places_by_district[grid.district_code]
        for _ in range(self._count(_SCANS)):
            out.add(
                place_scans,
                {
                    "id": next(self.ids["scan"]),
                    "place_code": rng.choice(own if own and rng.random() < 0.7 else nearby),
                    "id_number": id_number,
                    "scanned_at": self._moment(30),
                },
            )
        for _ in range(self._count(_SHOWS)):
            district = grid.district_code if rng.random() < 0.85 else rng.choice(_DISTRICT_CODES)
            out.add(
                code_shows,
                {
                    "id": next(self.ids["show"]),
                    "id_number": id_number,
                    "district_code": district,
                    "color": color,
                    "shown_at": self._moment(30),
                },
            )

    def demo(self, grid: GridArea, out: Batch) -> None:
        """The demo resident: green code, three doses, three tests, scans in the home grid."""
        out.add(
            health_codes,
            {
                "id_number": DEMO_ID_NUMBER,
                "color": "GREEN",
                "reason": _REASONS["GREEN"][1],
                "updated_at": REFERENCE_TIME - dt.timedelta(hours=9),
            },
        )
        site = f"{grid.district_name}{grid.street_name}社区卫生服务中心"
        for dose, day in enumerate(
            (dt.date(2021, 4, 12), dt.date(2021, 5, 10), dt.date(2021, 11, 23))
        ):
            out.add(
                vaccinations,
                {
                    "id": next(self.ids["vaccination"]),
                    "id_number": DEMO_ID_NUMBER,
                    "vaccine": _VACCINES[0][0],
                    "dose": dose + 1,
                    "vaccinated_on": day,
                    "site": site,
                },
            )
        for days_ago, institution in ((5, 0), (19, 2), (47, 6)):
            out.add(
                nucleic_acid_tests,
                {
                    "id": next(self.ids["test"]),
                    "id_number": DEMO_ID_NUMBER,
                    "sampled_at": REFERENCE_TIME - dt.timedelta(days=days_ago, hours=-9),
                    "result": "NEGATIVE",
                    "institution": _INSTITUTIONS[institution],
                },
            )
        for k, place_code in enumerate(self.places_by_grid[grid.index][:5]):
            scanned_at = REFERENCE_TIME - dt.timedelta(days=2 * k + 1, hours=6)
            out.add(
                place_scans,
                {
                    "id": next(self.ids["scan"]),
                    "place_code": place_code,
                    "id_number": DEMO_ID_NUMBER,
                    "scanned_at": scanned_at,
                },
            )
            out.add(
                code_shows,
                {
                    "id": next(self.ids["show"]),
                    "id_number": DEMO_ID_NUMBER,
                    "district_code": grid.district_code,
                    "color": "GREEN",
                    "shown_at": scanned_at,
                },
            )


def generate_health(
    seed: int, hierarchy: Hierarchy, scale: Scale, population: Population
) -> Iterator[Batch]:
    """Places first, then every resident's health records, in batches of grids."""
    generator = _HealthGenerator(random.Random(f"{seed}:health"), hierarchy)
    first = Batch()
    first.extend(places, generator.places(scale))
    yield first
    for start in range(0, len(hierarchy.grids), _GRIDS_PER_BATCH):
        out = Batch()
        chunk = hierarchy.grids[start : start + _GRIDS_PER_BATCH]
        for grid in chunk:
            for id_number in population.residents[grid.index]:
                if id_number == DEMO_ID_NUMBER:
                    generator.demo(grid, out)
                else:
                    generator.person(id_number, grid, out)
        out.done = len(chunk)
        yield out
