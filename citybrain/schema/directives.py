"""The ``@sensitivity`` directive: each field's PIPL class, visible in the SDL."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import strawberry
from strawberry.schema_directive import Location

from citybrain.schema.classes import FIELD_CLASSES

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["SensitivityClass", "classify_fields", "sensitivity"]


@strawberry.enum(name="SensitivityClass", description="Sensitivity class of a field (PIPL).")
class SensitivityClass(enum.Enum):
    PUBLIC = strawberry.enum_value("public", description="Open data.")
    INTERNAL = strawberry.enum_value("internal", description="Government work data.")
    PERSONAL = strawberry.enum_value("personal", description="Personal information (个人信息).")
    SENSITIVE = strawberry.enum_value(
        "sensitive", description="Sensitive personal information (敏感个人信息)."
    )


@strawberry.schema_directive(
    name="sensitivity",
    locations=[Location.FIELD_DEFINITION],
    description="How sensitive the field is; the access policy decides per role (allow, "
    "mask or deny) and personal and sensitive fields are audited.",
)
class sensitivity:
    level: SensitivityClass


class UnclassifiedField(RuntimeError):
    """A field of an entity type has no sensitivity class."""


def classify_fields(types: Iterable[type]) -> None:
    """Attach ``@sensitivity`` to every field of ``types`` from the catalogue (idempotent).

    Raises:
        UnclassifiedField: a field is missing from ``citybrain/schema/classes.py``.
    """
    for cls in types:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        classes = FIELD_CLASSES.get(definition.name)
        for field in definition.fields:
            name = field.graphql_name or strawberry_name(field.python_name)
            level = (classes or {}).get(name)
            if level is None:
                raise UnclassifiedField(
                    f"{definition.name}.{name} has no sensitivity class: add it to "
                    "FIELD_CLASSES in citybrain/schema/classes.py"
                )
            if any(isinstance(d, sensitivity) for d in field.directives):
                continue
            field.directives = [*field.directives, sensitivity(level=SensitivityClass[level.name])]


def strawberry_name(python_name: str) -> str:
    """The GraphQL (camelCase) name strawberry gives a snake_case attribute."""
    head, *rest = python_name.split("_")
    return head + "".join(part.title() for part in rest)
