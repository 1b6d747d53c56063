"""Health (卫健) tables: health codes, vaccinations, nucleic-acid tests, places, scans."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

health_codes = Table(
    "health_codes",
    metadata,
    Column("id_number", String(18), primary_key=True),
    Column("color", String(6), nullable=False),
    Column("reason", String(120), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

vaccinations = Table(
    "vaccinations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("id_number", String(18), nullable=False),
    Column("vaccine", String(60), nullable=False),
    Column("dose", Integer, nullable=False),
    Column("vaccinated_on", Date, nullable=False),
    Column("site", String(80), nullable=False),
    Index("ix_vaccinations_person", "id_number", "vaccinated_on", "id"),
)

nucleic_acid_tests = Table(
    "nucleic_acid_tests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("id_number", String(18), nullable=False),
    Column("sampled_at", DateTime, nullable=False),
    Column("result", String(10), nullable=False),
    Column("institution", String(80), nullable=False),
    Index("ix_nat_person", "id_number", "sampled_at", "id"),
)

places = Table(
    "places",
    metadata,
    Column("place_code", String(20), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("industry", String(20), nullable=False),
    Column("address", String(200), nullable=False),
    Column("grid_code", String(15), nullable=False),
    Column("district_code", String(6), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_places_grid", "grid_code", "place_code"),
    Index("ix_places_district", "district_code", "industry"),
)

place_scans = Table(
    "place_scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("place_code", String(20), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("scanned_at", DateTime, nullable=False),
    Index("ix_scans_place", "place_code", "scanned_at", "id"),
    Index("ix_scans_person", "id_number", "scanned_at", "id"),
)

code_shows = Table(
    "code_shows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("id_number", String(18), nullable=False),
    Column("district_code", String(6), nullable=False),
    Column("color", String(6), nullable=False),
    Column("shown_at", DateTime, nullable=False),
    Index("ix_code_shows_district", "district_code", "shown_at"),
    Index("ix_code_shows_person", "id_number", "shown_at", "id"),
)
