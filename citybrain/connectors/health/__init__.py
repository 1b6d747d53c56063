"""Health (卫健): health codes, vaccinations, nucleic-acid tests, places (场所) and scans."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import TYPE_CHECKING, ClassVar

from citybrain.connectors.health import tables
from citybrain.connectors.health.statistics import (
    DistrictCount,
    HealthReportRows,
    health_report_rows,
)
from citybrain.connectors.sql import SqlConnector, SqlEntity

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["DistrictCount", "HealthConnector", "HealthReportRows", "tables"]


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

    async def health_daily_report(
        self, start: dt.date, end: dt.date, *, district: str | None = None
    ) -> HealthReportRows:
        """Aggregates of the daily report (健康码日报) from ``start`` to ``end`` (exclusive).

        Codes shown and scans per district and day, place codes issued per district and
        day and per industry, active place codes per district: five concurrent statements.

        Args:
            start: first day.
            end: the day after the last.
            district: one district's code; None: every district.
        """
        return await health_report_rows(self, start, end, district=district)
