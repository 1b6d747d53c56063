"""Connectors are found through the entry-point group, and settings choose among them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from citybrain.cli import app
from citybrain.connectors import (
    ENTRY_POINT_GROUP,
    ConnectorSetupError,
    SqlConnector,
    available_connectors,
    load_connectors,
    source_of,
)
from citybrain.connectors.health import HealthConnector
from citybrain.settings import DEPARTMENTS, Settings

if TYPE_CHECKING:
    from pathlib import Path


def test_built_in_departments_register_through_the_entry_point_group() -> None:
    found = available_connectors()
    assert set(DEPARTMENTS) <= set(found)
    assert all(found[d].group == ENTRY_POINT_GROUP for d in DEPARTMENTS)
    assert found["health"].load() is HealthConnector


async def test_each_department_gets_its_own_database(tmp_path: Path) -> None:
    built = load_connectors(Settings(data_dir=tmp_path))
    assert set(built) == set(DEPARTMENTS)
    urls = set()
    for department, layered in built.items():
        assert layered.department == department
        connector = source_of(layered)
        assert isinstance(connector, SqlConnector)
        urls.add(str(connector.url))
        await connector.close()
    assert len(urls) == 4


def test_settings_choose_the_implementation(tmp_path: Path) -> None:
    with pytest.raises(ConnectorSetupError, match=r"no connector named 'nope'.*installed: "):
        load_connectors(Settings(data_dir=tmp_path, connectors={"health": "nope"}))
    with pytest.raises(ConnectorSetupError, match="serves 'grid', not 'health'"):
        load_connectors(Settings(data_dir=tmp_path, connectors={"health": "grid"}))
    with pytest.raises(ConnectorSetupError, match="unknown departments"):
        load_connectors(Settings(data_dir=tmp_path, connectors={"police": "health"}))


def test_connectors_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYBRAIN_CONNECTORS", '{"health": "transport"}')
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    with pytest.raises(ConnectorSetupError, match="serves 'transport'"):
        load_connectors(Settings())


def test_connectors_command_lists_what_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYBRAIN_HEALTH_URL", "postgresql+asyncpg://app:s3cret@db.internal/health")
    result = CliRunner().invoke(app, ["connectors", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["health"]["serves"] == ["health"]
    assert "health_code" in rows["health"]["entities"]
    assert "s3cret" not in result.output and "***" in rows["health"]["database"]
    assert rows["grid"]["database"].endswith("/grid.sqlite3")  # the file, not the serving URI


@pytest.mark.parametrize(
    "update",
    [
        {"resilience": {"helth": {"timeout": 1.0}}},
        {"cache_ttls": {"helth.health_code": 5}},
        {"cache_exclude": ["helth"]},
    ],
)
def test_per_department_settings_must_name_real_departments(
    tmp_path: Path, update: dict[str, object]
) -> None:
    settings = Settings(data_dir=tmp_path).model_copy(update=update)
    with pytest.raises(ConnectorSetupError, match="unknown departments \\['helth'\\]"):
        load_connectors(settings)
