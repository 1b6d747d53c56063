"""``citybrain policy check`` and ``citybrain policy matrix``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from citybrain.auth.policy import FieldPolicy

__all__ = ["policy_app"]

policy_app = typer.Typer(help="Inspect the field access policy.", no_args_is_help=True)


def _policy() -> FieldPolicy:
    from citybrain.auth.policy import load_policy
    from citybrain.schema import field_catalogue, maskable_fields
    from citybrain.settings import Settings

    return load_policy(field_catalogue(), maskable_fields(), Settings().policy_file)


@policy_app.command()
def check() -> None:
    """List personal or sensitive fields that some role has no rule for (denied by default)."""
    unruled = _policy().unruled()
    if not unruled:
        typer.echo("every personal and sensitive field has a rule for every role")
        return
    typer.echo(f"{len(unruled)} (role, field) pairs have no rule and are denied by default:")
    for role, name in unruled:
        typer.echo(f"  {role:<22} {name}")
    typer.echo("add a class rule under [roles.<role>] or an [[overrides]] entry to decide them")
    raise typer.Exit(1)


@policy_app.command()
def matrix(
    fmt: Annotated[str, typer.Option("--format", help="markdown or csv")] = "markdown",
) -> None:
    """Print the whole role × field matrix (what docs/access-control.md shows)."""
    from citybrain.auth.matrix import render_matrix

    typer.echo(render_matrix(_policy(), fmt), nl=False)
