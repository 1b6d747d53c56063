"""The policy file: validated against the schema, default deny, the printed matrix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citybrain.auth.matrix import render_matrix
from citybrain.auth.policy import DEFAULT_POLICY_FILE, FieldPolicy, PolicyError, load_policy
from citybrain.auth.sensitivity import Decision, Sensitivity
from citybrain.cli import app
from citybrain.schema import field_catalogue, maskable_fields, schema_sdl

DOC = Path(__file__).parent.parent.parent / "docs" / "access-control.md"


def _load(tmp_path: Path, text: str) -> FieldPolicy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(field_catalogue(), maskable_fields(), path)


def test_every_field_of_the_schema_has_a_class_in_the_sdl() -> None:
    sdl = schema_sdl()
    catalogue = field_catalogue()
    assert len(re.findall(r" @sensitivity\(level: [A-Z]+\)", sdl)) == len(catalogue)
    assert "directive @sensitivity(level: SensitivityClass!) on FIELD_DEFINITION" in sdl
    assert re.search(r"idNumber: String @sensitivity\(level: SENSITIVE\)", sdl)


def test_a_personal_field_with_no_rule_is_denied_and_reported(tmp_path: Path) -> None:
    policy = _load(tmp_path, '[roles.grid_worker]\npublic = "allow"\n')
    assert policy.decide(["grid_worker"], "Person.name") is Decision.DENY
    assert policy.decide(["grid_worker"], "District.name") is Decision.ALLOW
    assert policy.decide(["grid_worker"], "GridEvent.title") is Decision.DENY
    unruled = policy.unruled()
    assert ("grid_worker", "Person.name") in unruled
    assert ("grid_worker", "District.name") not in unruled
    personal = [n for n, c in field_catalogue().items() if c.is_personal]
    assert len(unruled) == len(personal) * 12  # every role, every personal field


def test_the_city_policy_rules_every_personal_field() -> None:
    policy = load_policy(field_catalogue(), maskable_fields(), DEFAULT_POLICY_FILE)
    assert policy.unruled() == []
    assert all(level in Sensitivity for level in policy.catalogue.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[roles.wizard]\npublic = "allow"', "unknown role; the roles are"),
        ('[roles.citizen]\nsecret = "allow"', "unknown class 'secret'"),
        ('[roles.citizen]\npublic = "maybe"', "is not one of allow, mask, deny"),
        (
            '[[overrides]]\nroles = ["citizen"]\nfields = ["Persn.name"]\ndecision = "allow"',
            "unknown type 'Persn'",
        ),
        (
            '[[overrides]]\nroles = ["citizen"]\nfields = ["Person.nmae"]\ndecision = "allow"',
            "Person has no field 'nmae'; fields are",
        ),
        (
            '[[overrides]]\nroles = ["king"]\nfields = ["Person.name"]\ndecision = "allow"',
            "are not known roles",
        ),
        ("[extras]\nx = 1", "unknown sections"),
        ("roles = [", "cannot read policy file"),
    ],
)
def test_mistakes_in_the_policy_file_say_how_to_fix_them(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        _load(tmp_path, text)


def test_policy_check_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert "every personal and sensitive field has a rule" in result.output


def test_policy_matrix_command_prints_markdown_and_csv() -> None:
    markdown = CliRunner().invoke(app, ["policy", "matrix"])
    assert markdown.exit_code == 0
    assert "| `Person.idNumber` | sensitive |" in markdown.output
    csv = CliRunner().invoke(app, ["policy", "matrix", "--format", "csv"])
    assert csv.output.splitlines()[0].startswith("field,class,anonymous,citizen,grid_worker")


def test_access_control_doc_holds_the_current_matrix() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- policy-matrix:start -->\n", "<!-- policy-matrix:end -->"
    embedded = text[text.index(start) + len(start) : text.index(end)]
    expected = render_matrix(load_policy(field_catalogue(), maskable_fields()))
    assert embedded == expected, (
        "docs/access-control.md's matrix is out of date: paste `citybrain policy matrix` "
        "between the policy-matrix markers"
    )


def test_production_refuses_unruled_fields_and_development_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lax = tmp_path / "lax.toml"
    lax.write_text('[roles.citizen]\npersonal = "allow"\n', encoding="utf-8")
    monkeypatch.setenv("CITYBRAIN_POLICY_FILE", str(lax))
    monkeypatch.setenv("CITYBRAIN_DATA_DIR", str(tmp_path))
    check = CliRunner().invoke(app, ["policy", "check"])
    assert check.exit_code == 1 and "denied by default" in check.output
    assert "grid_worker" in check.output and "Person.name" in check.output
    serve = CliRunner().invoke(app, ["serve", "--production"])
    assert serve.exit_code == 2
    assert "have no policy rule" in serve.output
    assert "signing_key (development key)" in serve.output
