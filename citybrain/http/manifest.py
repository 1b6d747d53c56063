"""The manifest of registered operations (the safelist): a JSON file, hash -> document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from graphql import GraphQLError, OperationDefinitionNode, parse, validate

if TYPE_CHECKING:
    from pathlib import Path

    from graphql import GraphQLSchema

__all__ = ["ManifestError", "load_manifest", "register_operations"]


class ManifestError(ValueError):
    """A manifest or an operation file that cannot be used; the message says why."""


def load_manifest(path: Path) -> dict[str, str]:
    """Hash -> document of the operations registered in ``path`` (none if it is missing).

    Raises:
        ManifestError: the file is not a manifest.
    """
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        operations = content["operations"]
        return {digest: entry["query"] for digest, entry in operations.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestError(
            f"{path} is not an operations manifest ({type(exc).__name__}); "
            "recreate it with `citybrain operations register FILE…`"
        ) from None


def register_operations(
    path: Path, files: list[Path], schema: GraphQLSchema
) -> list[tuple[str, str, str]]:
    """Add each ``.graphql`` file's document to the manifest at ``path``.

    Each file holds one document (its operations and fragments), registered by the SHA-256
    of its exact text: clients send that text or that hash. Every file is checked against
    the schema first; nothing is written unless all are valid.

    Returns:
        (hash, operation names, file name as the manifest keeps it) for each file.

    Raises:
        ManifestError: a file does not parse or validate, or the manifest is unreadable.
    """
    from citybrain.http.persisted import operation_digest

    load_manifest(path)  # refuses a broken manifest before anything is added
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"operations": {}}
    added: list[tuple[str, str, str]] = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        try:
            document = parse(text)
        except GraphQLError as exc:
            raise ManifestError(f"{file}: {exc.message}") from None
        errors = validate(schema, document)
        if errors:
            raise ManifestError(f"{file}: {errors[0].message}")
        names = [
            d.name.value if d.name else "(anonymous)"
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ]
        if not names:
            raise ManifestError(f"{file}: holds no operation")
        digest = operation_digest(text)
        existing["operations"][digest] = {
            "name": ", ".join(names),
            "file": file.name,
            "query": text,
        }
        added.append((digest, ", ".join(names), file.name))  # as `operations list` shows it
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return added
