"""The cost of access control: a grid worker's page with policies and audit, and without."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from citybrain.auth.access import Access
from citybrain.auth.audit import AuditStore
from citybrain.auth.audit_gate import AuditGate
from citybrain.auth.policy import load_policy
from citybrain.auth.principal import Principal
from citybrain.auth.roles import Role
from citybrain.federation import Loaders, RequestContext
from citybrain.schema import build_schema, field_catalogue, maskable_fields

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from pathlib import Path

    from citybrain.connectors import Connector
    from citybrain.settings import Settings

__all__ = ["POLICY_PAGE", "POLICY_TARGET", "policy_sides"]

POLICY_TARGET = 1.25
PURPOSE = "epidemic-control"

# What a grid worker may read of their residents during epidemic control: masked name,
# ID number and phone, the code colour, and the events each reported.
POLICY_PAGE = """
query WorkerPage($grid: String!) { grid(code: $grid) { code name residents(first: 100) {
  edges { node { idNumber name phone healthCode { color }
    reportedEvents(first: 3) { edges { node { id title status reportedAt } } } } }
  pageInfo { hasNextPage endCursor } } } }
""".strip()


def policy_sides(
    settings: Settings,
    connectors: Mapping[str, Connector],
    grid_code: str,
    audit_file: Path,
) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[str]], AuditStore]:
    """The page as the app serves a grid worker (policies, masking, audit written per
    request) and the same page with policies switched off; and the audit store to close."""
    guarded = build_schema()
    open_schema = build_schema(policies=False)
    policy = load_policy(field_catalogue(), maskable_fields())
    principal = Principal(
        subject="bench-worker",
        roles=frozenset({Role.GRID_WORKER}),
        jurisdiction=grid_code,
        purposes=frozenset({PURPOSE}),
        purpose=PURPOSE,
    )
    store = AuditStore(f"sqlite+aiosqlite:///{audit_file}")
    gate = AuditGate(store)
    variables: dict[str, Any] = {"grid": grid_code}

    async def with_policies() -> str:
        access = Access.for_principal(principal, policy, audit_ready=await gate.ready())
        context = RequestContext(
            settings=settings, loaders=Loaders(connectors), principal=principal, access=access
        )
        result = await guarded.execute(
            POLICY_PAGE, variable_values=variables, context_value=context
        )
        assert not result.errors, f"the grid worker's page failed: {result.errors}"
        await gate.write(access, request_id="bench", operation_hash="0" * 64, client_address="-")
        return json.dumps({"data": result.data})

    async def without_policies() -> str:
        context = RequestContext(settings=settings, loaders=Loaders(connectors))
        result = await open_schema.execute(
            POLICY_PAGE, variable_values=variables, context_value=context
        )
        assert not result.errors, f"the open page failed: {result.errors}"
        return json.dumps({"data": result.data})

    return with_policies, without_policies, store
