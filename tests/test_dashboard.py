"""``/dashboard`` in a real headless Chromium, against a live uvicorn over the small city."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from citybrain.auth.roles import Role
from citybrain.auth.tokens import TokenVerifier
from citybrain.city_clock import city_now
from citybrain.dashboard import CONTENT_SECURITY_POLICY, dashboard_html, dashboard_token
from citybrain.graphiql import STATIC_DIR
from citybrain.settings import Settings
from tests.servers import free_port
from tests.test_graphiql import CDN, REFERENCE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.city import GraphClient

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
PERIOD = {"from": "2025-11-01", "before": "2026-11-01"}
HEALTH_FROM = "2026-08-01"  # the page shows the last 92 days of health figures

FIGURES = """
query($from: DateTime!, $before: DateTime!, $day0: Date!, $day1: Date!) {
  eventStatistics(from: $from, before: $before) {
    total { code reported closed closeRate averageHandlingHours overdue }
    byRegion { code reported closed closeRate averageHandlingHours overdue }
  }
  healthDailyReport(from: $day0, before: $day1) {
    districts { districtCode codesShown scans placeCodesIssued activePlaceCodes }
  }
}
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: run `make test-services`", pytrace=False)
    return found


@pytest.fixture(scope="module")
def live_server(small_city: Settings) -> Iterator[str]:
    """A real uvicorn serving the app over the small city; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYBRAIN_")}
    env["CITYBRAIN_DATA_DIR"] = str(small_city.data_dir)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "citybrain.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-2000:]
                    pytest.fail(f"uvicorn did not start: {output}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


class _Cells(HTMLParser):
    """Collects the figures a page shows: ``data-code``/``data-field``/``data-value``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[tuple[str, str], str]] = {}
        self.status: str | None = None
        self._table: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("id")
        if tag == "p" and found.get("id") == "status":
            self.status = found.get("data-state")
        if tag == "td" and self._table and "data-field" in found:
            key = (found["data-code"] or "", found["data-field"] or "")
            self.tables.setdefault(self._table, {})[key] = found["data-value"] or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None


def _render(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                _chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode()


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


async def test_the_dashboard_shows_the_graphs_figures(live_server: str, graph: GraphClient) -> None:
    dom = _render(f"{live_server}/dashboard?from={PERIOD['from']}&before={PERIOD['before']}")
    await _assert_shows(dom, graph, PERIOD["from"], PERIOD["before"], HEALTH_FROM)


LATEST = "{ events(first: 1) { edges { node { reportedAt } } } }"


async def test_without_a_period_the_page_shows_the_30_days_up_to_the_latest_report(
    live_server: str, graph: GraphClient
) -> None:
    analyst = graph.as_role("analyst")
    (latest,) = (await analyst.data(LATEST))["events"]["edges"]
    day = dt.date.fromisoformat(latest["node"]["reportedAt"][:10])
    # The small city's events end before today: the period ends with them, not with today.
    assert day < city_now().date()
    before = day + dt.timedelta(days=1)
    start = before - dt.timedelta(days=30)
    dom = _render(f"{live_server}/dashboard")
    assert f"天津市 · {start} \u2013 {before}" in dom  # the period the page chose
    await _assert_shows(dom, graph, start.isoformat(), before.isoformat(), start.isoformat())
    cells = _Cells()
    cells.feed(dom)
    shown = cells.tables["events-table"]
    reported = [v for (code, name), v in shown.items() if name == "reported" and code]
    assert sum(1 for v in reported if v) >= 8, shown  # figures, not `<5` in every cell


async def _assert_shows(
    dom: str, graph: GraphClient, start: str, before: str, health_from: str
) -> None:
    """The page in ``dom`` shows the graph's figures from ``start`` to ``before``."""
    cells = _Cells()
    cells.feed(dom)
    assert cells.status == "ready", dom[:3000]
    expected = await graph.as_role("analyst").data(
        FIGURES,
        {
            "from": f"{start}T00:00:00",
            "before": f"{before}T00:00:00",
            "day0": health_from,
            "day1": before,
        },
    )
    events = expected["eventStatistics"]
    want: dict[tuple[str, str], Any] = {}
    for row in [*events["byRegion"], events["total"]]:
        code = row["code"] or ""
        for name in ("reported", "closed", "overdue"):
            want[(code, name)] = row[name]
        rate, hours = row["closeRate"], row["averageHandlingHours"]
        # The page rounds the rate (in %) and the hours to one decimal.
        want[(code, "closeRate")] = None if rate is None else pytest.approx(rate * 100, abs=0.051)
        want[(code, "averageHandlingHours")] = (
            None if hours is None else pytest.approx(hours, abs=0.051)
        )
    shown = {k: None if v == "" else float(v) for k, v in cells.tables["events-table"].items()}
    assert shown == want
    assert len(events["byRegion"]) == 16 and (shown[("", "reported")] or 0) > 0
    health = {
        (d["districtCode"], name): _shown(d[name])
        for d in expected["healthDailyReport"]["districts"]
        for name in ("codesShown", "scans", "placeCodesIssued", "activePlaceCodes")
    }
    assert cells.tables["health-table"] == health
    # The chart draws the same figures as the table.
    assert dom.count('class="reported"') >= 16 and 'data-field="codesShown"' in dom


async def test_the_page_and_its_assets_come_from_the_app(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as client:
        page = await client.get("/dashboard")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert page.headers["cache-control"] == "no-store"
        texts = [page.text]
        for match in REFERENCE.finditer(page.text):
            target = next(g for g in match.groups() if g)
            if target.startswith("data:"):
                continue
            assert target.startswith("/static/dashboard/"), target
            asset = await client.get(target)
            assert asset.status_code == 200, target
            texts.append(asset.text)
    for text in texts:
        assert not CDN.search(text)
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text
    assert (STATIC_DIR / "dashboard" / "dashboard.js").is_file()


def test_the_page_carries_a_token_only_in_development(tmp_path: Path) -> None:
    development = Settings(data_dir=tmp_path)
    assert dashboard_token(development) is not None
    assert dashboard_token(development.model_copy(update={"profile": "production"})) is None
    # A real signing key means real data: no token is handed out, even in development.
    real_key = development.model_copy(update={"signing_key": SecretStr("k" * 40)})
    assert dashboard_token(real_key) is None
    # Only a browser on this machine gets one.
    assert dashboard_token(development, "10.0.0.7") is None
    assert dashboard_token(development, None) is None
    assert dashboard_token(development, "::1") is not None
    token = dashboard_token(development)
    assert token is not None
    principal = TokenVerifier(development).verify(token)
    assert principal.roles == {Role.ANALYST} and principal.expires_at is not None
    assert principal.expires_at - time.time() <= 3600
    assert '"token": null' in dashboard_html(token=None)
    hostile = "</script><script>"
    assert hostile not in dashboard_html(token=hostile)
