"""Civil affairs (民政): residents, households, elderly care (银发), subsidies (惠民惠农)."""

from __future__ import annotations

from collections.abc import Mapping  # noqa: TC003 - ClassVar annotations are read at run time
from typing import ClassVar

from citybrain.connectors.civil_affairs import tables
from citybrain.connectors.sql import SqlConnector, SqlEntity

__all__ = ["CivilAffairsConnector", "tables"]


class CivilAffairsConnector(SqlConnector):
    """The civil-affairs database: persons keyed by resident ID number."""

    department = "civil_affairs"
    description = "Civil affairs (民政): persons, households, elderly care, subsidies"
    metadata = tables.metadata
    sql_entities: ClassVar[Mapping[str, SqlEntity]] = {
        "person": SqlEntity(tables.persons, order=("id_number",)),
        "household": SqlEntity(tables.households, order=("household_id",)),
        "elderly_care": SqlEntity(tables.elderly_care, order=("id_number",)),
        "subsidy": SqlEntity(tables.subsidies, order=("granted_on", "id"), descending=True),
    }
