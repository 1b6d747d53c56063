"""``/dashboard``: the city-brain operator's statistics page, served whole by the app.

Plain HTML, one script and one stylesheet under ``citybrain/static/dashboard/`` (no build
step, nothing from a CDN). The page asks the graph for its figures with one GraphQL query
(``eventStatistics`` per district and ``healthDailyReport``), draws tables and SVG charts,
and signs in like any client: with a bearer token. In development the page comes with an
analyst's development token (statistics, no personal data); elsewhere the operator pastes
a token from the city's identity provider, kept only in the tab's session storage.

The page takes its period from the address: ``/dashboard?from=2026-10-01&before=2026-11-01``
(and ``&region=120101`` for one district's streets). By default it shows the 30 days up to
the day of the latest event report the caller can see (one ``events(first: 1)`` query first),
or up to today (Beijing time) when reports are more recent: on the demo city, whose data ends
on 2026-10-31, a newcomer sees figures rather than an empty month.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse

from citybrain.auth.middleware import EMBEDDED_TOKEN_SECONDS, may_embed_tokens
from citybrain.auth.roles import Role
from citybrain.auth.tokens import mint_development_token
from citybrain.graphiql import _script_json

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.requests import Request

    from citybrain.settings import Settings

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DASHBOARD_ASSETS",
    "dashboard_endpoint",
    "dashboard_html",
    "dashboard_token",
]

DASHBOARD_ASSETS = ("dashboard/dashboard.css", "dashboard/dashboard.js")
"""Files of the page, relative to the static folder (served at ``/static``)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page runs only the app's own files and talks only to the app."""

_PAGE = """\
<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>城市大脑 · 统计看板 — citybrain dashboard</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{static}/dashboard/dashboard.css">
  </head>
  <body>
    <header>
      <h1>城市大脑 · 统计看板 <small>citybrain dashboard</small></h1>
      <form id="period">
        <label>From <input type="date" name="from" required></label>
        <label>Before <input type="date" name="before" required></label>
        <label>Region <input name="region" placeholder="city" size="15"
          pattern="[0-9]{{6}}([0-9]{{3}}){{0,3}}"></label>
        <button type="submit">Show</button>
      </form>
    </header>
    <section id="signin" hidden>
      <h2>Sign in</h2>
      <p>Paste a bearer token with the analyst role (数据分析员).</p>
      <form id="token-form">
        <textarea name="token" rows="3" cols="80" required></textarea>
        <button type="submit">Sign in</button>
      </form>
    </section>
    <p id="status" data-state="loading" role="status">Loading…</p>
    <main id="figures" hidden>
      <section>
        <h2>Grid events (网格事件) <span id="events-scope"></span></h2>
        <p class="note" id="events-note"></p>
        <svg id="events-chart" role="img" aria-label="Events reported and closed per region"></svg>
        <table id="events-table">
          <thead><tr><th>Code</th><th>Region</th><th>Reported</th><th>Closed</th>
            <th>Close rate</th><th>Avg. handling (h)</th><th>Overdue</th></tr></thead>
          <tbody></tbody>
          <tfoot></tfoot>
        </table>
      </section>
      <section>
        <h2>Health-code daily report (健康码日报) <span id="health-scope"></span></h2>
        <svg id="health-chart" role="img" aria-label="Codes shown and scans per day"></svg>
        <table id="health-table">
          <thead><tr><th>Code</th><th>District</th><th>Codes shown</th><th>Scans</th>
            <th>Place codes issued</th><th>Active place codes</th></tr></thead>
          <tbody></tbody>
        </table>
      </section>
    </main>
    <script id="citybrain-dashboard-config" type="application/json">{config}</script>
    <script src="{static}/dashboard/dashboard.js"></script>
  </body>
</html>
"""


def dashboard_token(settings: Settings, client_host: str | None = "127.0.0.1") -> str | None:
    """An analyst's development token for the page (one hour), or None.

    None unless the set-up is a development one and the browser is on this machine
    (:func:`citybrain.auth.middleware.may_embed_tokens`).
    """
    if not may_embed_tokens(settings, client_host):
        return None
    return mint_development_token(
        settings, role=Role.ANALYST, subject="dev-dashboard", ttl_seconds=EMBEDDED_TOKEN_SECONDS
    )


def dashboard_html(
    endpoint: str = "/graphql", static_prefix: str = "/static", token: str | None = None
) -> str:
    """The page, loading only app-served assets.

    Args:
        endpoint: the GraphQL endpoint the page queries.
        static_prefix: where the static folder is mounted.
        token: a bearer token to query with (development); None: the page asks for one.
    """
    config = {"endpoint": endpoint, "token": token}
    return _PAGE.format(static=html.escape(static_prefix.rstrip("/")), config=_script_json(config))


def dashboard_endpoint(settings: Settings) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """The Starlette endpoint serving the page (a fresh development token per load)."""

    async def dashboard(request: Request) -> HTMLResponse:
        client = request.client.host if request.client else None
        page = dashboard_html(token=dashboard_token(settings, client))
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-store",  # it may carry a token
                "Referrer-Policy": "no-referrer",
            },
        )

    return dashboard
