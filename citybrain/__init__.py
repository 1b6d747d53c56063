"""citybrain: one typed GraphQL query surface over a city's department systems (数据通)."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
