"""The command's help and `citybrain connectors` read as a person expects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from citybrain.cli import app

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    "command",
    [[], ["serve"], ["token"], ["operations", "register"], ["operations", "list"], ["connectors"]],
)
def test_help_names_values_not_python_types(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "<list[str]>" not in result.output
    assert "{files}" not in result.output


def test_help_shows_flags_and_repeatable_values_plainly() -> None:
    serve = CliRunner().invoke(app, ["serve", "--help"], terminal_width=100).output
    assert "--production " in serve and "--reload / --no-reload" in serve
    token = CliRunner().invoke(app, ["token", "--help"], terminal_width=100).output
    assert "--purpose PURPOSE" in token
    register = CliRunner().invoke(app, ["operations", "register", "--help"]).output
    assert "{FILE}..." in register


def test_connectors_shows_the_database_file_not_the_serving_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYBRAIN_HEALTH_URL", "postgresql+asyncpg://app:s3cret@db.internal/health")
    result = CliRunner().invoke(app, ["connectors"], terminal_width=400)
    assert result.exit_code == 0, result.output
    assert f"{tmp_path}/grid.sqlite3" in result.output
    assert "postgresql+asyncpg://app:***@db.internal/health" in result.output
    assert "mode=rw" not in result.output and "file%3A" not in result.output
    assert "s3cret" not in result.output


def test_register_and_list_name_the_file_alike(tmp_path: Path) -> None:
    folder = tmp_path / "app" / "queries"
    folder.mkdir(parents=True)
    (folder / "hello.graphql").write_text("query Hello { __typename }\n", encoding="utf-8")
    manifest = tmp_path / "operations.json"
    runner = CliRunner()
    register = runner.invoke(
        app,
        ["operations", "register", str(folder / "hello.graphql"), "--manifest", str(manifest)],
        terminal_width=200,
    )
    assert register.exit_code == 0, register.output
    listed = runner.invoke(
        app, ["operations", "list", "--manifest", str(manifest)], terminal_width=200
    )
    for output in (register.output, listed.output):
        assert "hello.graphql" in output and "app/queries" not in output.replace(str(manifest), "")
