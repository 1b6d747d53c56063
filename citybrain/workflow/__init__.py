"""The grid-event workflow (处置流程): rules as data, transitions, live updates.

:mod:`~citybrain.workflow.machine` holds the rules (which role may take which step from
which state, within which jurisdiction); :func:`perform` carries out one request;
:mod:`~citybrain.workflow.updates` fans transitions out to subscribers.
"""

from __future__ import annotations

from citybrain.workflow.errors import CONFLICT, INVALID_TRANSITION, WorkflowRefusal
from citybrain.workflow.machine import RULES, Action, Reach, Rule, choose_rule
from citybrain.workflow.service import (
    Request,
    check_may_report,
    invalidate_after_write,
    perform,
    writer_of,
)
from citybrain.workflow.updates import (
    CHANNEL,
    EventUpdate,
    LocalUpdates,
    RedisUpdates,
    SlowSubscriber,
    updates_from_settings,
)

__all__ = [
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
