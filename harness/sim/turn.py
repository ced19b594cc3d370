"""One decision of a simulated model: what it knows, and the shape of what it does.

Every behaviour module (research, answering, coordination) is a set of plain functions of
a `Turn`; none of them holds state between calls, so a model's reply depends on its
request and its profile alone. Every random decision goes through `Turn.chance` or
`Turn.draws` with the name of its decision site (`harness.sim.streams`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.brief import PLAIN, Brief
from harness.messages import ModelRequest
from harness.sim.moves import MoveKind
from harness.sim.profiles import ModelProfile
from harness.sim.reading import ChainState, Reading, chain_state, read_context, relevant_chains
from harness.sim.streams import Streams
from harness.task import Solution

if TYPE_CHECKING:
    from harness.sim.strategy import DecisionLog, StrategyPolicy


@dataclass(frozen=True, slots=True)
class Action:
    """What the model does this turn: text, and at most one tool call."""

    text: str
    tool: str | None = None
    args: dict[str, object] | None = None
    move: MoveKind = MoveKind.ANSWER


class Turn:
    """The context of one decision: the profile, the effective skill, the draws, the
    request, its brief and what the model has read of it."""

    def __init__(
        self,
        profile: ModelProfile,
        skill: float,
        request: ModelRequest,
        policy: StrategyPolicy | None = None,
        log: DecisionLog | None = None,
    ) -> None:
        self.p = profile
        self.skill = skill
        self.draws = Streams(request.draws)
        self.request = request
        self.brief: Brief = request.brief or PLAIN
        self.solution: Solution | None = request.oracle
        self.reading: Reading = read_context(request.messages)
        self.tools = {t.name for t in request.tools}
        self.policy = policy  # strategy decisions (harness.sim.strategy); None: the preset's
        self.log = log  # a trainer's record of this model's decisions
        self.phi: tuple[float, ...] | None = None  # the policy's features, computed once

    def chance(self, probability: float, site: str, *about: object) -> bool:
        return self.draws.u(site, *about) < probability

    def right(self, site: str, *about: object) -> bool:
        """A skill decision: the right move on this site's draw. Coupled across skills:
        a higher skill is right on every draw a lower one is."""
        return self.draws.u(site, *about) < self.skill

    def complies(self, site: str) -> bool:
        """Does the model do what its brief asks here? Drawn once per branch."""
        p = self.p.compliance * self.brief.strength
        return self.draws.u(site, per_branch=True) < p

    def states(self) -> list[ChainState]:
        """The chains the model works on, judged from what it was asked: a sub-question
        asks for as many chained facts as its planner put in it (`Brief.depth`)."""
        assert self.solution is not None
        chains = relevant_chains(self.solution, self.brief.subquestion or self.reading.task_text)
        depth = self.brief.depth
        if depth is not None and len(chains) == 1 and depth < len(chains[0].hops):
            c = chains[0]
            chains = [c.model_copy(update={"hops": c.hops[:depth]})]
        return [chain_state(c, self.reading.evidence) for c in chains]

    def solution_docs(self) -> set[str]:
        assert self.solution is not None
        docs = {h.doc_id for c in self.solution.chains for h in c.hops}
        return docs | {c.rename.doc_id for c in self.solution.chains if c.rename}

    def corroborated(self, states: list[ChainState]) -> int:
        """Beliefs that a second, separate source in the context states too."""
        n = 0
        for s in states:
            first = s.chain.hops[0].subject
            for k, value in enumerate(s.values):
                subject = s.values[k - 1] if k else first
                if self.reading.agreeing(subject, value) >= 2:
                    n += 1
        return n


def answer_call(text: str, cites: tuple[str, ...] = ()) -> tuple[str, dict[str, object]]:
    return "answer", {"text": text, "citations": list(cites)}
