"""``citybrain token``: mint a development token to query the graph as a role."""

from __future__ import annotations

from typing import Annotated

import typer

from citybrain.auth.roles import Role  # noqa: TC001 - typer reads annotations at run time
from citybrain.auth.tokens import DevelopmentTokensRefused, mint_development_token
from citybrain.settings import Settings

__all__ = ["token_command"]


def token_command(
    role: Annotated[Role, typer.Option(help="The role the token grants.", show_default=False)],
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            help="Region code prefix (district 6, street 9, community 12 or grid 15 digits); "
            "for a citizen, their own ID number."
        ),
    ] = None,
    purpose: Annotated[
        list[str] | None,
        typer.Option(
            "--purpose",
            metavar="PURPOSE",
            help="A purpose the token grants (X-Purpose); repeatable.",
        ),
    ] = None,
    subject: Annotated[str | None, typer.Option(help="The token's subject (dev-<role>).")] = None,
    department: Annotated[str | None, typer.Option(help="The caller's department.")] = None,
    ttl_hours: Annotated[float, typer.Option(help="Hours the token is valid.", min=0.01)] = 8.0,
    header: Annotated[
        bool, typer.Option("--header", help="Print 'Authorization: Bearer <token>'.")
    ] = False,
) -> None:
    """Print a development token (HS256, CITYBRAIN_SIGNING_KEY); refused in production."""
    settings = Settings()
    try:
        token = mint_development_token(
            settings,
            role=role,
            jurisdiction=jurisdiction,
            purposes=purpose or (),
            subject=subject,
            department=department,
            ttl_seconds=round(ttl_hours * 3600),
        )
    except (DevelopmentTokensRefused, ValueError) as exc:
        typer.echo(f"citybrain token: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Authorization: Bearer {token}" if header else token)
