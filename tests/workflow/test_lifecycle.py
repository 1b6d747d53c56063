"""The whole workflow of one event through HTTP, each step by the role the rules name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.workflow.conftest import DEPARTMENT
from tests.workflow.documents import EVENT, act, report_input

if TYPE_CHECKING:
    from tests.city import GraphClient
    from tests.workflow.conftest import Cast


async def test_report_to_evaluation_with_a_whistle_and_a_response(any_cast: Cast) -> None:
    cast = any_cast
    reported = await act(
        cast.worker, "REPORT", **report_input(DEMO_GRID_CODE, reporterIdNumber=DEMO_ID_NUMBER)
    )
    event_id = reported["eventId"]
    assert reported["event"]["status"] == "REPORTED" and reported["version"] == 1
    assert reported["event"]["gridCode"] == DEMO_GRID_CODE
    assert reported["step"]["actorRole"] == "GRID_WORKER"
    assert reported["event"]["deadlineAt"] is not None and reported["event"]["overdue"] is False

    steps: list[tuple[GraphClient, str, dict[str, Any], str, str]] = [
        (cast.worker, "ACCEPT", {}, "ACCEPTED", "GRID_WORKER"),
        (cast.street, "ANALYSE", {}, "ANALYSED", "STREET"),
        (cast.street, "DISPATCH", {"department": "城管科"}, "DISPATCHED", "STREET"),
        (cast.street, "WHISTLE", {"department": DEPARTMENT}, "WHISTLED", "STREET"),
        (cast.department, "RESPOND", {}, "RESPONDED", "DEPARTMENT"),
        (cast.department, "RESOLVE", {"note": "已清理"}, "RESOLVED", "DEPARTMENT"),
        (cast.street, "CLOSE", {}, "CLOSED", "STREET"),
        (cast.street, "EVALUATE", {"speedScore": 4, "handlingScore": 5}, "EVALUATED", "STREET"),
    ]
    version = 1
    for caller, action, extra, status, actor_role in steps:
        done = await act(caller, action, eventId=event_id, expectedVersion=version, **extra)
        version += 1
        assert (done["action"], done["version"], done["replayed"]) == (action, version, False)
        assert (done["event"]["status"], done["event"]["version"]) == (status, version)
        assert done["step"]["action"] == action and done["step"]["actorRole"] == actor_role

    event = (await cast.graph.data(EVENT, {"id": event_id}))["event"]
    assert event["status"] == "EVALUATED" and event["version"] == 9
    assert event["closedAt"] is not None
    timeline = [e["node"] for e in event["timeline"]["edges"]]
    assert [s["action"] for s in timeline] == [
        "REPORT", "ACCEPT", "ANALYSE", "DISPATCH", "WHISTLE",
        "RESPOND", "RESOLVE", "CLOSE", "EVALUATE",
    ]  # fmt: skip
    assert timeline[3]["note"] == "分流交办至城管科"
    assert timeline[5]["actorName"] == DEPARTMENT
    assert timeline[6]["note"] == "已清理"
    assert timeline[0]["actorName"] == "worker-demo"
    (whistle,) = [e["node"] for e in event["whistles"]["edges"]]
    assert whistle["department"] == DEPARTMENT
    assert whistle["streetCode"] == DEMO_GRID_CODE[:9]
    assert whistle["respondedAt"] is not None
    assert (whistle["speedScore"], whistle["handlingScore"]) == (4, 5)

    # Every transition is in the audit trail, by whom it was made.
    store = AuditStore.from_settings(cast.graph.settings)
    try:
        page = await store.query(
            AuditFilter(entity_type="GridEvent", entity_key=str(event_id)), first=100
        )
    finally:
        await store.close()
    made = [
        (e.record.subject, dict(e.record.fields))
        for e in reversed(page.entries)
        if any(name.startswith("transition:") for name, _ in e.record.fields)
    ]
    assert [(s, f) for s, f in made] == [
        ("worker-demo", {"transition:REPORT": "allow"}),
        ("worker-demo", {"transition:ACCEPT": "allow"}),
        ("street-demo", {"transition:ANALYSE": "allow"}),
        ("street-demo", {"transition:DISPATCH": "allow"}),
        ("street-demo", {"transition:WHISTLE": "allow"}),
        ("dept-demo", {"transition:RESPOND": "allow"}),
        ("dept-demo", {"transition:RESOLVE": "allow"}),
        ("street-demo", {"transition:CLOSE": "allow"}),
        ("street-demo", {"transition:EVALUATE": "allow"}),
    ]


async def test_a_street_resolves_a_dispatched_event_without_a_whistle(any_cast: Cast) -> None:
    cast = any_cast
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    version = 1
    for caller, action in [
        (cast.worker, "ACCEPT"),
        (cast.street, "ANALYSE"),
        (cast.street, "DISPATCH"),
        (cast.street, "RESOLVE"),
        (cast.street, "CLOSE"),
    ]:
        extra = {"department": "城管科"} if action == "DISPATCH" else {}
        done = await act(caller, action, eventId=event_id, expectedVersion=version, **extra)
        version = done["version"]
    assert done["event"]["status"] == "CLOSED"
    assert done["event"]["overdue"] is False


async def test_a_community_workstation_analyses_as_community(any_cast: Cast) -> None:
    cast = any_cast
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    await act(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1)
    community = cast.graph.as_role("street_officer", DEMO_GRID_CODE[:12], subject="station")
    done = await act(community, "ANALYSE", eventId=event_id, expectedVersion=2)
    assert done["step"]["actorRole"] == "COMMUNITY"
