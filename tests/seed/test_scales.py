"""Scales: Tianjin's totals split exactly over its districts."""

from __future__ import annotations

import pytest

from citybrain.regions import TIANJIN_DISTRICTS
from citybrain.seed import CITY_TOTALS, SCALES, city_shape, distribute


def test_city_shape_sums_to_tianjins_totals() -> None:
    shape = city_shape()
    assert [(d.code, d.name) for d in shape] == list(TIANJIN_DISTRICTS)
    assert sum(d.streets for d in shape) == 281
    assert sum(d.communities for d in shape) == 6127
    assert sum(d.grids for d in shape) == 20795
    assert CITY_TOTALS == (281, 6127, 20795)
    assert all(0 < d.streets <= d.communities <= d.grids for d in shape)


def test_bigger_districts_get_more() -> None:
    by_name = {d.name: d for d in city_shape()}
    assert by_name["滨海新区"].grids == max(d.grids for d in by_name.values())
    assert by_name["和平区"].grids == min(d.grids for d in by_name.values())
    assert by_name["滨海新区"].streets > by_name["和平区"].streets


@pytest.mark.parametrize(
    ("total", "weights", "minimum"),
    [(10, [1.0, 1.0, 2.0], 1), (7, [0.1, 5.0, 0.1], 1), (1000, [0.3] * 7, 0), (3, [1.0] * 3, 1)],
)
def test_distribute_is_exact_and_respects_the_minimum(
    total: int, weights: list[float], minimum: int
) -> None:
    parts = distribute(total, weights, minimum=minimum)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert min(parts) >= minimum


def test_distribute_refuses_the_impossible() -> None:
    with pytest.raises(ValueError, match="at least"):
        distribute(2, [1.0, 1.0, 1.0])


def test_scales() -> None:
    assert set(SCALES) == {"small", "city"}
    city = SCALES["city"]
    assert city.persons_per_grid * 20795 >= 2_000_000
    assert city.events == 1_000_000
    assert city.workers == 36_000
    assert SCALES["small"].demo_grid_persons >= 1100
