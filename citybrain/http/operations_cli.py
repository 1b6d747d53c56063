"""``citybrain operations``: register the operations of the safelist, and list them."""

from __future__ import annotations

import json
from pathlib import Path  # noqa: TC003 - typer reads annotations at run time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from citybrain.settings import Settings

__all__ = ["operations_app"]

operations_app = typer.Typer(
    help="Persisted operations: the safelist of operations a production service runs.",
    no_args_is_help=True,
)
console = Console()


@operations_app.command("register")
def register(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help=".graphql files, one document each.")
    ],
    manifest: Annotated[
        Path | None,
        typer.Option(help="Manifest to add them to (default: CITYBRAIN_OPERATIONS_FILE)."),
    ] = None,
) -> None:
    """Check each file against the schema and add it to the manifest (hash -> document)."""
    from citybrain.http.manifest import ManifestError, register_operations
    from citybrain.schema import build_schema

    path = manifest or Settings().operations_manifest()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        console.print(f"no such file: {', '.join(missing)}")
        raise typer.Exit(2)
    try:
        added = register_operations(path, files, build_schema()._schema)
    except ManifestError as exc:
        console.print(f"nothing registered: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    table = Table(title=f"registered in {path}")
    for column in ("sha256", "operations", "file"):
        table.add_column(column)
    for digest, names, file in added:
        table.add_row(digest, names, file)
    console.print(table)


@operations_app.command("list")
def list_operations(
    manifest: Annotated[
        Path | None, typer.Option(help="Manifest to read (default: CITYBRAIN_OPERATIONS_FILE).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the registered operations: hash, names, file."""
    from citybrain.http.manifest import load_manifest

    path = manifest or Settings().operations_manifest()
    load_manifest(path)  # a broken manifest is told, not a traceback
    content = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    operations = content.get("operations", {})
    rows = [
        {"sha256": digest, "name": entry.get("name", ""), "file": entry.get("file", "")}
        for digest, entry in sorted(operations.items())
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} operations in {path}")
    for column in ("sha256", "name", "file"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["sha256"], row["name"], row["file"])
    console.print(table)
