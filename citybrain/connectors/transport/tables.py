"""Transport (交通) tables: ride-hailing platforms, drivers, vehicles, violations (慧治网约车)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

platforms = Table(
    "platforms",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("permit_number", String(40), nullable=False),
)

drivers = Table(
    "drivers",
    metadata,
    Column("id_number", String(18), primary_key=True),
    Column("licence_number", String(24), nullable=False, unique=True),
    Column("platform_code", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Index("ix_drivers_platform", "platform_code", "id_number"),
)

vehicles = Table(
    "vehicles",
    metadata,
    Column("plate", String(10), primary_key=True),
    Column("owner_id_number", String(18), nullable=False),
    Column("platform_code", String(20), nullable=False),
    Column("model", String(40), nullable=False),
    Column("color", String(10), nullable=False),
    Column("registered_on", Date, nullable=False),
    Index("ix_vehicles_owner", "owner_id_number", "plate"),
)

violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("id_number", String(18), nullable=False),
    Column("plate", String(10), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("points", Integer, nullable=False),
    Column("fine", Integer, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Index("ix_violations_person", "id_number", "occurred_at", "id"),
    Index("ix_violations_plate", "plate", "occurred_at", "id"),
)
