"""Bearer tokens: what is accepted, what is refused (and why), development tokens, the CLI."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from citybrain.auth import (
    DevelopmentTokensRefused,
    Role,
    TokenVerifier,
    mint_development_token,
)
from citybrain.cli import app as cli
from citybrain.seed import DEMO_ID_NUMBER
from citybrain.settings import Settings
from tests.auth import OTHER_SECRET, bearer, hs256, unsigned

if TYPE_CHECKING:
    from pathlib import Path

    from tests.city import GraphClient

TYPENAME = {"query": "{ __typename }"}


async def post(graph: GraphClient, headers: dict[str, str]) -> Any:
    return await graph.http.post("/graphql", json=TYPENAME, headers=headers)


async def test_no_token_is_anonymous_and_served(graph: GraphClient) -> None:
    response = await post(graph, {})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_valid_development_token_is_served(graph: GraphClient) -> None:
    response = await post(graph, bearer(hs256(graph.settings)))
    assert response.status_code == 200, response.text


def _refused_cases(settings: Settings) -> dict[str, tuple[str, str]]:
    now = int(time.time())
    return {
        "expired": (hs256(settings, exp=now - 120), "token expired"),
        "not yet valid": (hs256(settings, nbf=now + 120), "token not yet valid"),
        "wrong audience": (hs256(settings, aud="another-service"), "wrong audience"),
        "wrong issuer": (hs256(settings, iss="someone-else"), "wrong issuer"),
        "wrong key": (hs256(settings, OTHER_SECRET), "bad signature"),
        "alg none": (unsigned(settings), "algorithm not allowed"),
        "no exp": (hs256(settings, exp=None), "token lacks the 'exp' claim"),
        "no aud": (hs256(settings, aud=None), "token lacks the 'aud' claim"),
        "no iss": (hs256(settings, iss=None), "token lacks the 'iss' claim"),
        "unknown role": (hs256(settings, roles=["mayor"]), "unknown role 'mayor'"),
        "no roles": (hs256(settings, roles=[]), "token names no roles"),
        "not a JWT": ("abc.def", "malformed token"),
        "citizen of nobody": (hs256(settings, roles=["citizen"]), "own valid 18-character ID"),
        "citizen and officer": (
            hs256(settings, roles=["citizen", "health_officer"], jurisdiction=DEMO_ID_NUMBER),
            "citizen role alone",
        ),
        "grid worker of a bad region": (
            hs256(settings, roles=["grid_worker"], jurisdiction="1201"),
            "must be a region code",
        ),
    }


CASES = list(_refused_cases(Settings(signing_key=SecretStr(OTHER_SECRET))))


@pytest.mark.parametrize("case", CASES)
async def test_refused_tokens_get_401_with_a_graphql_error(
    graph: GraphClient, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    token, reason = _refused_cases(graph.settings)[case]
    caplog.set_level(logging.DEBUG)
    response = await post(graph, bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="citybrain", error=')
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]
    for secret in (token, DEMO_ID_NUMBER):
        assert secret not in caplog.text
        assert secret not in response.text
        assert secret not in response.headers["www-authenticate"]


def test_leeway_accepts_a_token_just_expired() -> None:
    settings = Settings()
    principal = TokenVerifier(settings).verify(hs256(settings, exp=int(time.time()) - 5))
    assert principal.roles == {Role.ANALYST}


def test_claims_become_the_principal() -> None:
    settings = Settings()
    token = hs256(
        settings,
        sub="worker-7",
        roles=["grid_worker"],
        jurisdiction="120101001001001",
        department="grid",
        purposes=["epidemic-control"],
    )
    principal = TokenVerifier(settings).verify(token)
    assert principal.subject == "worker-7"
    assert principal.roles == {Role.GRID_WORKER}
    assert principal.jurisdiction_prefix == "120101001001001"
    assert principal.own_id_number is None
    assert principal.department == "grid"
    assert principal.purposes == {"epidemic-control"}
    assert principal.purpose is None


def test_admin_gets_no_other_role() -> None:
    settings = Settings()
    principal = TokenVerifier(settings).verify(hs256(settings, roles=["admin"]))
    assert principal.roles == {Role.ADMIN}
    assert not principal.has_role(Role.AUDITOR)


# --- development tokens and `citybrain token` -----------------------------------------------


def test_development_tokens_verify() -> None:
    settings = Settings()
    token = mint_development_token(
        settings, role="citizen", jurisdiction=DEMO_ID_NUMBER, purposes=["self-service"]
    )
    principal = TokenVerifier(settings).verify(token)
    assert principal.roles == {Role.CITIZEN}
    assert principal.own_id_number == DEMO_ID_NUMBER
    assert principal.jurisdiction_prefix is None
    assert principal.purposes == {"self-service"}
    assert DEMO_ID_NUMBER not in repr(principal)


def test_development_tokens_are_refused_where_they_would_not_work(tmp_path: Path) -> None:
    with pytest.raises(DevelopmentTokensRefused, match="CITYBRAIN_PROFILE=production"):
        mint_development_token(Settings(profile="production"), role=Role.ANALYST)
    with pytest.raises(DevelopmentTokensRefused, match="CITYBRAIN_JWKS_FILE"):
        mint_development_token(Settings(jwks_file=tmp_path / "jwks.json"), role="analyst")
    with pytest.raises(ValueError, match="unknown role 'mayor'"):
        mint_development_token(Settings(), role="mayor")
    with pytest.raises(ValueError, match="region code"):
        mint_development_token(Settings(), role="street_officer", jurisdiction="12")


def test_token_command_mints_a_token_that_verifies() -> None:
    result = CliRunner().invoke(
        cli,
        [
            *("token", "--role", "grid_worker", "--jurisdiction", "120101001001001"),
            *("--purpose", "epidemic-control", "--subject", "w-1", "--ttl-hours", "1"),
        ],
    )
    assert result.exit_code == 0, result.output
    principal = TokenVerifier(Settings()).verify(result.stdout.strip())
    assert principal.subject == "w-1"
    assert principal.roles == {Role.GRID_WORKER}
    assert principal.purposes == {"epidemic-control"}

    header = CliRunner().invoke(cli, ["token", "--role", "analyst", "--header"])
    assert header.exit_code == 0, header.output
    assert header.stdout.startswith("Authorization: Bearer ey")


def test_token_command_refuses_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYBRAIN_PROFILE", "production")
    result = CliRunner().invoke(cli, ["token", "--role", "analyst"])
    assert result.exit_code == 2
    assert "identity provider" in result.stderr
    assert result.stdout == ""


def test_token_command_refuses_a_bad_jurisdiction_without_echoing_it() -> None:
    result = CliRunner().invoke(cli, ["token", "--role", "citizen", "--jurisdiction", "123"])
    assert result.exit_code == 2
    assert "18-character ID number" in result.stderr
