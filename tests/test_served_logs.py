"""`citybrain serve --workers 2` as deployed: every process logs JSON lines, request by request."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from websockets.asyncio.client import connect

from citybrain.seed import DEMO_ID_NUMBER
from tests.servers import free_port
from tests.test_partial_answers import copy_city

if TYPE_CHECKING:
    from citybrain.settings import Settings

CITYBRAIN = Path(sys.executable).parent / "citybrain"
STARTUP_TIMEOUT = 90.0  # a hang guard for two worker processes on a busy machine


def _serve(settings: Settings, log: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYBRAIN_")}
    env["CITYBRAIN_DATA_DIR"] = str(settings.data_dir)
    env["CITYBRAIN_MAX_TOKENS"] = "50"
    with log.open("wb") as err:
        process = subprocess.Popen(
            [str(CITYBRAIN), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise AssertionError("citybrain serve did not answer /healthz in time")


async def _websocket(port: int) -> None:
    url = f"ws://127.0.0.1:{port}/graphql?resident={DEMO_ID_NUMBER}"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert ack["type"] == "connection_ack"


async def test_workers_log_json_lines_with_request_ids_and_every_request(
    small_city: Settings, tmp_path: Path
) -> None:
    settings = copy_city(small_city, tmp_path)
    log, port = tmp_path / "serve.log", free_port()
    process = _serve(settings, log, port)
    base = f"http://127.0.0.1:{port}"
    sent: list[tuple[str, int]] = []
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            answers = [
                await http.post("/graphql", json={"query": "query Hello { __typename }"}),
                await http.get(
                    "/graphql",
                    params={"query": f'{{ person(idNumber: "{DEMO_ID_NUMBER}") {{ name }} }}'},
                ),
                await http.post(
                    "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
                ),
                await http.post("/graphql", json={"query": "{ __typename "}),
                await http.post("/graphql", json={"query": "{ " + "__typename " * 60 + "}"}),
            ]
            sent = [(r.headers["X-Request-Id"], r.status_code) for r in answers]
        await _websocket(port)
    finally:
        process.terminate()
        process.wait(timeout=60)
    text = log.read_text(encoding="utf-8")
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines() if line]
    assert all("request_id" in line and "logger" in line for line in lines)
    done = {line["request_id"]: line for line in lines if line["message"] == "graphql request"}
    assert set(done) == {request_id for request_id, _ in sent}
    assert {line["outcome"] for line in done.values()} >= {"ok", "refused"}
    codes = {code for line in done.values() for code in line["error_codes"]}
    assert {"BAD_REQUEST", "GRAPHQL_PARSE_FAILED", "TOO_MANY_TOKENS"} <= codes
    assert {line["logger"] for line in lines} >= {"citybrain.requests", "uvicorn.error"}
    started = [line for line in lines if line["message"].startswith("Started server process")]
    defaults = [line for line in lines if line["message"].startswith("running on development")]
    assert len(started) == 2 and len(defaults) == 2  # each worker, in JSON
    assert DEMO_ID_NUMBER not in text and "WebSocket /graphql" not in text
