"""Transport (交通) data: ride-hailing platforms, drivers, vehicles, violations (慧治网约车)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import TYPE_CHECKING, Any

from citybrain.connectors.transport.tables import drivers, platforms, vehicles, violations
from citybrain.seed.batches import Batch
from citybrain.seed.demo import DEMO_ID_NUMBER, DEMO_LICENCE_NUMBER, DEMO_PLATE
from citybrain.seed.identity import REFERENCE_DATE
from citybrain.seed.scales import REFERENCE_TIME

if TYPE_CHECKING:
    from collections.abc import Iterator

    from citybrain.seed.people import Population

__all__ = ["PLATFORMS", "generate_transport"]

# code, name, operating permit (网络预约出租汽车经营许可证), share of drivers
PLATFORMS = (
    ("DIDI", "滴滴出行", "津交运网约许字〔2016〕第001号", 55.0),
    ("CAOCAO", "曹操出行", "津交运网约许字〔2018〕第007号", 10.0),
    ("T3", "T3出行", "津交运网约许字〔2020〕第015号", 10.0),
    ("MEITUAN", "美团打车", "津交运网约许字〔2019〕第011号", 12.0),
    ("GAODE", "高德打车", "津交运网约许字〔2021〕第018号", 13.0),
)
_PLATFORM_CODES = tuple(p[0] for p in PLATFORMS)
_PLATFORM_WEIGHTS = tuple(p[3] for p in PLATFORMS)
_STATUSES = ("VALID", "SUSPENDED", "REVOKED", "EXPIRED")
_STATUS_WEIGHTS = (88.0, 4.0, 3.0, 5.0)
_MODELS = (
    "比亚迪秦PLUS EV", "比亚迪汉EV", "比亚迪e5", "广汽埃安S", "吉利几何A", "荣威Ei5",
    "丰田卡罗拉双擎", "大众朗逸", "日产轩逸", "别克英朗", "特斯拉Model 3", "小鹏P5",
)  # fmt: skip
_COLORS = ("白色", "黑色", "银色", "灰色", "蓝色", "红色")
# kind, points, fine in yuan
_VIOLATIONS = (
    ("超速行驶", 3, 200), ("闯红灯", 6, 200), ("违规停车", 0, 150), ("驾驶时拨打手持电话", 3, 200),
    ("未系安全带", 1, 50), ("巡游揽客", 0, 2000), ("绕路多收费", 0, 1000), ("拒载", 0, 1000),
    ("车辆与平台登记信息不符", 0, 3000), ("未随车携带网约车运输证", 0, 500),
)  # fmt: skip
_PLATE_LETTERS = "ABCDEFGHJKLMNQR"
_VALIDITY = dt.timedelta(days=6 * 365)
_DRIVERS_PER_BATCH = 5000


class _TransportGenerator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.plates = {DEMO_PLATE}
        self.violation_ids = itertools.count(1)
        self.licence_numbers = itertools.count(2)  # 1 is the demo resident's

    def plate(self) -> str:
        rng = self.rng
        while True:
            letter = rng.choice(_PLATE_LETTERS)
            if rng.random() < 0.7:  # new-energy plates: 津A + D/F + 5 digits
                plate = f"津{letter}{rng.choice('DF')}{rng.randrange(100_000):05d}"
            else:
                plate = f"津{letter}{rng.randrange(100_000):05d}"
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def vehicle(self, owner: str, platform: str, plate: str) -> dict[str, Any]:
        rng = self.rng
        return {
            "plate": plate,
            "owner_id_number": owner,
            "platform_code": platform,
            "model": rng.choice(_MODELS),
            "color": rng.choice(_COLORS),
            "registered_on": REFERENCE_DATE - dt.timedelta(days=rng.randint(60, 6 * 365)),
        }

    def violation(self, id_number: str, plate: str, kind: int | None = None) -> dict[str, Any]:
        rng = self.rng
        name, points, fine = _VIOLATIONS[rng.randrange(len(_VIOLATIONS)) if kind is None else kind]
        return {
            "id": next(self.violation_ids),
            "id_number": id_number,
            "plate": plate,
            "kind": name,
            "points": points,
            "fine": fine,
            "occurred_at": REFERENCE_TIME - dt.timedelta(seconds=rng.randrange(730 * 86_400)),
        }

    def driver(self, id_number: str, fleet_owners: list[str], out: Batch) -> None:
        rng = self.rng
        platform = rng.choices(_PLATFORM_CODES, _PLATFORM_WEIGHTS)[0]
        status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
        if status == "EXPIRED":
            issued = REFERENCE_DATE - _VALIDITY - dt.timedelta(days=rng.randint(1, 700))
        else:
            issued = REFERENCE_DATE - dt.timedelta(days=rng.randint(30, 6 * 365 - 30))
        out.add(
            drivers,
            {
                "id_number": id_number,
                "licence_number": f"TJWY{issued.year}{next(self.licence_numbers):08d}",
                "platform_code": platform,
                "status": status,
                "issued_on": issued,
                "expires_on": issued + _VALIDITY,
            },
        )
        plate = self.plate()
        owner = id_number if not fleet_owners or rng.random() < 0.92 else rng.choice(fleet_owners)
        out.add(vehicles, self.vehicle(owner, platform, plate))
        weights = (
            (20.0, 30.0, 30.0, 20.0) if status in {"SUSPENDED", "REVOKED"} else (60, 25, 10, 5)
        )
        count = rng.choices((0, 1, 2, 3), weights)[0] * (2 if status == "REVOKED" else 1)
        for _ in range(count):
            out.add(violations, self.violation(id_number, plate))

    def demo(self, out: Batch) -> None:
        """The demo resident drives for 滴滴出行 with a valid licence and their own car."""
        out.add(
            drivers,
            {
                "id_number": DEMO_ID_NUMBER,
                "licence_number": DEMO_LICENCE_NUMBER,
                "platform_code": "DIDI",
                "status": "VALID",
                "issued_on": dt.date(2023, 5, 18),
                "expires_on": dt.date(2029, 5, 17),
            },
        )
        out.add(vehicles, self.vehicle(DEMO_ID_NUMBER, "DIDI", DEMO_PLATE))
        out.add(violations, self.violation(DEMO_ID_NUMBER, DEMO_PLATE, kind=2))
        out.add(violations, self.violation(DEMO_ID_NUMBER, DEMO_PLATE, kind=0))


def generate_transport(seed: int, population: Population) -> Iterator[Batch]:
    """Platforms, then drivers with their vehicles and violations, in batches of drivers."""
    generator = _TransportGenerator(random.Random(f"{seed}:transport"))
    out = Batch()
    for code, name, permit, _ in PLATFORMS:
        out.add(platforms, {"code": code, "name": name, "permit_number": permit})
    generator.demo(out)
    out.done = 1
    yield out
    for start in range(0, len(population.drivers), _DRIVERS_PER_BATCH):
        out = Batch()
        chunk = population.drivers[start : start + _DRIVERS_PER_BATCH]
        for id_number in chunk:
            generator.driver(id_number, population.fleet_owners, out)
        out.done = len(chunk)
        yield out
