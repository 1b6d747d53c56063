"""Small-cell suppression (小数抑制): no published count may single out a few people.

A count between 1 and ``threshold - 1`` is withheld (``None``); zero is shown. Within a
breakdown whose total is also published, a single withheld cell could be recovered by
subtraction, so the smallest other non-zero cell of that figure is withheld too
(complementary suppression). A rate or mean is withheld when a count it is computed from
is withheld, or when fewer than ``threshold`` items stand behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Derived", "suppress_breakdown", "suppress_row"]


@dataclass(frozen=True, slots=True)
class Derived:
    """A figure computed from counts: withheld with any of ``inputs``, or when the count
    ``base`` (the items behind a mean) is below the threshold."""

    inputs: tuple[str, ...]
    base: str


def _primary(row: Mapping[str, Any], counts: Sequence[str], threshold: int) -> dict[str, Any]:
    out = dict(row)
    for name in counts:
        value = out[name]
        if value is not None and 0 < value < threshold:
            out[name] = None
    return out


def _derive(
    original: Mapping[str, Any],
    out: dict[str, Any],
    derived: Mapping[str, Derived],
    threshold: int,
) -> dict[str, Any]:
    for name, rule in derived.items():
        base = original[rule.base]
        if any(out[i] is None for i in rule.inputs) or base is None or base < threshold:
            out[name] = None
    withheld = any(out[n] is None and original[n] is not None for n in (*original,))
    out["suppressed"] = withheld
    return out


def suppress_row(
    row: Mapping[str, Any],
    counts: Sequence[str],
    derived: Mapping[str, Derived],
    threshold: int,
) -> dict[str, Any]:
    """One row of figures with small cells withheld; ``suppressed`` says whether any was.

    Args:
        row: figure name -> value (counts are ints, derived figures floats or None).
        counts: the names of the counts in ``row``.
        derived: the names of the rates and means, with what they are computed from.
        threshold: the smallest count that may be published (1: nothing is withheld).
    """
    return _derive(row, _primary(row, counts, threshold), derived, threshold)


def suppress_breakdown(
    rows: Sequence[Mapping[str, Any]],
    counts: Sequence[str],
    derived: Mapping[str, Derived],
    threshold: int,
) -> list[dict[str, Any]]:
    """The rows of a breakdown, with small cells and their complements withheld."""
    out = [_primary(row, counts, threshold) for row in rows]
    for name in counts:
        withheld = [i for i, row in enumerate(out) if row[name] is None and rows[i][name]]
        if len(withheld) != 1:
            continue
        shown = [(row[name], i) for i, row in enumerate(out) if row[name]]
        if shown:
            _, smallest = min(shown)
            out[smallest][name] = None
    return [_derive(row, o, derived, threshold) for row, o in zip(rows, out, strict=True)]
