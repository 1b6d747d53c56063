"""GraphQL documents of the workflow, as a front-end would send them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.city import GraphClient

RESULT = """{ action version replayed eventId
  event { id status version closedAt gridCode deadlineAt overdue }
  step { id action actorRole actorName note at } }"""

MUTATIONS = {
    "REPORT": ("reportEvent", "ReportEventInput"),
    "ACCEPT": ("acceptEvent", "EventActionInput"),
    "ANALYSE": ("analyseEvent", "EventActionInput"),
    "DISPATCH": ("dispatchEvent", "DispatchEventInput"),
    "WHISTLE": ("whistleEvent", "WhistleEventInput"),
    "RESPOND": ("respondToWhistle", "EventActionInput"),
    "RESOLVE": ("resolveEvent", "EventActionInput"),
    "CLOSE": ("closeEvent", "EventActionInput"),
    "EVALUATE": ("evaluateEvent", "EvaluateEventInput"),
}

EVENT = """query($id: Int!) { event(id: $id) {
  id status version closedAt
  timeline(first: 50) { edges { node { action actorRole actorName note } } }
  whistles(first: 10) { edges { node { department streetCode respondedAt speedScore handlingScore } } }
} }"""


def document(action: str) -> str:
    name, input_type = MUTATIONS[action]
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {RESULT} }}"


async def send(caller: GraphClient, action: str, **input: Any) -> dict[str, Any]:
    """The whole response body of one workflow mutation."""
    return await caller.query(document(action), {"input": input})


async def act(caller: GraphClient, action: str, **input: Any) -> dict[str, Any]:
    """The result of a workflow mutation that must succeed."""
    body = await send(caller, action, **input)
    assert "errors" not in body, body["errors"]
    name = MUTATIONS[action][0]
    result: dict[str, Any] = body["data"][name]
    return result


def report_input(grid_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "gridCode": grid_code,
        "categoryCode": "0101",
        "title": "占道经营",
        "description": "小区门口有流动摊贩占道经营，影响通行。",
        **extra,
    }


def error_code(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code
