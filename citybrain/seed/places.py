"""Places (场所) that applied for a place code (场所码), by industry."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from citybrain.seed.vocabulary import PLACE_WORDS

if TYPE_CHECKING:
    import random

    from citybrain.seed.hierarchy import GridArea

__all__ = ["INDUSTRIES", "INDUSTRY_WEIGHTS", "place_row"]

INDUSTRIES = ("餐饮", "商超", "医疗", "交通", "学校", "政务", "文娱", "酒店")
INDUSTRY_WEIGHTS = (30.0, 20.0, 8.0, 8.0, 8.0, 6.0, 10.0, 10.0)

_RESTAURANTS = (
    "饭庄",
    "包子铺",
    "面馆",
    "火锅店",
    "快餐店",
    "烧烤店",
    "煎饼果子铺",
    "饺子馆",
    "咖啡馆",
)
_SHOPS = (
    "物美超市",
    "家乐福",
    "永辉超市",
    "华润万家",
    "7-Eleven便利店",
    "罗森便利店",
    "好邻居便利店",
)
_HOTELS = ("如家酒店", "汉庭酒店", "7天酒店", "锦江之星", "全季酒店", "亚朵酒店")
_LEISURE = ("影城", "剧场", "体育馆", "KTV", "图书馆", "健身中心", "文化馆")
_SCHOOLS = ("小学", "中学", "幼儿园", "职业学校")
_FIRST_ISSUE = dt.date(2020, 3, 1).toordinal()
_LAST_ISSUE = dt.date(2022, 12, 31).toordinal()


def _short(street_name: str) -> str:
    """``劝业场街道`` -> ``劝业场``."""
    return street_name.removesuffix("街道").removesuffix("镇")


def _name(rng: random.Random, grid: GridArea, industry: str) -> str:
    word = rng.choice(PLACE_WORDS)
    street = _short(grid.street_name)
    match industry:
        case "餐饮":
            return f"{word}{rng.choice(_RESTAURANTS)}"
        case "商超":
            return f"{rng.choice(_SHOPS)}({word}店)"
        case "医疗":
            return rng.choice((f"{street}社区卫生服务中心", f"{word}大药房", f"{word}口腔门诊"))
        case "交通":
            return rng.choice((f"{word}公交站", f"地铁{rng.randint(1, 11)}号线{word}站"))
        case "学校":
            return f"{grid.district_name}{word}{rng.choice(_SCHOOLS)}"
        case "政务":
            return rng.choice((f"{street}便民服务中心", f"{grid.community_name}党群服务中心"))
        case "文娱":
            return f"{word}{rng.choice(_LEISURE)}"
        case _:
            return f"{rng.choice(_HOTELS)}({word}店)"


def place_row(rng: random.Random, grid: GridArea, industry: str, number: int) -> dict[str, Any]:
    """A place in ``grid``; ``number`` (unique over the city) makes its place code."""
    road = f"{rng.choice(PLACE_WORDS)}{rng.choice(('路', '道', '大街'))}{rng.randint(1, 300)}号"
    return {
        "place_code": f"TJ{grid.district_code[2:]}{number:08d}",
        "name": _name(rng, grid, industry),
        "industry": industry,
        "address": f"天津市{grid.district_name}{grid.street_name}{road}",
        "grid_code": grid.code,
        "district_code": grid.district_code,
        "issued_on": dt.date.fromordinal(rng.randint(_FIRST_ISSUE, _LAST_ISSUE)),
        "active": rng.random() < 0.9,
    }
