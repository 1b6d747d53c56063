"""The whole role × field policy matrix, printable for a security review."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from citybrain.auth.roles import Role

if TYPE_CHECKING:
    from citybrain.auth.policy import FieldPolicy

__all__ = ["matrix_rows", "render_matrix"]

_SHORT = {"allow": "allow", "mask": "mask", "deny": "-"}


def _purposes(policy: FieldPolicy) -> list[str]:
    return sorted({p for o in policy.overrides for p in o.purposes})


def matrix_rows(policy: FieldPolicy) -> list[list[str]]:
    """Header and one row per field: its class, then each role's decision.

    A decision that changes under a declared purpose reads ``deny / allow: epidemic-control``.
    """
    roles = [r.value for r in Role]
    rows = [["field", "class", *roles]]
    for name, level in policy.catalogue.items():
        cells = []
        for role in roles:
            plain = policy.decide([role], name, None)
            cell = _SHORT[plain.value]
            for purpose in _purposes(policy):
                with_purpose = policy.decide([role], name, purpose)
                if with_purpose is not plain:
                    cell += f" / {_SHORT[with_purpose.value]}: {purpose}"
            cells.append(cell)
        rows.append([name, level.value, *cells])
    return rows


def render_matrix(policy: FieldPolicy, fmt: str = "markdown") -> str:
    """The matrix as a Markdown table (``fmt="markdown"``) or CSV (``fmt="csv"``)."""
    rows = matrix_rows(policy)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()
    if fmt != "markdown":
        raise ValueError(f"unknown format {fmt!r}: use markdown or csv")
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join([f"`{r[0]}`", *r[1:]]) + " |" for r in rows[1:]]
    return "\n".join(lines) + "\n"
