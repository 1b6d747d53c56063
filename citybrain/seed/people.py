"""Civil affairs (民政) data: residents, households, elderly care (银发), subsidies (惠民惠农)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from citybrain.connectors.civil_affairs.tables import elderly_care, households, persons, subsidies
from citybrain.regions import TIANJIN_DISTRICTS
from citybrain.seed.batches import Batch
from citybrain.seed.demo import DEMO_GRID_CODE, DEMO_ID_NUMBER, demo_household
from citybrain.seed.grants import grants_for
from citybrain.seed.identity import REFERENCE_DATE, IdentityMaker, age_of
from citybrain.seed.scales import distribute
from citybrain.seed.vocabulary import OTHER_AREA_CODES, OTHER_AREA_WEIGHTS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from citybrain.seed.hierarchy import GridArea, Hierarchy
    from citybrain.seed.scales import Scale

__all__ = ["Population", "generate_people"]

_TIANJIN_CODES = tuple(code for code, _ in TIANJIN_DISTRICTS)
_RESIDENT_TYPES = ("PERMANENT", "FLOATING", "NON_LOCAL", "FOREIGN")
_RESIDENT_TYPE_WEIGHTS = (80.0, 12.0, 7.5, 0.5)
# Share of each type with a Tianjin birthplace code (foreigners get a Tianjin-issued number).
_BORN_IN_TIANJIN = {"PERMANENT": 0.9, "FLOATING": 0.25, "NON_LOCAL": 0.0, "FOREIGN": 1.0}
_CARE_SERVICES = ("居家养老", "社区日间照料", "助餐服务", "助浴服务", "医养结合", "智慧养老监护")
_CARE_PROVIDERS = ("居家养老服务中心", "日间照料中心", "老年人助餐点", "养老服务综合体")
_GRIDS_PER_BATCH = 200


@dataclass
class Population:
    """What the other departments need to know about the residents generated."""

    residents: list[list[str]] = field(default_factory=list)  # ID numbers, per grid index
    workers: list[dict[str, Any]] = field(default_factory=list)  # grid_workers rows
    drivers: list[str] = field(default_factory=list)  # ID numbers of ride-hailing drivers
    fleet_owners: list[str] = field(default_factory=list)  # own cars others drive


class _CivilGenerator:
    def __init__(
        self, rng: random.Random, hierarchy: Hierarchy, scale: Scale, population: Population
    ) -> None:
        self.rng = rng
        self.who = IdentityMaker(rng)
        self.who.reserve(DEMO_ID_NUMBER)
        self.subsidy_ids = itertools.count(1)
        self.population = population
        population.residents = [[] for _ in hierarchy.grids]
        counts = distribute(
            scale.persons_per_grid * len(hierarchy.grids),
            [rng.uniform(0.7, 1.3) for _ in hierarchy.grids],
            minimum=8,
        )
        self.persons_per_grid = [
            scale.demo_grid_persons if g.code == DEMO_GRID_CODE else n
            for g, n in zip(hierarchy.grids, counts, strict=True)
        ]
        doubled = set(rng.sample(range(len(hierarchy.grids)), scale.workers - len(hierarchy.grids)))
        self.workers_per_grid = [2 if i in doubled else 1 for i in range(len(hierarchy.grids))]

    def _origin(self, resident_type: str, district_code: str) -> str:
        rng = self.rng
        if rng.random() >= _BORN_IN_TIANJIN[resident_type]:
            return rng.choices(OTHER_AREA_CODES, OTHER_AREA_WEIGHTS)[0]
        return district_code if rng.random() < 0.65 else rng.choice(_TIANJIN_CODES)

    def _address(self, grid: GridArea) -> str:
        rng = self.rng
        if grid.village:
            home = f"{rng.randint(1, 300)}号"
        else:
            home = (
                f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
            )
        return f"天津市{grid.district_name}{grid.street_name}{grid.community_name}{home}"

    def _household(
        self, grid: GridArea, number: int, size: int, out: Batch
    ) -> list[dict[str, Any]]:
        rng, who = self.rng, self.who
        resident_type = rng.choices(_RESIDENT_TYPES, _RESIDENT_TYPE_WEIGHTS)[0]
        migrant = resident_type != "PERMANENT"
        origin = self._origin(resident_type, grid.district_code)
        family_name = who.surname()
        household_id = f"H{grid.code}{number:04d}"
        address = self._address(grid)
        members: list[dict[str, Any]] = []
        for i in range(size):
            male = rng.random() < 0.51
            born = who.birth_date(migrant=migrant, adult=i == 0)
            area = origin if rng.random() < 0.8 else self._origin(resident_type, grid.district_code)
            surname = family_name if rng.random() < 0.6 else None
            members.append(
                {
                    "id_number": who.id_number(area, born, male=male),
                    "name": who.name(male=male, surname=surname),
                    "gender": "MALE" if male else "FEMALE",
                    "birth_date": born,
                    "phone": who.phone(),
                    "address": address,
                    "resident_type": resident_type,
                    "household_id": household_id,
                    "home_grid_code": grid.code,
                }
            )
        head = min(members, key=lambda m: m["birth_date"])
        out.add(
            households,
            {
                "household_id": household_id,
                "head_id_number": head["id_number"],
                "address": address,
                "grid_code": grid.code,
            },
        )
        return members

    def _household_sizes(self, count: int) -> list[int]:
        sizes = []
        remaining = count
        while remaining > 0:
            size = remaining if remaining <= 4 else self.rng.choice((2, 3, 4))
            if remaining - size == 1:
                size -= 1
            sizes.append(size)
            remaining -= size
        return sizes

    def _extras(self, member: dict[str, Any], grid: GridArea, out: Batch) -> None:
        """Elderly care, subsidies, and whether the person drives or owns ride-hailing cars."""
        rng = self.rng
        id_number: str = member["id_number"]
        age = age_of(id_number)
        if age >= 60 and rng.random() < (0.45 if age >= 80 else 0.15):
            levels = (1, 2, 3) if age < 80 else (2, 3, 3)
            start = max(
                member["birth_date"].toordinal() + 60 * 365, dt.date(2016, 1, 1).toordinal()
            )
            out.add(
                elderly_care,
                {
                    "id_number": id_number,
                    "care_level": rng.choice(levels),
                    "service_type": rng.choice(_CARE_SERVICES),
                    "provider": f"{grid.street_name}{rng.choice(_CARE_PROVIDERS)}",
                    "since": dt.date.fromordinal(
                        rng.randint(start, REFERENCE_DATE.toordinal() - 1)
                    ),
                },
            )
        for programme, amount, granted_on in grants_for(rng, age, village=grid.village):
            out.add(
                subsidies,
                {
                    "id": next(self.subsidy_ids),
                    "id_number": id_number,
                    "programme": programme,
                    "amount": amount,
                    "granted_on": granted_on,
                },
            )
        if 21 <= age <= 60 and rng.random() < (0.049 if member["gender"] == "MALE" else 0.009):
            self.population.drivers.append(id_number)
        elif 30 <= age <= 65 and rng.random() < 0.0006:
            self.population.fleet_owners.append(id_number)

    def _demo_grant(self) -> dict[str, Any]:
        return {
            "id": next(self.subsidy_ids),
            "id_number": DEMO_ID_NUMBER,
            "programme": "一次性创业补贴",
            "amount": 8000,
            "granted_on": dt.date(2025, 4, 15),
        }

    def grid(self, grid: GridArea, out: Batch) -> None:
        count = self.persons_per_grid[grid.index]
        members: list[dict[str, Any]] = []
        if grid.code == DEMO_GRID_CODE:
            demo_members, demo_home = demo_household(grid)
            members += demo_members
            out.add(households, demo_home)
            out.add(subsidies, self._demo_grant())
            count -= len(demo_members)
        for number, size in enumerate(self._household_sizes(count), start=1):
            members += self._household(grid, number, size, out)
        for member in members:
            out.add(persons, member)
            if member["id_number"] != DEMO_ID_NUMBER:
                self._extras(member, grid, out)
        self.population.residents[grid.index] = [m["id_number"] for m in members]
        candidates = [
            m
            for m in members
            if 22 <= age_of(m["id_number"]) <= 58 and m["id_number"] != DEMO_ID_NUMBER
        ]
        picked = self.rng.sample(
            candidates, min(len(candidates), self.workers_per_grid[grid.index])
        )
        for k, worker in enumerate(picked, start=1):
            self.population.workers.append(
                {
                    "worker_id": f"W{grid.code}{k:02d}",
                    "id_number": worker["id_number"],
                    "name": worker["name"],
                    "phone": worker["phone"],
                    "grid_code": grid.code,
                }
            )


def generate_people(
    seed: int, hierarchy: Hierarchy, scale: Scale, population: Population
) -> Iterator[Batch]:
    """Residents of every grid, in batches of grids; fills ``population`` as it goes."""
    rng = random.Random(f"{seed}:civil_affairs")
    generator = _CivilGenerator(rng, hierarchy, scale, population)
    for start in range(0, len(hierarchy.grids), _GRIDS_PER_BATCH):
        out = Batch()
        for grid in hierarchy.grids[start : start + _GRIDS_PER_BATCH]:
            generator.grid(grid, out)
        out.done = len(hierarchy.grids[start : start + _GRIDS_PER_BATCH])
        yield out
