"""Trace events: what a design did to the work that no model call shows.

Why: a planner that proposes more sub-questions than a fan-out may run, a budget clipped to
a node's limit, a report nobody reads — each changes an outcome silently unless it is
recorded. An `Event` is recorded where it happens and travels with the episode's trace,
result and report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
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


def in_order(events: Iterable[Event]) -> tuple[Event, ...]:
    """Events by simulated clock, then branch (ties keep their recorded order): parallel
    branches record in whatever order asyncio ran them (with real models, the network's),
    and a trace must not depend on it; steps are ordered the same way."""
    return tuple(sorted(events, key=lambda e: (e.clock_s, e.branch)))


def count_events(events: Iterable[Event]) -> dict[str, int]:
    """Events per kind, in `EVENT_KINDS` order (kinds it does not list after, by name): the
    compact record a result keeps, the same whatever order the events came in."""
    counts: Counter[str] = Counter(e.kind for e in events)
    return {k: counts[k] for k in kinds_in_order(counts)}


def event_dict(e: Event) -> dict[str, object]:
    """An event as a trace line holds it."""
    return {
        "kind": e.kind,
        "node": e.node,
        "branch": e.branch,
        "clock_s": e.clock_s,
        "detail": e.detail,
    }


MEANING: dict[str, str] = {
    "subtask_dropped": "a planner's sub-question that the fan-out's width left out",
    "budget_clipped": "a step budget asked for beyond what the node allows",
    "report_ignored": "a report that did not reach the hand-off (e.g. an empty one)",
    "plan_unreadable": "a planner's reply that could not be read as a plan",
}
"""What each kind means, for the report (the comments on `EventKind`, as data)."""


def kinds_in_order(kinds: Iterable[str]) -> list[str]:
    """`kinds` in `EVENT_KINDS` order, kinds it does not list after them by name."""
    order: dict[str, int] = {k: i for i, k in enumerate(EVENT_KINDS)}
    return sorted(set(kinds), key=lambda k: (order.get(k, len(order)), k))
