"""The integrator-facing surface is pinned, and every hook and setting is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import citybrain.connectors
import citybrain.federation
import citybrain.http
import citybrain.limits
import citybrain.observability
import citybrain.resolvers
import citybrain.workflow
from citybrain.connectors import Connector
from citybrain.settings import Settings

DOCS = Path(__file__).parent.parent / "docs"


def test_connectors_surface() -> None:
    assert citybrain.connectors.__all__ == [
        "ENTRY_POINT_GROUP",
        "READ_METHODS",
        "CachePolicy",
        "CacheStore",
        "CachingConnector",
        "CircuitBreaker",
        "Connector",
        "ConnectorLayer",
        "ConnectorSetupError",
        "DepartmentFault",
        "DepartmentTimeout",
        "DepartmentUnavailable",
        "Filter",
        "InvalidCursor",
        "MemoryCacheStore",
        "Page",
        "RedisCacheStore",
        "ResiliencePolicy",
        "ResilientConnector",
        "Row",
        "SqlConnector",
        "SqlEntity",
        "available_connectors",
        "decode_cursor",
        "encode_cursor",
        "load_connectors",
        "source_of",
    ]


def test_limits_surface() -> None:
    # What a field's author touches: its own cost rule, and the limits' codes.
    assert {"Limits", "register_field_cost", "field_cost_rules", "QUERY_TOO_COMPLEX"} <= set(
        citybrain.limits.__all__
    )
    assert {"safe_endpoint", "http_middleware", "KeyValueStore", "HttpProfile"} <= set(
        citybrain.http.__all__
    )


def test_every_subpackage_exports_what_it_names() -> None:
    # ruff's RUF022 keeps each __all__ sorted
    for module in (
        citybrain.connectors,
        citybrain.federation,
        citybrain.http,
        citybrain.limits,
        citybrain.observability,
        citybrain.resolvers,
        citybrain.workflow,
    ):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_workflow_surface() -> None:
    assert citybrain.workflow.__all__ == [
        "CHANNEL",
        "CONFLICT",
        "INVALID_TRANSITION",
        "RULES",
        "Action",
        "EventUpdate",
        "LocalUpdates",
        "Reach",
        "RedisUpdates",
        "Request",
        "Rule",
        "SlowSubscriber",
        "WorkflowRefusal",
        "check_may_report",
        "choose_rule",
        "invalidate_after_write",
        "perform",
        "updates_from_settings",
        "writer_of",
    ]


def test_connector_hooks() -> None:
    hooks = {
        name
        for name, member in inspect.getmembers(Connector)
        if not name.startswith("_") and (callable(member) or isinstance(member, classmethod))
    }
    assert hooks == {
        "aggregate",
        "check_health",
        "close",
        "describe",
        "entity_names",
        "fetch_by_keys",
        "fetch_groups",
        "fetch_page",
        "from_settings",
        "invalidate",
    }
    assert Connector.__abstractmethods__ == hooks - {"aggregate", "close", "describe", "invalidate"}


def test_every_connector_hook_is_in_the_integrators_guide() -> None:
    guide = (DOCS / "connectors.md").read_text(encoding="utf-8")
    for name in [
        *Connector.__abstractmethods__,
        "aggregate",
        "close",
        "describe",
        "invalidate",
        "department",
        "description",
    ]:
        assert f"`{name}" in guide, f"docs/connectors.md does not document {name}"


def test_every_setting_is_in_the_operations_guide() -> None:
    guide = (DOCS / "operations.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        variable = f"CITYBRAIN_{name.upper()}"
        assert variable in guide, f"docs/operations.md does not document {variable}"
