"""Benchmarks of the graph against hand-written SQL over the same databases (``make bench``).

Each scenario runs one GraphQL query in process (the app's own schema and connectors, fresh
loaders per iteration, as per request) side by side with a baseline that fetches the same
rows with SQLAlchemy Core on the same engines and builds the same JSON. Results are printed
and written to ``docs/benchmarks.md``.
"""

from __future__ import annotations
