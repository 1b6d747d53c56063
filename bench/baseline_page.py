"""Baseline (b): a page of a grid's residents with health code and latest reported events."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from bench.baseline import iso as _iso
from bench.baseline import rows as _rows
from citybrain.connectors import encode_cursor
from citybrain.connectors.civil_affairs import tables as civil
from citybrain.connectors.grid import tables as grid
from citybrain.connectors.health import tables as health

if TYPE_CHECKING:
    from bench.baseline import Engines, Json

__all__ = ["residents_page"]


async def residents_page(
    engines: Engines, grid_code: str, first: int = 100, events: int = 3
) -> Json:
    """``{"grid": ...}`` for the ResidentsPage query, in 4 statements, 2 rounds."""
    g, p = grid.grids, civil.persons
    grid_rows, people = await asyncio.gather(
        _rows(engines.grid, select(g.c.code, g.c.name).where(g.c.code == grid_code)),
        _rows(
            engines.civil_affairs,
            select(p.c.id_number, p.c.name, p.c.gender, p.c.resident_type)
            .where(p.c.home_grid_code == grid_code)
            .order_by(p.c.id_number)
            .limit(first + 1),
        ),
    )
    if not grid_rows:
        return {"grid": None}
    shown = people[:first]
    ids = [person.id_number for person in shown]
    codes: dict[str, Any] = {}
    reported: dict[str, list[Json]] = {}
    if ids:
        hc, ev = health.health_codes, grid.grid_events
        rank = (
            func.row_number()
            .over(
                partition_by=ev.c.reporter_id_number,
                order_by=(ev.c.reported_at.desc(), ev.c.id.desc()),
            )
            .label("rank")
        )
        columns = (ev.c.reporter_id_number, ev.c.id, ev.c.title, ev.c.status, ev.c.reported_at)
        ranked = select(*columns, rank).where(ev.c.reporter_id_number.in_(ids)).subquery()
        code_rows, event_rows = await asyncio.gather(
            _rows(
                engines.health,
                select(hc.c.id_number, hc.c.color, hc.c.updated_at).where(hc.c.id_number.in_(ids)),
            ),
            _rows(
                engines.grid,
                select(
                    ranked.c.reporter_id_number,
                    ranked.c.id,
                    ranked.c.title,
                    ranked.c.status,
                    ranked.c.reported_at,
                )
                .where(ranked.c.rank <= events)
                .order_by(ranked.c.reporter_id_number, ranked.c.rank),
            ),
        )
        codes = {row[0]: row for row in code_rows}
        for reporter, event_id, title, status, reported_at in event_rows:
            reported.setdefault(reporter, []).append(
                {
                    "node": {
                        "id": event_id,
                        "title": title,
                        "status": status,
                        "reportedAt": _iso(reported_at),
                    }
                }
            )
    edges = []
    for id_number, name, gender, resident_type in shown:
        code = codes.get(id_number)
        edges.append(
            {
                "node": {
                    "idNumber": id_number,
                    "name": name,
                    "gender": gender,
                    "residentType": resident_type,
                    "healthCode": None
                    if code is None
                    else {"color": code[1], "updatedAt": _iso(code[2])},
                    "reportedEvents": {"edges": reported.get(id_number, [])},
                }
            }
        )
    code_, name_ = grid_rows[0]
    return {
        "grid": {
            "code": code_,
            "name": name_,
            "residents": {
                "edges": edges,
                "pageInfo": {
                    "hasNextPage": len(people) > first,
                    "endCursor": encode_cursor([ids[-1]]) if ids else None,
                },
            },
        }
    }
