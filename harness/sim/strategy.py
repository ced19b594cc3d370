"""Where a trained policy decides: the strategy decisions of a simulated agent.

Why a separate module: a simulated model's *skill* (is a move carried out right?) is the
base model's competence; its *strategy* (keep exploring after a dead end, read one more
source before answering, stop early) is what end-to-end RL is credited with changing.
Each strategy decision is a Bernoulli choice whose probability a `StrategyPolicy`
(harness/training/policy.py) may shift, from the features the agent can see
(`harness.sim.moves.features`) and never from the hidden solution.

Without a policy (every preset today) nothing here computes features or draws anything
new: `own` returns the profile's probability unchanged, and the new decisions are off.
With a policy the draw is the same site's draw (`harness.sim.streams`), so an untrained
policy (offsets 0) takes exactly the decisions the preset takes.

Decisions, and the move each one chooses:
- `persist`: at a dead end, re-plan (REPLAN) rather than give up (GIVE_UP); its base is the
  profile's `persistence`, and a brief's hint or "follow the plan" still bends it *after*
  the policy (compliance stays the model's parameter, so a prohibition cannot be learnt
  around);
- `stop`: with facts still missing, give up now (GIVE_UP) instead of another search/open;
  off (never) without a trained policy;
- `corroborate`: with every asked fact seemingly known, read one more unread result
  (CORROBORATE) before answering; off without a trained policy. Whether the extra read is
  the useful page is a skill roll;
- `summarise`: with facts still missing, call the `compact_context` tool (SUMMARISE) so the
  loop has the model's own notes replace its old tool outputs. Taken only where the loop
  offers that tool (a node whose context policy is `auto`); off without a trained policy,
  so an untrained `auto` node never compacts (it behaves as `keep`, its context window
  still overflowing as before). How good the notes are stays the model's
  `summary_fidelity`. Appended last, so the parameters of the first three keep their
  places and policy files written before it load with it off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from harness.sim.moves import Features, features

if TYPE_CHECKING:
    from harness.sim.turn import Turn

DECISIONS: tuple[str, ...] = ("persist", "stop", "corroborate", "summarise")
"""The strategy decisions a policy can make, in the order of its parameters."""


class StrategyPolicy(Protocol):
    """What the simulation needs of a policy (harness.training.policy.Policy)."""

    def active(self, decision: str) -> bool:
        """Is this decision on (for new moves) or shifted (for decisions with a base)?"""
        ...

    def vector(self, seen: Features) -> tuple[float, ...]:
        """The scaled feature vector of what the agent has seen."""
        ...

    def prob(
        self, decision: str, base: float | None, phi: tuple[float, ...]
    ) -> tuple[float, float]:
        """The probability of taking the decision and its derivative by the logit."""
        ...


@dataclass
class DecisionLog:
    """What a trainer needs of an episode, per trained model: every policy decision taken
    (its place, index, d log-prob / d logit, and features) and the format events."""

    records: list[tuple[str, int, int, float, tuple[float, ...]]] = field(default_factory=list)
    forced: int = 0
    """Requests at the loop's last step (the iteration limit forced an answer)."""

    def add(self, t: Turn, decision: str, coeff: float, phi: tuple[float, ...]) -> None:
        key = t.request.draws
        where = f"{key.branch}" if key is not None else ""
        step = key.step if key is not None else 0
        self.records.append((where, step, DECISIONS.index(decision), coeff, phi))


def _phi(t: Turn) -> tuple[float, ...]:
    assert t.policy is not None
    if t.phi is None:
        t.phi = t.policy.vector(features(t.request, t.reading))
    return t.phi


def own(t: Turn, decision: str, base: float) -> tuple[float, float]:
    """The probability of a decision that has a base in the profile, as the policy shifts
    it, and dp/dlogit (0 without a policy: nothing to learn)."""
    if t.policy is None or not t.policy.active(decision):
        return base, 0.0
    return t.policy.prob(decision, base, _phi(t))


def chance(t: Turn, decision: str, p: float, dp: float, site: str, *about: object) -> bool:
    """Take the decision on `site`'s draw with probability `p`; log its score-function
    coefficient d log pi(choice) / d logit when a trainer listens."""
    taken = t.draws.u(site, *about) < p
    if t.log is not None and dp != 0.0 and t.policy is not None:
        coeff = dp / p if taken else -dp / (1.0 - p)
        t.log.add(t, decision, coeff, _phi(t))
    return taken


def new_move(t: Turn, decision: str, site: str, *about: object) -> bool:
    """A decision that only a policy makes (off without one, and no draw is made)."""
    if t.policy is None or not t.policy.active(decision):
        return False
    p, dp = t.policy.prob(decision, None, _phi(t))
    return chance(t, decision, p, dp, site, *about)


def note_forced(t: Turn) -> None:
    if t.log is not None:
        t.log.forced += 1
