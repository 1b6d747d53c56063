"""Configuration mistakes: one clear line on stderr, exit status 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from citybrain.cli import main

if TYPE_CHECKING:
    from collections.abc import Mapping

CITYBRAIN = Path(sys.executable).parent / "citybrain"

# (case, environment, command line, what the message must say)
MISTAKES: list[tuple[str, dict[str, str], list[str], str]] = [
    (
        "unknown connector",
        {"CONNECTORS": '{"health": "health-replica"}'},
        ["serve"],
        "no connector named 'health-replica'",
    ),
    ("bad JSON", {"CACHE_TTLS": "notjson"}, ["serve"], "CITYBRAIN_CACHE_TTLS is not valid JSON"),
    ("bad number", {"PORT": "abc"}, ["serve"], "CITYBRAIN_PORT: Input should be a valid integer"),
    ("bad choice", {"LOG_FORMAT": "xml"}, ["serve"], "CITYBRAIN_LOG_FORMAT: Input should be"),
    (
        "missing policy file",
        {"POLICY_FILE": "{tmp}/missing.toml"},
        ["serve"],
        "cannot read policy file",
    ),
    (
        "unknown department",
        {"RESILIENCE": '{"helth": {"timeout": 1}}'},
        ["serve"],
        "CITYBRAIN_RESILIENCE names unknown departments ['helth']",
    ),
    ("missing key file", {"JWKS_FILE": "{tmp}/missing.json"}, ["serve"], "cannot read"),
    ("bad key file", {"JWKS_FILE": "{tmp}/bad.json"}, ["serve"], "is not JSON"),
    ("bad database URL", {"HEALTH_URL": "bogus://x"}, ["serve"], "a database URL cannot be used"),
    ("bad Redis URL", {"REDIS_URL": "localhost:6379"}, ["serve"], "CITYBRAIN_REDIS_URL"),
    (
        "connectors: unknown connector",
        {"CONNECTORS": '{"health": "health-replica"}'},
        ["connectors"],
        "no connector named 'health-replica'",
    ),
    ("connectors: bad JSON", {"CACHE_TTLS": "{"}, ["connectors"], "is not valid JSON"),
    ("migrate: bad number", {"RETRY_ATTEMPTS": "many"}, ["migrate"], "CITYBRAIN_RETRY_ATTEMPTS"),
    ("token: bad key file", {"JWKS_FILE": "{tmp}/bad.json"}, ["token", "--role", "analyst"], ""),
    ("policy: missing file", {"POLICY_FILE": "{tmp}/missing.toml"}, ["policy", "check"], ""),
    ("operations: bad manifest", {"OPERATIONS_FILE": "{tmp}/bad.json"}, ["operations", "list"], ""),
]


def _environment(changes: Mapping[str, str], tmp_path: Path) -> dict[str, str]:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYBRAIN_")}
    env["CITYBRAIN_DATA_DIR"] = str(tmp_path)
    for name, value in changes.items():
        env[f"CITYBRAIN_{name}"] = value.replace("{tmp}", str(tmp_path))
    return env


@pytest.mark.parametrize(
    ("environment", "arguments", "says"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_configuration_mistakes_are_told_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    arguments: list[str],
    says: str,
) -> None:
    for name in [n for n in os.environ if n.startswith("CITYBRAIN_")]:
        monkeypatch.delenv(name)
    for name, value in _environment(environment, tmp_path).items():
        if name.startswith("CITYBRAIN_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["citybrain", *arguments])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("citybrain"), err
    assert says in lines[0], lines[0]
    assert "Traceback" not in err + out and "serving on" not in out
    assert "docs/" in lines[0] or "citybrain " in lines[0] or "CITYBRAIN_" in lines[0]


def test_serve_says_nothing_of_serving_when_it_cannot(tmp_path: Path) -> None:
    env = _environment({"CONNECTORS": '{"health": "health-replica"}'}, tmp_path)
    done = subprocess.run(
        [str(CITYBRAIN), "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("citybrain: configuration error: no connector named")
