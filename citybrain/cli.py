"""The ``citybrain`` command: serve, seed, schema, connectors, migrate."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - typer reads annotations at run time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from citybrain.auth.audit_cli import audit_app
from citybrain.auth.policy_cli import policy_app
from citybrain.auth.token_cli import token_command
from citybrain.http.operations_cli import operations_app
from citybrain.settings import DEPARTMENTS, Settings

__all__ = ["app", "main"]

app = typer.Typer(
    help="citybrain: one typed GraphQL graph over the city's departments (数据通).",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: typer's rich panels label every flag (and --help) `<bool>`.
    rich_markup_mode=None,
)
console = Console()
errors = Console(stderr=True)
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.add_typer(operations_app, name="operations")
app.command("token")(token_command)


class Scale(StrEnum):
    small = "small"
    city = "city"


def _has_data(settings: Settings) -> bool:
    """Whether every department's default SQLite file exists (configured URLs count as data)."""
    for department in DEPARTMENTS:
        if getattr(settings, f"{department}_url"):
            continue
        if not (settings.data_dir / f"{department}.sqlite3").exists():
            return False
    return True


def _seed(settings: Settings, scale: str, seed: int) -> None:
    from citybrain.seed import seed_city

    report = asyncio.run(seed_city(settings, scale=scale, seed=seed, progress=True))
    table = Table(title=f"seeded {scale} city (seed {seed}) in {report.elapsed_seconds:.1f} s")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(report.row_counts.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)


def _refuse_development_defaults(settings: Settings) -> None:
    """Stop a production start on development defaults or unruled personal fields."""
    from citybrain.auth.policy import load_policy
    from citybrain.http.production import production_problems
    from citybrain.schema import field_catalogue, maskable_fields

    problems = [f"development default in force: {d}" for d in settings.uses_development_defaults()]
    problems.extend(production_problems(settings))
    unruled = load_policy(field_catalogue(), maskable_fields(), settings.policy_file).unruled()
    if unruled:
        problems.append(
            f"{len(unruled)} personal or sensitive fields have no policy rule "
            "(`citybrain policy check` lists them)"
        )
    if problems:
        for problem in problems:
            errors.print(f"refusing to start in production: {problem}", soft_wrap=True)
        errors.print(
            "set the CITYBRAIN_* settings named above (see docs/operations.md)", soft_wrap=True
        )
        raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    seed_if_empty: Annotated[
        bool, typer.Option(help="Seed small demo data first when there is none.")
    ] = False,
    production: Annotated[
        bool,
        typer.Option(
            "--production",
            help="Production profile: refuse development defaults and unruled personal fields.",
        ),
    ] = False,
) -> None:
    """Serve the graph at /graphql (GraphiQL in a browser when enabled)."""
    import os

    import uvicorn

    from citybrain.observability.logs import logging_config

    if production:
        os.environ["CITYBRAIN_PROFILE"] = "production"
    settings = Settings()
    if settings.profile == "production":
        _refuse_development_defaults(settings)
    if seed_if_empty and not _has_data(settings):
        console.print(f"no data in {settings.data_dir}/: seeding the small demo city first")
        _seed(settings, "small", 0)
    bind_host = host or settings.host
    bind_port = port or settings.port
    # Build the app here first: a configuration mistake stops the command before it says
    # it is serving (the workers, or the reloader's process, build their own from the
    # same settings).
    from citybrain.app import create_app

    built = create_app(settings)
    target: Any = built if workers == 1 and not reload else "citybrain.app:create_app"
    console.print(f"citybrain serving on http://{bind_host}:{bind_port}/graphql")
    uvicorn.run(
        target,
        factory=isinstance(target, str),
        host=bind_host,
        port=bind_port,
        workers=workers,
        reload=reload,
        log_level="info",
        # Every process logs alike: JSON lines with request ids; uvicorn's access lines
        # (GET query strings and WebSocket paths may hold ID numbers) are dropped: each
        # request's own line (citybrain.requests) replaces them.
        log_config=logging_config(settings.log_format),
        access_log=False,
    )


@app.command()
def seed(
    scale: Annotated[Scale, typer.Option(help="small: seconds; city: full Tianjin shape.")] = (
        Scale.small
    ),
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data.")] = 0,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the SQLite files go (CITYBRAIN_DATA_DIR).")
    ] = None,
) -> None:
    """Generate synthetic city data into every department's database (replaces it)."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    _seed(settings, scale.value, seed)


@app.command()
def schema(
    check: Annotated[
        Path | None, typer.Option(help="Exit 1 if this SDL file differs from the code.")
    ] = None,
) -> None:
    """Print the schema's SDL (the federated subgraph schema)."""
    from citybrain.schema import schema_sdl

    sdl = schema_sdl()
    if check is None:
        typer.echo(sdl, nl=False)
        return
    if not check.exists() or check.read_text(encoding="utf-8") != sdl:
        console.print(f"{check} is out of date: run `citybrain schema > {check}`")
        raise typer.Exit(1)
    console.print(f"{check} matches the code")


@app.command()
def connectors(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the connector implementations installed and which serves each department."""
    from citybrain.connectors import available_connectors, load_connectors

    settings = Settings()
    chosen = {d: settings.connector_name(d) for d in DEPARTMENTS}
    loaded = load_connectors(settings)
    rows = []
    for name, entry in sorted(available_connectors().items()):
        serving = [d for d, n in chosen.items() if n == name]
        info = dict(loaded[serving[0]].describe()) if serving else {}
        rows.append({"name": name, "class": entry.value, "serves": serving, **info})
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    # One block per connector, whole values on their own lines (paths are long).
    for row in rows:
        typer.echo(f"{row['name']}  ({row['class']})")
        typer.echo(f"  serves:   {', '.join(row['serves']) or '-'}")
        if row.get("entities"):
            typer.echo(f"  entities: {', '.join(row['entities'])}")
        if row.get("database"):
            typer.echo(f"  database: {row['database']}")


@app.command()
def migrate() -> None:
    """Create the tables this version adds to existing department databases (idempotent).

    The workflow's idempotency records live in the grid database; they are also created on
    the first workflow write, unless the service's database user may not create tables.
    """
    from citybrain.connectors import load_connectors
    from citybrain.workflow import writer_of

    async def run() -> None:
        loaded = load_connectors(Settings())
        try:
            await writer_of(loaded["grid"]).ensure_workflow_tables()
        finally:
            for connector in loaded.values():
                await connector.close()

    asyncio.run(run())
    console.print("grid: workflow tables are in place")


def main() -> None:
    """Entry point of the ``citybrain`` console script.

    A configuration mistake (a bad ``CITYBRAIN_*`` value, an unknown connector, a missing
    policy or key file) is told on stderr in one line each, with exit status 2.
    """
    from citybrain.config_errors import explain_configuration_error

    try:
        app()
    except Exception as error:
        lines = explain_configuration_error(error)
        if lines is None:
            raise
        for line in lines:
            sys.stderr.write(f"citybrain: configuration error: {line}\n")
        sys.exit(2)
