"""Word lists the generators sample from: names, places, area codes, organisations.

Personal names come from Faker's ``zh_CN`` person provider, read once at import (calling
Faker per row would be far too slow at city scale); the rest is written out here.
"""

from __future__ import annotations

import itertools

from faker.providers.address.zh_CN import Provider as _AddressProvider
from faker.providers.person.zh_CN import Provider as _PersonProvider

__all__ = [
    "BUILDING_SUFFIXES",
    "GIVEN_NAMES_FEMALE",
    "GIVEN_NAMES_MALE",
    "GIVEN_SINGLE_CHARS",
    "OTHER_AREA_CODES",
    "OTHER_AREA_WEIGHTS",
    "PHONE_PREFIXES",
    "PLACE_WORDS",
    "RURAL_DISTRICTS",
    "SURNAMES",
    "SURNAME_CUM_WEIGHTS",
    "VILLAGE_SUFFIXES",
    "birth_year_weights",
]

# Surnames with their frequency (percent), e.g. 王 7.17, 李 7.0 ...
SURNAMES: tuple[str, ...] = tuple(_PersonProvider.last_names)
SURNAME_CUM_WEIGHTS: tuple[float, ...] = tuple(
    itertools.accumulate(float(w) for w in _PersonProvider.last_names.values())
)
GIVEN_NAMES_MALE: tuple[str, ...] = tuple(_PersonProvider.first_names_male)
GIVEN_NAMES_FEMALE: tuple[str, ...] = tuple(_PersonProvider.first_names_female)
# Single characters of both lists: a second character makes two-character given names.
GIVEN_SINGLE_CHARS: tuple[str, ...] = tuple(
    sorted({n for n in GIVEN_NAMES_MALE + GIVEN_NAMES_FEMALE if len(n) == 1})
)

# Two-character place words for street, community and road names: Faker's district words
# plus names common in Tianjin.
_TIANJIN_WORDS = (
    "华苑", "梅江", "天塔", "王顶堤", "体院", "鞍山", "万德庄", "长江", "黄河", "海河",
    "子牙", "金钟", "新开", "大直沽", "中山门", "二号桥", "富民", "唐家口", "向阳", "丁字沽",
    "铃铛阁", "西沽", "咸阳", "芥园", "邵公庄", "三条石", "春华", "秋实", "宜白", "月牙河",
    "建昌", "光华", "望海", "泰达", "新港", "杨家泊", "汉沽", "大港", "古林", "海滨",
    "杨柳青", "中北", "精武", "张家窝", "辛口", "咸水沽", "双港", "八里台", "小站", "北仓",
    "天穆", "青光", "果园", "瑞景", "杨村", "下朱庄", "东蒲洼", "黄庄", "徐官屯", "大口屯",
    "芦台", "桥北", "渔阳", "文昌", "盘山", "静海", "团泊", "唐官屯", "宝平", "钰华",
    "新华", "兴华", "光明", "建设", "朝阳", "胜利", "解放", "幸福", "和睦", "丰年",
    "万兴", "金桥", "银河", "欣园", "嘉华", "锦绣", "龙潭", "康宁", "福安", "永安",
)  # fmt: skip
PLACE_WORDS: tuple[str, ...] = tuple(
    dict.fromkeys(_TIANJIN_WORDS + tuple(w for w in _AddressProvider.districts if len(w) == 2))
)
BUILDING_SUFFIXES = ("里", "园", "苑", "花园", "新村", "家园", "公寓", "小区", "嘉园", "雅居")
VILLAGE_SUFFIXES = ("家庄", "庄", "营", "屯", "坨", "堡", "各庄", "家店", "家口", "台")

# Districts where most streets are townships (镇) and communities are villages (村).
RURAL_DISTRICTS = frozenset({"120114", "120115", "120117", "120118", "120119"})

# Birthplaces outside Tianjin (GB/T 2260 county codes) and how often each occurs:
# neighbouring Hebei and Shandong most, then Beijing, Henan and the north-east.
_OTHER_AREAS = (
    ("130102", 8), ("130203", 5), ("131002", 5), ("130602", 4), ("130902", 5),
    ("131102", 3), ("110101", 3), ("110105", 3), ("370102", 3), ("370202", 2),
    ("371402", 3), ("410102", 3), ("411302", 2), ("140105", 2), ("150102", 1),
    ("210102", 2), ("220102", 1), ("230102", 2), ("310101", 1), ("320102", 1),
    ("340102", 2), ("360102", 1), ("420102", 1), ("430102", 1), ("440103", 1),
    ("500103", 1), ("510104", 1), ("610102", 1), ("620102", 1),
)  # fmt: skip
OTHER_AREA_CODES: tuple[str, ...] = tuple(code for code, _ in _OTHER_AREAS)
OTHER_AREA_WEIGHTS: tuple[int, ...] = tuple(weight for _, weight in _OTHER_AREAS)

PHONE_PREFIXES: tuple[str, ...] = tuple(
    [f"13{d}" for d in range(10)]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + [f"18{d}" for d in range(10)]
)

# Relative number of people born in each year: Tianjin's population pyramid, roughly.
_RESIDENT_PYRAMID = (
    (1930, 0.1), (1940, 0.35), (1950, 0.75), (1955, 0.95), (1962, 1.5), (1970, 1.6),
    (1977, 1.3), (1985, 1.7), (1990, 1.9), (1995, 1.4), (2000, 1.05), (2010, 1.0),
    (2016, 1.1), (2020, 0.7),
)  # fmt: skip
# People who come to work in the city are mostly of working age.
_MIGRANT_PYRAMID = (
    (1955, 0.05), (1965, 0.4), (1975, 1.2), (1985, 2.0), (1995, 2.2), (2002, 1.2),
    (2010, 0.5), (2020, 0.3),
)  # fmt: skip


def _interpolate(anchors: tuple[tuple[int, float], ...], year: int) -> float:
    for (y0, w0), (y1, w1) in itertools.pairwise(anchors):
        if y0 <= year <= y1:
            return w0 + (w1 - w0) * (year - y0) / (y1 - y0)
    return 0.0


def birth_year_weights(*, migrant: bool) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Years 1930-2020 and their cumulative weights, for ``random.choices``."""
    anchors = _MIGRANT_PYRAMID if migrant else _RESIDENT_PYRAMID
    years = tuple(range(1930, 2021))
    weights = [_interpolate(anchors, y) for y in years]
    return years, tuple(itertools.accumulate(weights))
