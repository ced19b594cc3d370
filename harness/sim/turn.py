"""One decision of a simulated model: what it knows, and the shape of what it does.

Every behaviour module (research, answering, coordination) is a set of plain functions of
a `Turn`; none of them holds state between calls, so a model's reply depends on its request
and its profile alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from harness.messages import ModelRequest
from harness.sim.profiles import ModelProfile
from harness.sim.reading import ChainState, Reading, chain_state, read_context, relevant_chains
from harness.task import Solution


@dataclass(frozen=True, slots=True)
class Action:
    """What the model does this turn: text, and at most one tool call."""

    text: str
    tool: str | None = None
    args: dict[str, object] | None = None


class Turn:
    """The context of one decision: the profile, the effective skill, the random stream,
    the request and what the model has read of it."""

    def __init__(
        self, profile: ModelProfile, skill: float, rng: random.Random, request: ModelRequest
    ) -> None:
        self.p = profile
        self.skill = skill
        self.rng = rng
        self.request = request
        self.solution: Solution | None = request.oracle
        self.reading: Reading = read_context(request.messages)
        self.tools = {t.name for t in request.tools}

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def states(self) -> list[ChainState]:
        assert self.solution is not None
        chains = relevant_chains(self.solution, self.reading.task_text)
        return [chain_state(c, self.reading.evidence) for c in chains]

    def solution_docs(self) -> set[str]:
        assert self.solution is not None
        docs = {h.doc_id for c in self.solution.chains for h in c.hops}
        return docs | {c.rename.doc_id for c in self.solution.chains if c.rename}


def answer_call(text: str, cites: tuple[str, ...] = ()) -> tuple[str, dict[str, object]]:
    return "answer", {"text": text, "citations": list(cites)}
