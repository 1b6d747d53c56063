"""GraphiQL works with no internet access: the page loads only files the app serves."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from citybrain.graphiql import (
    MISSING_ASSETS_MESSAGE,
    SCRIPTS,
    STATIC_DIR,
    STYLESHEETS,
    _StaticFiles,
    assets_installed,
    graphiql_html,
    static_files,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from starlette.requests import Request

HEADERS_EXAMPLE = '{"Authorization": "Bearer <token>"}'

# Where a page names another resource: attributes, CSS imports and url(), JS imports.
REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?(?P<attr>[^"'\s>]+))"""
    r"""|(?:@import\s+(?:url\()?\s*["']?(?P<css_import>[^"')\s;]+))"""
    r"""|(?:\burl\(\s*["']?(?P<css_url>[^"')\s]+))"""
    r"""|(?:\bimport\s*(?:\(|[^;'"]*\bfrom\b)\s*["'](?P<js_import>[^"']+))"""
)
# Hosts that serve front-end packages: what the browser runs may name none of them in a URL.
CDN = re.compile(
    r"//(?:[\w-]+\.)*(?:unpkg\.com|esm\.sh|jsdelivr\.net|cdnjs\.cloudflare\.com|googleapis\.com"
    r"|gstatic\.com|skypack\.dev|jspm\.io)",
    re.IGNORECASE,
)


async def graphiql_page(request: Request) -> HTMLResponse:
    return HTMLResponse(graphiql_html(default_headers=HEADERS_EXAMPLE))


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=[
            Route("/graphql", graphiql_page),
            Mount("/static", app=static_files(), name="static"),
        ]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://citybrain.test") as client:
        yield client


def references(text: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in REFERENCE.finditer(text)]


def page_config(page: str) -> dict[str, object]:
    match = re.search(
        r'<script id="citybrain-graphiql-config" type="application/json">(.*?)</script>',
        page,
        re.S,
    )
    assert match, "the page carries its settings as JSON"
    config: dict[str, object] = json.loads(match.group(1))
    return config


def test_assets_are_vendored() -> None:
    assert assets_installed(), MISSING_ASSETS_MESSAGE


async def test_page_names_no_other_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>citybrain GraphiQL</title>" in page
    assert not re.search(r"https?://", page, re.IGNORECASE), "an absolute http(s) URL"
    assert not re.search(r"""["'(=]\s*//""", page), "a protocol-relative URL"
    assert not CDN.search(page)
    refs = references(page)
    assert refs, "the page loads its scripts and stylesheets"
    for ref in refs:
        assert ref.startswith("/static/") or ref.startswith("data:"), ref


async def test_every_asset_is_served(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql")).text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts == [f"/static/{path}" for path in SCRIPTS]
    assert stylesheets == [f"/static/{path}" for path in STYLESHEETS]
    for url, kinds in [(u, ("javascript",)) for u in scripts] + [
        (u, ("text/css",)) for u in stylesheets
    ]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert any(kind in response.headers["content-type"] for kind in kinds), (
            url,
            response.headers["content-type"],
        )
        assert len(response.content) > 1000, url


async def test_assets_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    for path in (*SCRIPTS, *STYLESHEETS):
        text = (STATIC_DIR / path).read_text(encoding="utf-8")
        assert not CDN.search(text), path
    for path in STYLESHEETS:
        text = (STATIC_DIR / path).read_text(encoding="utf-8")
        for ref in references(text):
            assert ref.startswith("data:") or ref.startswith("#"), (path, ref)


async def test_page_settings(client: httpx.AsyncClient) -> None:
    config = page_config((await client.get("/graphql")).text)
    assert config["endpoint"] == "/graphql"
    assert config["defaultHeaders"] == HEADERS_EXAMPLE
    assert config["missingAssetsMessage"] == MISSING_ASSETS_MESSAGE
    assert page_config(graphiql_html())["defaultHeaders"] is None


def test_settings_cannot_break_out_of_the_page() -> None:
    hostile = '{"X": "</script><script>alert(1)</script><!--"}'
    page = graphiql_html(endpoint="/api/graphql", static_prefix="/assets/", default_headers=hostile)
    assert page.count("</script>") == page.count("<script")
    assert "<!--" not in page
    config = page_config(page)
    assert config["defaultHeaders"] == hostile
    assert config["endpoint"] == "/api/graphql"
    assert '<script src="/assets/vendor/graphiql/graphiql.min.js"></script>' in page


async def test_missing_folder_answers_404(tmp_path: Path) -> None:
    app = Starlette(
        routes=[Mount("/static", app=_StaticFiles(directory=tmp_path / "no", check_dir=False))]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://citybrain.test") as client:
        response = await client.get("/static/vendor/graphiql/graphiql.min.js")
    assert response.status_code == 404
