"""Small-cell suppression of the health daily report (健康码日报) as one table.

The report publishes, in one answer, a table of districts by days with both margins: each
district's period totals (the sum of its days), the city's days (the sum of the
districts' same days) and the city's totals; and likewise districts by industries. A
small district-day count withheld inside its district's days could otherwise be
recomputed as the city's day minus the other districts' days. Every cell and every margin
of the answer goes through :func:`citybrain.resolvers.suppression.protect` together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citybrain.resolvers.suppression import Cell, Margin, protect, withhold

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["suppress_report"]

_ISSUED = "place_codes_issued"


class _Table:
    """Cells and margins of one report, filled one district (or the city) at a time."""

    def __init__(self, counts: Sequence[str], figures: Sequence[str]) -> None:
        self.counts = counts
        self.figures = figures
        self.values: dict[Cell, int] = {}
        self.margins: list[Margin[Cell]] = []

    def add_report(self, key: Any, report: dict[str, Any]) -> None:
        days = report["days"]
        industries = report["issued_by_industry"]
        for name in self.figures:
            self.values[(key, name)] = int(report[name] or 0)
        for day in days:
            for name in self.counts:
                self.values[((key, day["day"]), name)] = int(day[name] or 0)
        for row in industries:
            self.values[((key, row["industry"]), "place_codes")] = int(row["place_codes"] or 0)
        for name in self.counts:
            parts = tuple(((key, day["day"]), name) for day in days)
            self.margins.append(Margin(total=(key, name), parts=parts))
        by_industry = tuple(((key, row["industry"]), "place_codes") for row in industries)
        if sum(self.values[c] for c in by_industry) == self.values[(key, _ISSUED)]:
            self.margins.append(Margin(total=(key, _ISSUED), parts=by_industry))

    def add_city_margins(self, city: dict[str, Any], keys: Sequence[Any]) -> None:
        """The city's cells are the sums of the districts' same cells."""
        for name in self.figures:
            self.margins.append(Margin(total=("city", name), parts=tuple((k, name) for k in keys)))
        for day in city["days"]:
            for name in self.counts:
                parts = tuple(c for k in keys if (c := ((k, day["day"]), name)) in self.values)
                self.margins.append(Margin(total=(("city", day["day"]), name), parts=parts))
        for row in city["issued_by_industry"]:
            parts = tuple(
                c for k in keys if (c := ((k, row["industry"]), "place_codes")) in self.values
            )
            total = (("city", row["industry"]), "place_codes")
            self.margins.append(Margin(total=total, parts=parts))


def _shown(report: dict[str, Any], key: Any, held: set[Cell], threshold: int) -> dict[str, Any]:
    def names(cell_key: Any) -> set[str]:
        return {name for k, name in held if k == cell_key}

    out = withhold(report, names(key), {}, threshold)
    out["days"] = [withhold(d, names((key, d["day"])), {}, threshold) for d in report["days"]]
    out["issued_by_industry"] = [
        withhold(r, names((key, r["industry"])), {}, threshold)
        for r in report["issued_by_industry"]
    ]
    return out


def suppress_report(
    city: dict[str, Any] | None,
    districts: Sequence[dict[str, Any]],
    counts: Sequence[str],
    figures: Sequence[str],
    threshold: int,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The city's report (if published) and the districts', with small cells withheld.

    Args:
        city: the city's report (its cells the sums of the districts'), or None when the
            answer holds one district only.
        districts: each district's report: period totals ``figures``, ``days`` with
            ``counts``, ``issued_by_industry``.
        counts: the per-day counts; figures: the period figures (counts and more).
        threshold: the smallest count that may be published.
    """
    table = _Table(counts, figures)
    keys = list(range(len(districts)))
    for key, report in zip(keys, districts, strict=True):
        table.add_report(key, report)
    if city is not None:
        table.add_report("city", city)
        table.add_city_margins(city, keys)
    held = protect(table.values, table.margins, threshold)
    shown = [_shown(r, k, held, threshold) for k, r in zip(keys, districts, strict=True)]
    return (None if city is None else _shown(city, "city", held, threshold)), shown
