"""Real PostgreSQL and Redis servers for the tests: throwaway instances on free local ports.

Each server runs from the distribution's binaries (``scripts/install-test-services`` installs
them) in a temporary directory of its own, listens on 127.0.0.1 only, and is started with
explicit argument lists, never through a shell. PostgreSQL refuses to run as root, so when the
tests run as root its processes run as the ``postgres`` system user that Debian's package
creates.

Every started server is registered for an ``atexit`` fallback, so no process outlives the
test run even when a fixture's teardown never ran. The fault helpers (``kill``, ``shutdown``,
``restart``, ``start`` again) keep the port, so clients configured with a URL reconnect to the
same server once it is back.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import TracebackType

__all__ = [
    "INSTALL_HINT",
    "PostgresServer",
    "RedisServer",
    "ServerError",
    "ServersMissing",
    "find_postgres_bin",
    "find_redis_server",
    "free_port",
]

INSTALL_HINT = (
    "run `make test-services` (scripts/install-test-services; as root it installs the "
    "Debian packages `postgresql` and `redis-server`)"
)
STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 30.0
_POLL_INTERVAL = 0.05
_LOG_TAIL_LINES = 40
_POSTGRES_ROOT = Path("/usr/lib/postgresql")
_POSTGRES_TOOLS = ("initdb", "pg_ctl", "postgres")
_DB_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class ServerError(RuntimeError):
    """A test server could not be set up, started or stopped."""


class ServersMissing(ServerError):
    """The server binaries are not installed on this machine."""


def find_postgres_bin() -> Path:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb, pg_ctl and postgres."""
    candidates: list[tuple[tuple[int, ...], Path]] = []
    for bin_dir in _POSTGRES_ROOT.glob("*/bin"):
        if all(os.access(bin_dir / tool, os.X_OK) for tool in _POSTGRES_TOOLS):
            version = tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))
            candidates.append((version, bin_dir))
    if not candidates:
        raise ServersMissing(
            f"PostgreSQL server binaries ({', '.join(_POSTGRES_TOOLS)}) not found under "
            f"{_POSTGRES_ROOT}/*/bin: {INSTALL_HINT}"
        )
    return max(candidates)[1]


def find_redis_server() -> Path:
    """The ``redis-server`` binary, from PATH or the usual install locations."""
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    for candidate in ("/usr/bin", "/usr/local/bin", "/usr/sbin"):
        path = Path(candidate) / "redis-server"
        if os.access(path, os.X_OK):
            return path
    raise ServersMissing(f"redis-server not found on PATH: {INSTALL_HINT}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env() -> dict[str, str]:
    """A small, predictable environment: no PG*/REDIS* settings of the caller leak in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LC_ALL": "C",
        "LANG": "C",
        "TZ": "UTC",
    }


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids of every process, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process exited meanwhile
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        fields = text[text.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie no longer holds sockets or shared memory)."""
    try:
        text = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2 :].split()[0] not in ("Z", "X")


_PR_SET_CHILD_SUBREAPER = 36


def _set_child_subreaper(enabled: bool) -> bool:
    """Adopt orphaned descendants (Linux ``prctl``), so that this process can reap them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, int(enabled), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a server (a session leader) with all its descendants; reap them all.

    PostgreSQL's backends make themselves group leaders, so the process group of the
    postmaster does not reach them: they are collected from /proc before the kill. While the
    leader dies this process is a child subreaper, so the orphans become its children and are
    reaped here instead of lingering as zombies until init gets to them.
    """
    tree = _children()
    descendants: list[int] = []
    pending = [process.pid]
    while pending:
        for child in tree.get(pending.pop(), []):
            descendants.append(child)
            pending.append(child)
    adopting = _set_child_subreaper(True)
    try:
        # The leader first, so that it cannot start new children; then the rest.
        for target in [process.pid, *descendants]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(target, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=SHUTDOWN_TIMEOUT)  # its orphans are re-parented as it exits
    finally:
        if adopting:
            _set_child_subreaper(False)
    remaining = set(descendants)
    deadline = time.monotonic() + SHUTDOWN_TIMEOUT
    while remaining and time.monotonic() < deadline:
        for child in list(remaining):
            try:
                if os.waitpid(child, os.WNOHANG)[0] == child:
                    remaining.discard(child)
            except ChildProcessError:  # not adopted (no subreaper support): just see it gone
                if not _alive(child):
                    remaining.discard(child)
        if remaining:
            time.sleep(0.01)


_live: set[_ServerProcess] = set()


@atexit.register
def _stop_all_servers() -> None:
    """Fallback: stop whatever is still running when the interpreter exits."""
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.stop()


class _ServerProcess:
    """One server process in a temporary directory, with its output in a log file there."""

    name = "server"

    def __init__(self, port: int | None = None) -> None:
        self._fixed_port = port is not None
        self.port: int = port if port is not None else 0
        self.base_dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process is not None else None

    @property
    def log_path(self) -> Path:
        if self.base_dir is None:
            raise ServerError(f"{self.name} has no directory: call start() first")
        return self.base_dir / f"{self.name}.log"

    def start(self) -> None:
        """Start the server (on the same port as before, if it ran already) and wait for it."""
        if self.running:
            return
        began = time.monotonic()
        if self.base_dir is None:
            self.base_dir = Path(tempfile.mkdtemp(prefix=f"citybrain-{self.name}-"))
            _live.add(self)
            try:
                self._prepare()
            except BaseException:
                self.stop()
                raise
        attempts = 1 if self._fixed_port or self.port else 3
        for attempt in range(attempts):
            if not self.port:
                self.port = free_port()
            try:
                self._launch()
                self._wait_ready()
            except ServerError:
                self._terminate(signal.SIGKILL)
                # Someone took the port between free_port() and the bind: try another one.
                if attempt + 1 < attempts and "already in use" in self._log_tail():
                    self.port = 0
                    continue
                raise
            break
        self.startup_seconds = time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL the server and all its children (a crash); its files are kept.

        ``start()`` afterwards recovers like after a real crash. PostgreSQL runs with
        ``synchronous_commit=off`` by default, so transactions committed in the last few
        hundred milliseconds before the kill may be lost (pass
        ``options={"synchronous_commit": "on"}`` when a test depends on them).
        """
        self._terminate(signal.SIGKILL)

    def shutdown(self) -> None:
        """Stop the server cleanly, keeping its files: ``start()`` brings it back."""
        self._terminate(self._shutdown_signal)

    def restart(self) -> None:
        """Clean shutdown, then start again on the same port."""
        self.shutdown()
        self.start()

    def stop(self) -> None:
        """Stop the server for good and remove its directory. Safe to call more than once."""
        try:
            self._terminate(self._shutdown_signal)
        finally:
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
                self.base_dir = None
            _live.discard(self)

    # -- subclass hooks ------------------------------------------------------------------

    _shutdown_signal = signal.SIGTERM

    def _prepare(self) -> None:
        """Set up the directory before the first start."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _run_as(self) -> dict[str, Any]:
        """Extra Popen arguments that choose the user the server runs as."""
        return {}

    # -- helpers -------------------------------------------------------------------------

    def _launch(self) -> None:
        assert self.base_dir is not None
        with self.log_path.open("ab") as log:
            log.write(f"--- starting {self.name} on port {self.port}\n".encode())
            log.flush()
            # A session of its own: kill() reaches the server's children through the group.
            self._process = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.base_dir,
                env=_server_env(),
                start_new_session=True,
                **self._run_as(),
            )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            process = self._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                raise ServerError(
                    f"{self.name} exited with code {code} while starting on port {self.port}; "
                    f"log {self.log_path}:\n{self._log_tail()}"
                )
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{self.name} did not accept connections on 127.0.0.1:{self.port} within "
                    f"{STARTUP_TIMEOUT:.0f} s; log {self.log_path}:\n{self._log_tail()}"
                )
            time.sleep(_POLL_INTERVAL)

    def _terminate(self, sig: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            if sig == signal.SIGKILL:
                _kill_tree(process)
            else:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
            try:
                process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        else:
            process.wait()

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except (OSError, ServerError):
            return "(no log)"
        return "\n".join(lines[-_LOG_TAIL_LINES:])

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} 127.0.0.1:{self.port} {state}>"


class PostgresServer(_ServerProcess):
    """A throwaway PostgreSQL cluster: ``initdb`` in a temporary directory, trust auth.

    Args:
        port: the TCP port on 127.0.0.1; a free one is picked at the first start when omitted.
        bin_dir: the PostgreSQL ``bin`` directory; the newest installed one when omitted.
        options: server settings (``-c name=value``) added to or replacing
            ``DEFAULT_OPTIONS``, e.g. ``{"synchronous_commit": "on"}`` for a test that needs
            every commit to survive ``kill()``.

    Usage::

        with PostgresServer() as server:
            url = server.create_database("citybrain_test")  # postgresql+asyncpg://...
    """

    name = "postgres"
    user = "postgres"
    _shutdown_signal = signal.SIGINT  # "fast" shutdown: roll back sessions, checkpoint, exit

    #: Speed over durability: a throwaway cluster never needs to survive a power cut.
    DEFAULT_OPTIONS: Mapping[str, str] = MappingProxyType(
        {
            "listen_addresses": "127.0.0.1",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
    )

    def __init__(
        self,
        port: int | None = None,
        *,
        bin_dir: Path | None = None,
        options: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(port)
        self.options = {**self.DEFAULT_OPTIONS, **(options or {})}
        self.bin_dir = bin_dir if bin_dir is not None else find_postgres_bin()
        self.version = self.bin_dir.parent.name
        self._as_root = os.geteuid() == 0
        if self._as_root:
            try:
                entry = pwd.getpwnam(self.user)
            except KeyError:
                raise ServersMissing(
                    f"running as root, but there is no `{self.user}` system user to run "
                    f"PostgreSQL as: {INSTALL_HINT}"
                ) from None
            self._uid, self._gid = entry.pw_uid, entry.pw_gid

    @property
    def data_dir(self) -> Path:
        if self.base_dir is None:
            raise ServerError("postgres has no directory: call start() first")
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        if self.base_dir is None:
            raise ServerError("postgres has no directory: call start() first")
        return self.base_dir / "socket"

    def url(self, database: str = "postgres", *, driver: str = "asyncpg") -> str:
        """SQLAlchemy URL of ``database`` on this server (``postgresql+asyncpg://`` by default)."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        """libpq/asyncpg DSN of the ``postgres`` maintenance database."""
        return self.url(driver="")

    def create_database(self, name: str) -> str:
        """Create an empty database and return its async SQLAlchemy URL."""
        self._check_name(name)
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever still uses it."""
        self._check_name(name)
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with ``psql`` against this server; return its unaligned output."""
        if not self.running:
            raise ServerError(f"{self!r} is not running")
        result = self._run(
            [
                str(self._tool("psql")),
                "--no-psqlrc",
                "--quiet",
                "--tuples-only",
                "--no-align",
                "--set=ON_ERROR_STOP=1",
                "--host=127.0.0.1",
                f"--port={self.port}",
                f"--username={self.user}",
                f"--dbname={database}",
                f"--command={sql}",
            ],
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(f"psql failed ({sql!r}): {result.stdout.strip()}")
        return result.stdout

    # -- hooks ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        assert self.base_dir is not None
        self.socket_dir.mkdir()
        if self._as_root:
            os.chown(self.base_dir, self._uid, self._gid)
            os.chown(self.socket_dir, self._uid, self._gid)
        result = self._run(
            [
                str(self.bin_dir / "initdb"),
                f"--pgdata={self.data_dir}",
                "--auth=trust",
                f"--username={self.user}",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            as_server=True,
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(f"initdb failed:\n{result.stdout.strip()}")

    def _command(self) -> list[str]:
        command = [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-k",
            str(self.socket_dir),
        ]
        for name, value in self.options.items():
            command += ["-c", f"{name}={value}"]
        return command

    def _ready(self) -> bool:
        result = self._run(
            [
                str(self._tool("pg_isready")),
                "--quiet",
                "--host=127.0.0.1",
                f"--port={self.port}",
                f"--username={self.user}",
                "--dbname=postgres",
                "--timeout=2",
            ],
            check=False,
        )
        return result.returncode == 0

    def _run_as(self) -> dict[str, Any]:
        if not self._as_root:
            return {}
        return {"user": self._uid, "group": self._gid, "extra_groups": []}

    # -- helpers -------------------------------------------------------------------------

    def _tool(self, name: str) -> Path:
        path = self.bin_dir / name
        if os.access(path, os.X_OK):
            return path
        found = shutil.which(name)
        if found is None:
            raise ServersMissing(f"PostgreSQL client `{name}` not found: {INSTALL_HINT}")
        return Path(found)

    def _run(
        self, args: Sequence[str], *, as_server: bool = False, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.base_dir,
            env=_server_env(),
            check=check,
            timeout=STARTUP_TIMEOUT,
            **(self._run_as() if as_server else {}),
        )

    @staticmethod
    def _check_name(name: str) -> None:
        if not _DB_NAME.fullmatch(name):
            raise ValueError(f"database name {name!r} must match {_DB_NAME.pattern}")


class RedisServer(_ServerProcess):
    """A throwaway Redis server without persistence (``--save '' --appendonly no``).

    ``kill()`` then ``start()`` brings back an empty server on the same port.
    """

    name = "redis"

    def __init__(self, port: int | None = None, *, binary: Path | None = None) -> None:
        super().__init__(port)
        self.binary = binary if binary is not None else find_redis_server()

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        assert self.base_dir is not None
        return [
            str(self.binary),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.base_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
