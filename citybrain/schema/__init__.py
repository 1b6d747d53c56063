"""The GraphQL schema: strawberry types over department rows, an Apollo Federation v2 subgraph."""

from __future__ import annotations

from citybrain.schema.build import build_schema, schema_sdl
from citybrain.schema.classes import field_catalogue, maskable_fields

__all__ = ["build_schema", "field_catalogue", "maskable_fields", "schema_sdl"]
