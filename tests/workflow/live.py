"""Live servers for the subscription tests: uvicorn in the test's loop or in its own process,
and a graphql-transport-ws client over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

from citybrain.app import create_app
from tests.servers import free_port

if TYPE_CHECKING:
    from types import TracebackType

    from starlette.applications import Starlette
    from websockets.asyncio.client import ClientConnection

    from citybrain.settings import Settings

ROOT = Path(__file__).parent.parent.parent
WAIT = 30.0  # seconds a test waits for a message before it fails (a hang guard, not a check)


class LiveServer:
    """The app under uvicorn in this event loop, on a free port (its state stays inspectable)."""

    def __init__(self, settings: Settings) -> None:
        self.app: Starlette = create_app(settings)
        self.port = free_port()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LiveServer:
        self._task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task


class ServerProcess:
    """``uvicorn --factory citybrain.app:create_app`` in its own process, configured by env."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.env = {**os.environ, "CITYBRAIN_DATA_DIR": str(settings.data_dir)}
        if settings.redis_url:
            self.env["CITYBRAIN_REDIS_URL"] = settings.redis_url
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ServerProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "citybrain.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            cwd=ROOT,
            env=self.env,
        )
        async with httpx.AsyncClient() as http:
            for _ in range(600):
                if self.process.returncode is not None:
                    raise RuntimeError(f"the server process exited: {self.process.returncode}")
                try:
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError("the server process did not start")

    async def __aexit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


class GraphSocket:
    """A graphql-transport-ws client: ``connection_init`` with a token, then subscriptions."""

    def __init__(self, base_url: str, token: str | None = None, **params: str) -> None:
        self.url = base_url.replace("http://", "ws://") + "/graphql"
        self.payload: dict[str, str] = dict(params)
        if token is not None:
            self.payload["Authorization"] = f"Bearer {token}"
        self.ws: ClientConnection | None = None
        self._ids = 0

    async def __aenter__(self) -> GraphSocket:
        self.ws = await connect(self.url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await self.send({"type": "connection_init", "payload": self.payload})
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        ident = str(self._ids)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": ident, "type": "subscribe", "payload": payload})
        return ident
