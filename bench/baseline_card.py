"""Baseline (a): the README's profile card, one resident across the four departments."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bench.baseline import iso as _iso
from bench.baseline import rows as _rows
from citybrain.connectors.civil_affairs import tables as civil
from citybrain.connectors.grid import tables as grid
from citybrain.connectors.health import tables as health
from citybrain.connectors.transport import tables as transport

if TYPE_CHECKING:
    from bench.baseline import Engines, Json

__all__ = ["profile_card"]


async def profile_card(engines: Engines, id_number: str) -> Json:
    """``{"person": ...}`` for the README's ProfileCard query, in 7 statements."""
    p = civil.persons
    found = await _rows(
        engines.civil_affairs,
        select(p.c.id_number, p.c.name, p.c.resident_type, p.c.home_grid_code).where(
            p.c.id_number == id_number
        ),
    )
    if not found:
        return {"person": None}
    person = found[0]
    hc, vac, nat = health.health_codes, health.vaccinations, health.nucleic_acid_tests
    drv, plat = transport.drivers, transport.platforms
    g, c, s, d = grid.grids, grid.communities, grid.streets, grid.districts
    ev, cat = grid.grid_events, grid.event_categories
    code, vaccinations, tests, licence, home, events = await asyncio.gather(
        _rows(
            engines.health,
            select(hc.c.color, hc.c.reason, hc.c.updated_at).where(hc.c.id_number == id_number),
        ),
        _rows(
            engines.health,
            select(vac.c.vaccine, vac.c.dose, vac.c.vaccinated_on)
            .where(vac.c.id_number == id_number)
            .order_by(vac.c.vaccinated_on, vac.c.id)
            .limit(5),
        ),
        _rows(
            engines.health,
            select(nat.c.result, nat.c.sampled_at, nat.c.institution)
            .where(nat.c.id_number == id_number)
            .order_by(nat.c.sampled_at.desc(), nat.c.id.desc())
            .limit(1),
        ),
        _rows(
            engines.transport,
            select(drv.c.licence_number, drv.c.status, plat.c.code, plat.c.name)
            .select_from(drv.outerjoin(plat, plat.c.code == drv.c.platform_code))
            .where(drv.c.id_number == id_number),
        ),
        _rows(
            engines.grid,
            select(g.c.code, g.c.name, c.c.code, c.c.name, s.c.code, s.c.name, d.c.code, d.c.name)
            .select_from(
                g.outerjoin(c, c.c.code == g.c.community_code)
                .outerjoin(s, s.c.code == c.c.street_code)
                .outerjoin(d, d.c.code == s.c.district_code)
            )
            .where(g.c.code == person.home_grid_code),
        ),
        _rows(
            engines.grid,
            select(ev.c.id, ev.c.title, ev.c.status, ev.c.reported_at, cat.c.code, cat.c.name)
            .select_from(ev.outerjoin(cat, cat.c.code == ev.c.category_code))
            .where(ev.c.reporter_id_number == id_number)
            .order_by(ev.c.reported_at.desc(), ev.c.id.desc())
            .limit(3),
        ),
    )
    return {
        "person": {
            "idNumber": person.id_number,
            "name": person.name,
            "residentType": person.resident_type,
            "healthCode": {"color": code[0][0], "reason": code[0][1], "updatedAt": _iso(code[0][2])}
            if code
            else None,
            "vaccinations": {
                "edges": [
                    {"node": {"vaccine": v[0], "dose": v[1], "vaccinatedOn": _iso(v[2])}}
                    for v in vaccinations
                ]
            },
            "latestNucleicAcidTest": {
                "result": tests[0][0],
                "sampledAt": _iso(tests[0][1]),
                "institution": tests[0][2],
            }
            if tests
            else None,
            "driverLicence": _licence(licence[0]) if licence else None,
            "homeGrid": _home_grid(home[0]) if home else None,
            "reportedEvents": {"edges": [{"node": _reported(e)} for e in events]},
        }
    }


def _licence(row: Any) -> Json:
    number, status, platform_code, platform_name = row
    platform = None if platform_code is None else {"name": platform_name}
    return {"licenceNumber": number, "status": status, "platform": platform}


def _home_grid(row: Any) -> Json:
    code, name, community_code, community, street_code, street, district_code, district = row
    district_json = None if district_code is None else {"name": district}
    street_json = None if street_code is None else {"name": street, "district": district_json}
    community_json = None if community_code is None else {"name": community, "street": street_json}
    return {"code": code, "name": name, "community": community_json}


def _reported(row: Any) -> Json:
    event_id, title, status, reported_at, category_code, category = row
    return {
        "id": event_id,
        "title": title,
        "status": status,
        "reportedAt": _iso(reported_at),
        "category": None if category_code is None else {"name": category},
    }
