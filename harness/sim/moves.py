"""The seam a trained policy plugs into: the kinds of move a simulated agent chooses among,
and the features it can see when it chooses.

Why here and now: a policy that learns *strategy* (how long to explore, when to re-plan,
verify or stop) must choose among moves using only what the agent has seen. `features`
is computed from the request's messages and brief alone, never from the hidden solution
(a test swaps the solution and checks that nothing changes); every `Action` a behaviour
returns names its `MoveKind`, so a trainer can score trajectories move by move. Skill stays the base
model's competence at carrying a move out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from harness.messages import ModelRequest
from harness.sim.reading import Reading, read_context

_TITLE = re.compile(r"\A\[([^\]]+)\] (.*?) \| ([^|\n]*)$", re.M)


class MoveKind(StrEnum):
    SEARCH = "search"  # a targeted search for the next fact
    OPEN = "open"  # open a search result
    REPLAN = "replan"  # search another name, back-track after a dead end
    CORROBORATE = "corroborate"  # read one more source when the facts seem known
    ANSWER = "answer"  # answer (or report) from what is known
    GIVE_UP = "give_up"  # answer that it could not confirm
    SUMMARISE = "summarise"  # compress the context (only under a context policy)
    PLAN = "plan"  # a planner's split (coordination)
    ROUTE = "route"  # a router's choice (coordination)
    VERIFY = "verify"  # a verifier's verdict on an answer (coordination)
    JUDGE = "judge"  # pick one of several candidate answers (coordination)
    REVISE = "revise"  # keep or change an answer after seeing peers' (coordination)


@dataclass(frozen=True, slots=True)
class Features:
    """What an agent can see when it chooses its next move."""

    steps_used: int
    last_step: bool  # the runtime forces an answer now
    context_tokens: int
    pages_read: int
    searches: int
    failed_searches: int  # searches that found nothing
    conflicting_pages: int  # pages read about one title whose dates disagree
    reports: int  # hand-offs from other agents in the context
    question_words: int
    follow_plan: bool
    min_reads: int
    hinted: bool


def features(request: ModelRequest, reading: Reading | None = None) -> Features:
    """`reading`: the request's `read_context`, when the caller has it already."""
    if reading is None:
        reading = read_context(request.messages)
    steps = sum(1 for m in request.messages if m.role == "assistant")
    failed = sum(
        1
        for m in request.messages
        if m.role == "tool" and m.name == "search" and m.content.startswith("No results")
    )
    dates: dict[str, set[str]] = {}
    for text in reading.sources:
        found = _TITLE.match(text)
        if found:
            stem = found.group(2).split(" (")[0].strip().lower()
            dates.setdefault(stem, set()).add(found.group(3).strip())
    brief = request.brief
    return Features(
        steps_used=steps,
        last_step=request.config.tool_choice == "answer",
        context_tokens=request.input_tokens,
        pages_read=len(reading.opened),
        searches=len(reading.searched),
        failed_searches=failed,
        conflicting_pages=sum(len(d) - 1 for d in dates.values() if len(d) > 1),
        reports=reading.task_text.count("\nReport ") + reading.task_text.startswith("Report "),
        question_words=len(reading.task_text.split()),
        follow_plan=bool(brief and brief.follow_plan),
        min_reads=brief.min_reads if brief else 0,
        hinted=bool(brief and brief.hint),
    )
