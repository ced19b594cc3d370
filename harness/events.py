"""Trace events: what a design did to the work that no model call shows.

Why: a planner that proposes more sub-questions than a fan-out may run, a budget clipped to
a node's limit, a report nobody reads — each changes an outcome silently unless it is
recorded. An `Event` is recorded where it happens and travels with the episode's trace,
result and report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal[
    "subtask_dropped",  # a planner's sub-question that the fan-out's width left out
    "budget_clipped",  # a step budget asked for beyond what the node allows
    "report_ignored",  # a report that did not reach the hand-off (e.g. an empty one)
    "plan_unreadable",  # a planner's reply that could not be read as a plan
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "subtask_dropped",
    "budget_clipped",
    "report_ignored",
    "plan_unreadable",
)


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    node: str
    branch: str
    clock_s: float  # simulated clock when it happened
    detail: str  # one line for a person: what was dropped, clipped or ignored
