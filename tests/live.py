"""A live uvicorn serving the app in a child process, for clients that speak real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Self

import httpx

from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType

__all__ = ["LiveServer"]

STARTUP_TIMEOUT = 60.0


class LiveServer:
    """``citybrain.app:create_app`` under uvicorn on a free port, with these settings.

    Args:
        settings: ``CITYBRAIN_*`` variables (name without the prefix -> value).
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITYBRAIN_")}
        env.update({f"CITYBRAIN_{name.upper()}": value for name, value in settings.items()})
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "citybrain.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                _, err = self._process.communicate()
                raise RuntimeError(f"uvicorn exited: {err.decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url.replace("/graphql", "/healthz")).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError("uvicorn did not answer /healthz in time")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None
