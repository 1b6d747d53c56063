"""Every wrong role, wrong state and out-of-jurisdiction attempt is refused and changes nothing."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from citybrain.auth.audit import AuditFilter, AuditStore
from citybrain.seed import DEMO_GRID_CODE, DEMO_ID_NUMBER
from tests.workflow.conftest import DEPARTMENT, OTHER_DEPARTMENT
from tests.workflow.documents import act, error_code, report_input, send

if TYPE_CHECKING:
    from citybrain.settings import Settings
    from tests.city import GraphClient
    from tests.workflow.conftest import Cast

# Events prepared in these states (with these versions), in the demo grid.
STATES = {"REPORTED": 1, "ACCEPTED": 2, "ANALYSED": 3, "DISPATCHED": 4, "WHISTLED": 5}
_PATH = [
    ("worker", "ACCEPT", {}),
    ("street", "ANALYSE", {}),
    ("street", "DISPATCH", {"department": "城管科"}),
    ("street", "WHISTLE", {"department": DEPARTMENT}),
]


def _as(role: str, jurisdiction: str | None = None, **claims: Any) -> Any:
    return lambda cast: cast.graph.as_role(role, jurisdiction, subject=f"stranger-{role}", **claims)


WORKER = _as("grid_worker", DEMO_GRID_CODE)
STREET = _as("street_officer", DEMO_GRID_CODE[:9])
DEPT = _as("district_officer", DEMO_GRID_CODE[:6], department=DEPARTMENT)


def OTHER_GRID_WORKER(cast: Cast) -> GraphClient:
    return cast.graph.as_role("grid_worker", cast.other_grid, subject="stranger-worker")


def OTHER_STREET(cast: Cast) -> GraphClient:
    return cast.graph.as_role("street_officer", cast.other_street_grid[:9], subject="stranger")


def OTHER_DISTRICT_DEPT(cast: Cast) -> GraphClient:
    return cast.graph.as_role(
        "district_officer", "120102", subject="stranger-dept", department=DEPARTMENT
    )


CASES: list[tuple[str, Any, str, str, dict[str, Any], str]] = [
    # wrong role
    ("anonymous accepts", _as(None), "ACCEPT", "REPORTED", {}, "FORBIDDEN"),  # type: ignore[arg-type]
    ("citizen accepts", _as("citizen", DEMO_ID_NUMBER), "ACCEPT", "REPORTED", {}, "FORBIDDEN"),
    ("analyst dispatches", _as("analyst"), "DISPATCH", "ANALYSED", {"department": "x"}, "FORBIDDEN"),
    ("admin closes", _as("admin"), "CLOSE", "DISPATCHED", {}, "FORBIDDEN"),
    ("health officer accepts", _as("health_officer"), "ACCEPT", "REPORTED", {}, "FORBIDDEN"),
    ("grid worker analyses", WORKER, "ANALYSE", "ACCEPTED", {}, "FORBIDDEN"),
    ("grid worker dispatches", WORKER, "DISPATCH", "ANALYSED", {"department": "x"}, "FORBIDDEN"),
    ("grid worker whistles", WORKER, "WHISTLE", "DISPATCHED", {"department": "x"}, "FORBIDDEN"),
    ("street accepts", STREET, "ACCEPT", "REPORTED", {}, "FORBIDDEN"),
    ("street responds for the department", STREET, "RESPOND", "WHISTLED", {}, "FORBIDDEN"),
    ("department whistles", DEPT, "WHISTLE", "DISPATCHED", {"department": "x"}, "FORBIDDEN"),
    ("district officer without department responds", _as("district_officer", DEMO_GRID_CODE[:6]),
     "RESPOND", "WHISTLED", {}, "FORBIDDEN"),
    ("another department responds", _as("district_officer", DEMO_GRID_CODE[:6],
     department=OTHER_DEPARTMENT), "RESPOND", "WHISTLED", {}, "FORBIDDEN"),
    # out of jurisdiction
    ("worker of another grid accepts", OTHER_GRID_WORKER, "ACCEPT", "REPORTED", {}, "FORBIDDEN"),
    ("another street analyses", OTHER_STREET, "ANALYSE", "ACCEPTED", {}, "FORBIDDEN"),
    ("another street whistles", OTHER_STREET, "WHISTLE", "DISPATCHED", {"department": "x"},
     "FORBIDDEN"),
    ("same department of another district responds", OTHER_DISTRICT_DEPT, "RESPOND", "WHISTLED",
     {}, "FORBIDDEN"),
    # wrong state
    ("accept twice", WORKER, "ACCEPT", "ACCEPTED", {}, "INVALID_TRANSITION"),
    ("close before resolving", STREET, "CLOSE", "DISPATCHED", {}, "INVALID_TRANSITION"),
    ("dispatch before analysing", STREET, "DISPATCH", "ACCEPTED", {"department": "x"},
     "INVALID_TRANSITION"),
    ("evaluate an open event", STREET, "EVALUATE", "DISPATCHED",
     {"speedScore": 5, "handlingScore": 5}, "INVALID_TRANSITION"),
    ("street resolves a whistled event", STREET, "RESOLVE", "WHISTLED", {}, "INVALID_TRANSITION"),
    ("department resolves before responding", DEPT, "RESOLVE", "WHISTLED", {},
     "INVALID_TRANSITION"),
    ("respond to a dispatched event", DEPT, "RESPOND", "DISPATCHED", {}, "FORBIDDEN"),
    ("whistle a reported event", STREET, "WHISTLE", "REPORTED", {"department": "x"},
     "INVALID_TRANSITION"),
    # stale version, bad input
    ("stale version", WORKER, "ACCEPT", "REPORTED", {"expectedVersion": 0}, "CONFLICT"),
    ("score out of range", STREET, "EVALUATE", "DISPATCHED",
     {"speedScore": 6, "handlingScore": 5}, "BAD_USER_INPUT"),
    ("note too long", WORKER, "ACCEPT", "REPORTED", {"note": "长" * 151}, "BAD_USER_INPUT"),
    # a missing event reads like one beyond reach
    ("no such event", WORKER, "ACCEPT", "missing", {}, "FORBIDDEN"),
    ("street acts on no such event", STREET, "ANALYSE", "missing", {}, "FORBIDDEN"),
    ("department responds to no such event", DEPT, "RESPOND", "missing", {}, "FORBIDDEN"),
]  # fmt: skip


def _snapshot(settings: Settings) -> tuple[Any, ...]:
    with sqlite3.connect(settings.data_dir / "grid.sqlite3") as db:
        return tuple(
            db.execute(sql).fetchall()
            for sql in (
                "SELECT count(*), max(id), sum(version) FROM grid_events",
                "SELECT id, status, version, closed_at FROM grid_events ORDER BY id DESC LIMIT 8",
                "SELECT count(*), max(id) FROM event_steps",
                "SELECT * FROM whistles ORDER BY id DESC LIMIT 8",
            )
        )


@pytest.fixture
async def prepared(cast: Cast) -> dict[str, int]:
    """One event in each of STATES, moved there by the right roles."""
    events: dict[str, int] = {}
    callers = {"worker": cast.worker, "street": cast.street}
    for status, version in STATES.items():
        event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
        for step, (who, action, extra) in enumerate(_PATH[: version - 1], start=1):
            await act(callers[who], action, eventId=event_id, expectedVersion=step, **extra)
        events[status] = event_id
    events["missing"] = 99_999_999
    return events


async def test_refusals_change_nothing(cast: Cast, prepared: dict[str, int]) -> None:
    seen: list[str] = []
    for name, caller, action, state, extra, code in CASES:
        event_id = prepared[state]
        input = {"eventId": event_id, "expectedVersion": STATES.get(state, 1), **extra}
        before = _snapshot(cast.graph.settings)
        body = await send(caller(cast), action, **input)
        assert body["data"] is None, name
        assert error_code(body) == code, (name, body["errors"])
        assert body["errors"][0]["message"], name
        assert _snapshot(cast.graph.settings) == before, f"{name} changed something"
        seen.append(code)
    assert set(seen) == {
        "FORBIDDEN", "INVALID_TRANSITION", "CONFLICT", "BAD_USER_INPUT",
    }  # fmt: skip


# (caller, action, an event of the demo grid in a state the action starts from, extra input):
# each caller is bound to a jurisdiction that does not hold the demo grid's events, or (the
# department) holds them but was not whistled to.
BEYOND_REACH: list[tuple[str, Any, str, str, dict[str, Any]]] = [
    ("worker of another grid", OTHER_GRID_WORKER, "ACCEPT", "REPORTED", {}),
    ("another street", OTHER_STREET, "ANALYSE", "ACCEPTED", {}),
    ("another street", OTHER_STREET, "WHISTLE", "DISPATCHED", {"department": "x"}),
    ("department of another district", OTHER_DISTRICT_DEPT, "RESPOND", "WHISTLED", {}),
    ("another department", _as("district_officer", DEMO_GRID_CODE[:6],
     department=OTHER_DEPARTMENT), "RESPOND", "WHISTLED", {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "caller", "action", "state", "extra"),
    BEYOND_REACH,
    ids=[f"{c[0]} {c[2]}" for c in BEYOND_REACH],
)
async def test_events_beyond_reach_and_missing_events_answer_alike(
    cast: Cast,
    prepared: dict[str, int],
    name: str,
    caller: Any,
    action: str,
    state: str,
    extra: dict[str, Any],
) -> None:
    version = STATES[state]
    answers = []
    for event_id in (prepared[state], prepared["missing"]):
        body = await send(caller(cast), action, eventId=event_id, expectedVersion=version, **extra)
        assert body["data"] is None, name
        (error,) = body["errors"]
        answers.append((error["extensions"], error["message"]))
    outside, missing = answers
    assert outside == missing, name  # same code, same message, same extensions
    assert outside[0]["code"] == "FORBIDDEN"
    assert "jurisdiction" in outside[1] and str(prepared[state]) not in outside[1]


@pytest.mark.parametrize(
    ("name", "caller", "grid", "code"),
    [
        ("street officer reports", STREET, "demo", "FORBIDDEN"),
        ("citizen reports", _as("citizen", DEMO_ID_NUMBER), "demo", "FORBIDDEN"),
        ("worker reports in another grid", WORKER, "other", "FORBIDDEN"),
        (
            "worker reports in a grid of their community that does not exist",
            _as("grid_worker", DEMO_GRID_CODE[:12]),
            "120101001001999",
            "BAD_USER_INPUT",
        ),
        (
            "worker reports outside, in a grid that does not exist",
            WORKER,
            "120101001001999",
            "FORBIDDEN",
        ),
        ("worker reports in a street", WORKER, DEMO_GRID_CODE[:9], "BAD_USER_INPUT"),
    ],
)
async def test_refused_reports_create_nothing(
    cast: Cast, name: str, caller: Any, grid: str, code: str
) -> None:
    grid_code = {"demo": DEMO_GRID_CODE, "other": cast.other_grid}.get(grid, grid)
    before = _snapshot(cast.graph.settings)
    body = await send(caller(cast), "REPORT", **report_input(grid_code))
    assert error_code(body) == code, (name, body["errors"])
    assert _snapshot(cast.graph.settings) == before


async def test_a_report_needs_a_sub_category(cast: Cast) -> None:
    for category in ("01", "9999"):
        body = await send(
            cast.worker, "REPORT", **report_input(DEMO_GRID_CODE, categoryCode=category)
        )
        assert error_code(body) == "BAD_USER_INPUT"
        assert "sub-category" in body["errors"][0]["message"]


async def test_refusals_explain_and_are_audited(cast: Cast, prepared: dict[str, int]) -> None:
    event_id = prepared["DISPATCHED"]
    stranger = cast.graph.as_role("grid_worker", DEMO_GRID_CODE, subject="curious-worker")
    body = await send(stranger, "CLOSE", eventId=event_id, expectedVersion=4)
    assert error_code(body) == "FORBIDDEN"
    assert "street_officer" in body["errors"][0]["message"]
    body = await send(cast.street, "CLOSE", eventId=event_id, expectedVersion=4)
    assert error_code(body) == "INVALID_TRANSITION"
    assert body["errors"][0]["extensions"]["status"] == "DISPATCHED"
    assert "RESOLVED" in body["errors"][0]["message"]
    body = await send(cast.street, "RESOLVE", eventId=event_id, expectedVersion=3)
    assert error_code(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["currentVersion"] == 4
    store = AuditStore.from_settings(cast.graph.settings)
    try:
        page = await store.query(AuditFilter(subject="curious-worker"), first=10)
    finally:
        await store.close()
    (entry,) = page.entries
    assert (entry.record.entity_type, entry.record.entity_key) == ("GridEvent", str(event_id))
    assert dict(entry.record.fields) == {"transition:CLOSE": "deny"}


async def test_no_transition_without_its_audit_record(cast: Cast) -> None:
    event_id = (await act(cast.worker, "REPORT", **report_input(DEMO_GRID_CODE)))["eventId"]
    audit = cast.graph.settings.data_dir / "audit.sqlite3"
    audit.rename(audit.with_suffix(".moved"))  # the store is gone: appends fail
    before = _snapshot(cast.graph.settings)
    body = await send(cast.worker, "ACCEPT", eventId=event_id, expectedVersion=1)
    assert error_code(body) == "AUDIT_UNAVAILABLE"
    assert _snapshot(cast.graph.settings) == before
