"""Each request's personal fields are audited: one record per entity, or nothing is served."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.auth.roles import Role
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.city import open_graph

if TYPE_CHECKING:
    from pathlib import Path

    from citybrain.settings import Settings
    from tests.city import GraphClient

PAGE = """query($g: String!) { persons(gridCode: $g, first: 7) {
  edges { node { name phone birthDate } } } }"""


async def _records(settings: Settings, subject: str) -> list:  # type: ignore[type-arg]
    store = AuditStore.from_settings(settings)
    try:
        page = await store.query(AuditFilter(subject=subject), first=100)
    finally:
        await store.close()
    return list(page.entries)


async def test_m_entities_served_or_denied_give_exactly_m_records(graph: GraphClient) -> None:
    subject = f"worker-{uuid.uuid4().hex[:8]}"
    worker = graph.as_role(Role.GRID_WORKER, DEMO_GRID_CODE, subject=subject)
    body = await worker.query(PAGE, {"g": DEMO_GRID_CODE})
    people = [e["node"] for e in body["data"]["persons"]["edges"]]
    assert len(people) == 7
    assert all(p["birthDate"] is None and "*" in p["phone"] for p in people)
    entries = await _records(graph.settings, subject)
    assert len(entries) == 7
    assert len({e.record.entity_key for e in entries}) == 7
    for entry in entries:
        record = entry.record
        assert record.entity_type == "Person" and len(record.entity_key) == 18
        assert record.roles == ("grid_worker",) and record.subject == subject
        assert dict(record.fields) == {"name": "mask", "phone": "mask", "birthDate": "deny"}
        assert record.request_id and len(record.operation_hash) == 64
        assert record.client_address and record.at.tzinfo is not None
    assert len({e.record.request_id for e in entries}) == 1  # one batch per request


async def test_public_fields_are_not_audited(graph: GraphClient) -> None:
    subject = f"public-{uuid.uuid4().hex[:8]}"
    caller = graph.as_role(Role.ANALYST, subject=subject)
    await caller.data("{ districts { edges { node { code name } } } }")
    assert await _records(graph.settings, subject) == []


async def test_audit_store_down_fails_closed_for_personal_fields_only(
    small_city: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the audit folder should be", encoding="utf-8")
    broken = small_city.model_copy(
        update={"audit_url": f"sqlite+aiosqlite:///{blocker}/audit.sqlite3"}
    )
    client, _ = await open_graph(broken)
    try:
        citizen = client.as_role(Role.CITIZEN, DEMO_ID_NUMBER)
        body = await citizen.query(
            """{ districts(first: 2) { edges { node { name } } }
                 me { name healthCode { color } } }"""
        )
    finally:
        await client.aclose()
    assert len(body["data"]["districts"]["edges"]) == 2  # public data still served
    assert body["data"]["me"] == {"name": None, "healthCode": None}
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"AUDIT_UNAVAILABLE"}
    assert {tuple(e["path"]) for e in body["errors"]} == {("me", "name"), ("me", "healthCode")}


async def test_only_auditors_read_the_audit_trail(graph: GraphClient) -> None:
    subject = f"citizen-{uuid.uuid4().hex[:8]}"
    await graph.as_role(Role.CITIZEN, DEMO_ID_NUMBER, subject=subject).data("{ me { name } }")
    query = """query($s: String!) { auditRecords(filter: {subject: $s}) {
      records { subject roles entityType entityKey fields { field decision } hash }
      hasNextPage } }"""
    auditor = graph.as_role(Role.AUDITOR)
    records = (await auditor.data(query, {"s": subject}))["auditRecords"]["records"]
    assert records == [
        {
            "subject": subject,
            "roles": ["citizen"],
            "entityType": "Person",
            "entityKey": DEMO_ID_NUMBER,
            "fields": [{"field": "name", "decision": "allow"}],
            "hash": records[0]["hash"],
        }
    ]
    for role in (Role.ADMIN, Role.HEALTH_OFFICER, Role.ANALYST):
        denied = await graph.as_role(role).query(query, {"s": subject})
        assert denied["data"] is None
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
