"""One settings object: defaults, environment, secrets kept out of its repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from citybrain.auth.roles import Role
from citybrain.settings import Settings, mask_url


def test_defaults_are_sqlite_files_in_the_data_dir() -> None:
    settings = Settings()
    assert settings.department_url("health") == (
        f"sqlite+aiosqlite:///{Path('data').absolute()}/health.sqlite3"
    )
    assert "signing_key (development key)" in settings.uses_development_defaults()


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYBRAIN_GRID_URL", "postgresql+asyncpg://u:p@h/grid")
    monkeypatch.setenv("CITYBRAIN_MAX_PAGE_SIZE", "250")
    settings = Settings()
    assert settings.department_url("grid") == "postgresql+asyncpg://u:p@h/grid"
    assert settings.max_page_size == 250


def test_repr_hides_passwords_and_keys() -> None:
    settings = Settings(
        health_url="postgresql+asyncpg://health:very-secret@db/health",
        signing_key=SecretStr("another-secret-key"),
    )
    shown = repr(settings)
    assert "very-secret" not in shown and "another-secret-key" not in shown
    assert "postgresql+asyncpg://health:***@db/health" in shown


def test_mask_url_leaves_urls_without_passwords_alone() -> None:
    assert mask_url("sqlite+aiosqlite:////tmp/x.sqlite3") == "sqlite+aiosqlite:////tmp/x.sqlite3"
    assert mask_url("redis://:pw@localhost:6379/0") == "redis://:***@localhost:6379/0"


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        Settings(helth_url="typo")  # type: ignore[call-arg]


def test_cost_budgets_must_name_known_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(cost_budgets={"analyst": 200_000}).cost_budgets == {"analyst": 200_000}
    monkeypatch.setenv("CITYBRAIN_COST_BUDGETS", '{"nobody": 5, "analyst": 10}')
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert "unknown roles ['nobody'] in CITYBRAIN_COST_BUDGETS" in message
    assert all(role.value in message for role in Role)  # it names the roles there are
    monkeypatch.setenv("CITYBRAIN_COST_BUDGETS", '{"anonymous": 2000}')
    assert Settings().cost_budgets == {"anonymous": 2000}
