"""Production keys: RS256 and ES256 tokens by ``kid`` from a JWKS file; HS256 then refused."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import SecretStr

from citybrain.auth import Role, TokenConfigurationError, TokenVerifier
from citybrain.settings import Settings
from tests.auth import OTHER_SECRET, bearer, claims, hs256, unsigned
from tests.city import open_graph

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from tests.city import GraphClient

TYPENAME = {"query": "{ __typename }"}


async def post(graph: GraphClient, headers: dict[str, str]) -> Any:
    return await graph.http.post("/graphql", json=TYPENAME, headers=headers)


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    """An RSA and an EC (P-256) private key, and the JWKS of their public halves."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_jwk = dict(RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True))
    ec_jwk = dict(ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True))
    rsa_jwk.update(kid="rsa-1", alg="RS256", use="sig")
    ec_jwk.update(kid="ec-1", alg="ES256", use="sig")
    return {"rsa": rsa_key, "ec": ec_key, "jwks": {"keys": [rsa_jwk, ec_jwk]}}


@pytest.fixture
def jwks_settings(small_city: Settings, keys: dict[str, Any], tmp_path: Path) -> Settings:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(keys["jwks"]), encoding="utf-8")
    return small_city.model_copy(update={"jwks_file": path})


@pytest.fixture
async def jwks_graph(jwks_settings: Settings) -> AsyncIterator[GraphClient]:
    client, _ = await open_graph(jwks_settings)
    try:
        yield client
    finally:
        await client.aclose()


def signed(settings: Settings, key: Any, algorithm: str, kid: str, **overrides: Any) -> str:
    return jwt.encode(claims(settings, **overrides), key, algorithm=algorithm, headers={"kid": kid})


@pytest.mark.parametrize(
    ("name", "algorithm", "kid"), [("rsa", "RS256", "rsa-1"), ("ec", "ES256", "ec-1")]
)
async def test_jwks_tokens_are_accepted(
    jwks_graph: GraphClient, keys: dict[str, Any], name: str, algorithm: str, kid: str
) -> None:
    token = signed(jwks_graph.settings, keys[name], algorithm, kid)
    response = await post(jwks_graph, bearer(token))
    assert response.status_code == 200, response.text
    principal = TokenVerifier(jwks_graph.settings).verify(token)
    assert principal.roles == {Role.ANALYST}


async def test_jwks_refusals(jwks_graph: GraphClient, keys: dict[str, Any]) -> None:
    settings = jwks_graph.settings
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = [
        (signed(settings, other, "RS256", "rsa-2"), "unknown signing key"),
        (jwt.encode(claims(settings), keys["rsa"], "RS256"), "unknown signing key"),  # no kid
        (signed(settings, other, "RS256", "rsa-1"), "bad signature"),
        # HS256 is never taken once a JWKS is configured, even with the configured secret.
        (hs256(settings), "algorithm not allowed"),
        (unsigned(settings), "algorithm not allowed"),
        # A key of the set used under another algorithm than its own.
        (signed(settings, keys["ec"], "ES256", "rsa-1"), "algorithm not allowed"),
        (signed(settings, keys["rsa"], "RS256", "rsa-1", exp=int(time.time()) - 120), "expired"),
    ]
    for token, reason in cases:
        response = await post(jwks_graph, bearer(token))
        assert response.status_code == 401, reason
        assert reason in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ("not json", "is not JSON"),
        ({"keys": []}, "holds no keys"),
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}, "private or symmetric"),
        ({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}, "needs a unique 'kid'"),
    ],
)
def test_unusable_jwks_files_are_refused_at_start(tmp_path: Path, jwks: Any, message: str) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(jwks if isinstance(jwks, str) else json.dumps(jwks), encoding="utf-8")
    with pytest.raises(TokenConfigurationError, match=message):
        TokenVerifier(Settings(jwks_file=path))


def test_private_keys_in_the_jwks_are_refused(tmp_path: Path, keys: dict[str, Any]) -> None:
    private = dict(RSAAlgorithm.to_jwk(keys["rsa"], as_dict=True), kid="leaked")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [private]}), encoding="utf-8")
    with pytest.raises(TokenConfigurationError, match="private or symmetric"):
        TokenVerifier(Settings(jwks_file=path))


def test_signing_key_settings_are_checked() -> None:
    with pytest.raises(TokenConfigurationError, match="shorter than 32 bytes"):
        TokenVerifier(Settings(signing_key=SecretStr("short")))
    with pytest.raises(TokenConfigurationError, match="refuses the development signing key"):
        TokenVerifier(Settings(profile="production"))
    TokenVerifier(Settings(profile="production", signing_key=SecretStr(OTHER_SECRET)))
