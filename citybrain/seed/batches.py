"""A batch of generated rows, grouped by table, on its way to a department database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Table

__all__ = ["Batch", "Row"]

Row = dict[str, Any]


@dataclass
class Batch:
    """Rows generated for some units of work (grids, days, drivers), and how many units."""

    rows: dict[Table, list[Row]] = field(default_factory=dict)
    done: int = 0

    def add(self, table: Table, row: Row) -> None:
        rows = self.rows.get(table)
        if rows is None:
            rows = self.rows[table] = []
        rows.append(row)

    def extend(self, table: Table, rows: list[Row]) -> None:
        self.rows.setdefault(table, []).extend(rows)
