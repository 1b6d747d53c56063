"""Finds connector implementations through the ``citybrain.connectors`` entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from citybrain.connectors.base import Connector
from citybrain.connectors.cursors import use_cursor_secret
from citybrain.connectors.stack import cache_store, layered
from citybrain.settings import DEPARTMENTS

if TYPE_CHECKING:
    from citybrain.settings import Settings

__all__ = ["ENTRY_POINT_GROUP", "ConnectorSetupError", "available_connectors", "load_connectors"]

ENTRY_POINT_GROUP = "citybrain.connectors"


class ConnectorSetupError(RuntimeError):
    """A connector could not be found or built; the message says how to fix it."""


def available_connectors() -> dict[str, EntryPoint]:
    """Every registered connector implementation, by entry-point name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load_class(entry: EntryPoint) -> type[Connector]:
    try:
        loaded = entry.load()
    except Exception as exc:
        raise ConnectorSetupError(
            f"connector {entry.name!r} ({entry.value}) failed to import: "
            f"{type(exc).__name__}; fix or uninstall the package that provides it"
        ) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise ConnectorSetupError(
            f"entry point {entry.name!r} ({entry.value}) is not a citybrain Connector subclass"
        )
    return loaded


def _check_department_names(settings: Settings) -> None:
    """Per-department settings must name departments that exist (a typo is not ignored)."""
    named = {
        "CITYBRAIN_RESILIENCE": list(settings.resilience),
        "CITYBRAIN_CACHE_TTLS": [name.split(".", 1)[0] for name in settings.cache_ttls],
        "CITYBRAIN_CACHE_EXCLUDE": [name.split(".", 1)[0] for name in settings.cache_exclude],
    }
    for variable, departments in named.items():
        unknown = sorted(set(departments) - set(DEPARTMENTS))
        if unknown:
            raise ConnectorSetupError(
                f"{variable} names unknown departments {unknown}; the departments are "
                f"{', '.join(DEPARTMENTS)} (an entity is named `department.entity`)"
            )


def load_connectors(settings: Settings, *, layers: bool = True) -> dict[str, Connector]:
    """Build one connector per department, as the settings choose (no I/O).

    Each is wrapped in its layers, cache → resilience → source (see ``docs/operations.md``);
    the cache store is shared by the departments.

    Args:
        settings: ``settings.connectors`` maps a department to an entry-point name; a
            department not named there is served by the entry point of the same name.
        layers: False gives the bare department connectors (tools, baselines).
    """
    use_cursor_secret(settings.signing_key.get_secret_value())
    registered = available_connectors()
    unknown = set(settings.connectors) - set(DEPARTMENTS)
    if unknown:
        raise ConnectorSetupError(
            f"CITYBRAIN_CONNECTORS names unknown departments {sorted(unknown)}; "
            f"the departments are {', '.join(DEPARTMENTS)}"
        )
    _check_department_names(settings)
    built: dict[str, Connector] = {}
    store = cache_store(settings) if layers else None
    for department in DEPARTMENTS:
        name = settings.connector_name(department)
        if name not in registered:
            raise ConnectorSetupError(
                f"no connector named {name!r} for department {department!r}; installed: "
                f"{', '.join(sorted(registered)) or 'none'} (is the package installed with "
                f"`pip install -e .`?)"
            )
        cls = _load_class(registered[name])
        if cls.department != department:
            raise ConnectorSetupError(
                f"connector {name!r} serves {cls.department!r}, not {department!r}: "
                f"fix CITYBRAIN_CONNECTORS"
            )
        source = cls.from_settings(settings)
        built[department] = source if store is None else layered(source, settings, store)
    return built
