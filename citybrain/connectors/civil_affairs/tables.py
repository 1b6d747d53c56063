"""Civil affairs (民政) tables: persons, households, elderly care (银发), subsidies (惠民惠农)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, MetaData, String, Table

metadata = MetaData()

persons = Table(
    "persons",
    metadata,
    Column("id_number", String(18), primary_key=True),
    Column("name", String(32), nullable=False),
    Column("gender", String(6), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("phone", String(11), nullable=False),
    Column("address", String(200), nullable=False),
    Column("resident_type", String(10), nullable=False),
    Column("household_id", String(20), nullable=False),
    Column("home_grid_code", String(15), nullable=False),
    Index("ix_persons_home_grid", "home_grid_code", "id_number"),
    Index("ix_persons_household", "household_id"),
)

households = Table(
    "households",
    metadata,
    Column("household_id", String(20), primary_key=True),
    Column("head_id_number", String(18), nullable=False),
    Column("address", String(200), nullable=False),
    Column("grid_code", String(15), nullable=False),
    Index("ix_households_grid", "grid_code", "household_id"),
)

elderly_care = Table(
    "elderly_care",
    metadata,
    Column("id_number", String(18), primary_key=True),
    Column("care_level", Integer, nullable=False),
    Column("service_type", String(40), nullable=False),
    Column("provider", String(80), nullable=False),
    Column("since", Date, nullable=False),
)

subsidies = Table(
    "subsidies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("id_number", String(18), nullable=False),
    Column("programme", String(60), nullable=False),
    Column("amount", Integer, nullable=False),
    Column("granted_on", Date, nullable=False),
    Index("ix_subsidies_person", "id_number", "granted_on", "id"),
)
