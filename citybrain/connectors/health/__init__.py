"""Health (卫健): health codes, vaccinations, nucleic-acid tests, places (场所) and scans."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import ClassVar

from citybrain.connectors.health import tables
from citybrain.connectors.sql import SqlConnector, SqlEntity

__all__ = ["HealthConnector", "tables"]


class HealthConnector(SqlConnector):
    """The health-commission database (PIPL sensitive personal information)."""

    department = "health"
    description = "Health (卫健): health codes, vaccinations, nucleic-acid tests, places, scans"
    metadata = tables.metadata
    sql_entities: ClassVar[Mapping[str, SqlEntity]] = {
        "health_code": SqlEntity(tables.health_codes, order=("id_number",)),
        "vaccination": SqlEntity(tables.vaccinations, order=("vaccinated_on", "id")),
        "nucleic_acid_test": SqlEntity(
            tables.nucleic_acid_tests, order=("sampled_at", "id"), descending=True
        ),
        "place": SqlEntity(tables.places, order=("place_code",)),
        "place_scan": SqlEntity(tables.place_scans, order=("scanned_at", "id"), descending=True),
        "code_show": SqlEntity(tables.code_shows, order=("shown_at", "id"), descending=True),
    }
