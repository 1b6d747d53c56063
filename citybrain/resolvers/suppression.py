"""Small-cell suppression (小数抑制): no published count may single out a few people.

A count between 1 and ``threshold - 1`` is withheld (``None``); zero is shown. Counts in
one answer are tied by *margins*: a total equals the sum of its parts (a city's day is the
sum of its districts' days, a region's total the sum of its breakdown, a row's
``reported`` is ``closed`` plus the unpublished open events). Wherever a margin has one
member unknown, subtraction gives it back, so suppression is complementary across every
margin of the answer: when a small count (published or not, like the open events of a
row) could be derived from the figures shown, the smallest other non-zero count of the
margin that derives it is withheld too, and this is repeated until no small count can be
derived from any chain of margins.

The rule is the usual heuristic of statistical offices (no small cell is the only unknown
of a margin, after every derivation); it does not solve for intervals, so it protects
exact values. A rate or mean is withheld when a count it is computed from is withheld, or
when fewer than ``threshold`` items stand behind it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

C = TypeVar("C", bound=Hashable)
Cell = tuple[Any, str]

__all__ = [
    "Cell",
    "Derived",
    "Margin",
    "protect",
    "suppress_breakdown",
    "suppress_row",
    "withhold",
]


@dataclass(frozen=True, slots=True)
class Derived:
    """A figure computed from counts: withheld with any of ``inputs``, or when the count
    ``base`` (the items behind a mean) is below the threshold."""

    inputs: tuple[str, ...]
    base: str


@dataclass(frozen=True, slots=True)
class Margin(Generic[C]):
    """``total`` equals the sum of ``parts`` (cells are any hashable keys)."""

    total: C
    parts: tuple[C, ...]


def _derivable(known: set[C], margins: Sequence[Margin[C]]) -> dict[C, Margin[C]]:
    """Cells an attacker derives from ``known`` by subtraction, with the margin that does."""
    derived: dict[C, Margin[C]] = {}
    by_cell: dict[C, list[Margin[C]]] = {}
    for margin in margins:
        for cell in (margin.total, *margin.parts):
            by_cell.setdefault(cell, []).append(margin)
    pending = list(margins)
    while pending:
        margin = pending.pop()
        unknown = [c for c in (margin.total, *margin.parts) if c not in known]
        if len(unknown) != 1:
            continue
        (cell,) = unknown
        known.add(cell)
        derived[cell] = margin
        pending.extend(by_cell[cell])
    return derived


def protect(
    values: Mapping[C, int],
    margins: Sequence[Margin[C]],
    threshold: int,
    *,
    hidden: Collection[C] = (),
    fixed: Mapping[C, bool] | None = None,
) -> set[C]:
    """The published cells to withhold so that no small count can be derived.

    Args:
        values: every cell's count, published and hidden ones.
        margins: the sums that hold between the cells.
        threshold: the smallest count that may be known (1: nothing is withheld).
        hidden: cells never published (such as open events, ``reported - closed``).
        fixed: published cells decided elsewhere (True: withheld there); never chosen as
            complements here.
    """
    fixed = fixed or {}
    unpublished = set(hidden)

    def small(cell: C) -> bool:
        return 0 < values[cell] < threshold

    withheld = {c for c in values if c not in unpublished and (fixed.get(c) or small(c))}
    withheld -= {c for c, held in fixed.items() if not held}
    sensitive = {c for c in values if small(c)}
    accepted: set[C] = set()
    while True:
        known = {c for c in values if c not in unpublished and c not in withheld}
        shown = set(known)
        derived = _derivable(known, margins)
        leaks = [c for c in derived if (c in sensitive or c in withheld) and c not in accepted]
        if not leaks:
            return withheld
        # Fix the leaks derived from shown cells alone: the others follow from them.
        roots = [c for c in leaks if all(m in shown or m == c for m in _members(derived[c]))]
        before = set(withheld)
        for cell in roots or leaks[:1]:
            if any(m != cell and m in withheld - before for m in _members(derived[cell])):
                continue  # a complement of this round already covers it
            if not _cut(cell, derived, values, withheld, unpublished, fixed):
                accepted.add(cell)  # only derivable from figures decided elsewhere


def _cut(
    cell: C,
    derived: Mapping[C, Margin[C]],
    values: Mapping[C, int],
    withheld: set[C],
    unpublished: set[C],
    fixed: Mapping[C, bool],
) -> bool:
    """Withhold a complement in the margin that derives ``cell`` or, failing that, in
    the margins that derive its other unknowns (depth first)."""
    seen: set[C] = set()
    stack = [cell]
    while stack:
        target = stack.pop()
        if target in seen:
            continue
        seen.add(target)
        margin = derived[target]
        if _complement(target, margin, values, withheld, unpublished, fixed):
            return True
        stack += [m for m in _members(margin) if m != target and m in derived]
    return False


def _members(margin: Margin[C]) -> tuple[C, ...]:
    return (margin.total, *margin.parts)


def _complement(
    cell: C,
    margin: Margin[C],
    values: Mapping[C, int],
    withheld: set[C],
    unpublished: set[C],
    fixed: Mapping[C, bool],
) -> bool:
    """Withhold the smallest other non-zero shown member of ``margin`` (a part if any)."""
    candidates = [
        c
        for c in _members(margin)
        if c != cell
        and c not in unpublished
        and c not in withheld
        and c not in fixed
        and values[c] > 0
    ]
    if not candidates:
        return False
    parts = [c for c in candidates if c != margin.total] or candidates
    withheld.add(min(parts, key=lambda c: values[c]))
    return True


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


def withhold(
    row: Mapping[str, Any],
    names: Collection[str],
    derived: Mapping[str, Derived],
    threshold: int,
) -> dict[str, Any]:
    """``row`` with the figures ``names`` (and what is derived from them) set to None."""
    out = {k: (None if k in names else v) for k, v in row.items()}
    return _derive(row, out, derived, threshold)


def _pairs(subsets: Sequence[tuple[str, str]], key: object) -> list[Margin[Cell]]:
    """Margins within one row: ``whole = part + (whole - part)``, the difference hidden."""
    return [
        Margin(total=(key, whole), parts=((key, part), (key, f"{whole}-{part}")))
        for whole, part in subsets
    ]


def _row_values(
    row: Mapping[str, Any], key: object, counts: Sequence[str], subsets: Sequence[tuple[str, str]]
) -> tuple[dict[Cell, int], set[Cell]]:
    values: dict[Cell, int] = {(key, n): int(row[n] or 0) for n in counts}
    hidden: set[Cell] = set()
    for whole, part in subsets:
        cell = (key, f"{whole}-{part}")
        values[cell] = int(row[whole] or 0) - int(row[part] or 0)
        hidden.add(cell)
    return values, hidden


def suppress_row(
    row: Mapping[str, Any],
    counts: Sequence[str],
    derived: Mapping[str, Derived],
    threshold: int,
    subsets: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """One row of figures with small cells withheld; ``suppressed`` says whether any was.

    Args:
        row: figure name -> value (counts are ints, derived figures floats or None).
        counts: the names of the counts in ``row``.
        derived: the names of the rates and means, with what they are computed from.
        threshold: the smallest count that may be published (1: nothing is withheld).
        subsets: (whole, part) pairs of counts where ``part`` counts some of ``whole``'s
            items (closed of reported): their small difference is protected too.
    """
    values, hidden = _row_values(row, 0, counts, subsets)
    held = protect(values, _pairs(subsets, 0), threshold, hidden=hidden)
    return withhold(row, {n for _, n in held}, derived, threshold)


def suppress_breakdown(
    rows: Sequence[Mapping[str, Any]],
    counts: Sequence[str],
    derived: Mapping[str, Derived],
    threshold: int,
    subsets: Sequence[tuple[str, str]] = (),
) -> list[dict[str, Any]]:
    """The rows of a breakdown whose total is published (or may be) with the same figures.

    The total is the sum of the rows; what it withholds by itself (:func:`suppress_row`)
    is taken as decided, and the rows' small cells, their complements along each figure
    and within each row (``subsets``) are withheld so that none can be derived.
    """
    values, hidden = _row_values(
        {n: sum(int(r[n] or 0) for r in rows) for n in counts}, "total", counts, subsets
    )
    total_held = protect(values, _pairs(subsets, "total"), threshold, hidden=hidden)
    fixed: dict[Cell, bool] = {("total", n): ("total", n) in total_held for n in counts}
    margins = _pairs(subsets, "total")
    for i, row in enumerate(rows):
        row_values, row_hidden = _row_values(row, i, counts, subsets)
        values.update(row_values)
        hidden |= row_hidden
        margins += _pairs(subsets, i)
    names = [*counts, *(f"{whole}-{part}" for whole, part in subsets)]
    margins += [
        Margin(total=("total", n), parts=tuple((i, n) for i in range(len(rows)))) for n in names
    ]
    held = protect(values, margins, threshold, hidden=hidden, fixed=fixed)
    return [
        withhold(row, {n for k, n in held if k == i}, derived, threshold)
        for i, row in enumerate(rows)
    ]
