"""The committed ``schema.graphql`` is what the code prints."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLScalarType
from typer.testing import CliRunner

from citybrain.cli import app
from citybrain.schema import build_schema, schema_sdl

SDL_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is out of date: run `citybrain schema > schema.graphql`"
    )


def test_schema_command_checks_drift(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["schema", "--check", str(SDL_FILE)]).exit_code == 0
    stale = tmp_path / "schema.graphql"
    stale.write_text(schema_sdl().replace("Resident", "Citizen"), encoding="utf-8")
    result = runner.invoke(app, ["schema", "--check", str(stale)])
    assert result.exit_code == 1 and "out of date" in result.output


def test_every_type_and_field_is_described() -> None:
    schema = build_schema()._schema
    plumbing = ("Connection", "Edge", "PageInfo")
    for name, named in schema.type_map.items():
        if name.startswith("_") or "__" in name or isinstance(named, GraphQLScalarType):
            continue
        assert named.description, f"type {name} has no description"
        if isinstance(named, GraphQLObjectType | GraphQLInputObjectType) and not name.endswith(
            plumbing
        ):
            for field_name, field in named.fields.items():
                if not field_name.startswith("_"):
                    assert field.description, f"{name}.{field_name} has no description"


def test_descriptions_carry_the_chinese_terms() -> None:
    sdl = schema_sdl()
    for term in ["健康码", "网格事件", "民政", "卫健", "交通", "场所码", "吹哨"]:
        assert term in sdl, term
