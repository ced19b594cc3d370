"""What the report keeps of each episode: `Episode`, built from each result line as it is
read, instead of the `EpisodeResult` (a pydantic model of ~15 KB with its nested usage
dicts, ~1.5 GB at 100,000 episodes).

It holds exactly what the report reads of a result: the statistics (`summarise_architecture`
and the bootstrap of `harness.stats`), the failure tags (`harness.taxonomy.diagnose`), the
figures, the episode tables and the trace pages. The per-node usage the drawings need is
folded while the line is read (`harness.report.overlays`), so it is not kept. Names that
repeat from episode to episode (architecture, task, family, outcome, models, roles, cited
documents) are interned: each is stored once, whatever the number of episodes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from harness.trace import EpisodeResult, Outcome, UsageTotals

if TYPE_CHECKING:
    from harness.report.load import Key

_intern = sys.intern


@dataclass(frozen=True, slots=True)
class Usage:
    """The part of a `UsageTotals` the report shows (no reasoning tokens)."""

    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @classmethod
    def of(cls, u: UsageTotals) -> Usage:
        usage = cls(
            u.steps,
            u.tool_calls,
            u.input_tokens,
            u.cached_input_tokens,
            u.output_tokens,
            u.cost_usd,
        )
        if usage == _NONE and math.copysign(1.0, u.cost_usd or 0.0) > 0:
            return _NONE  # one object for every empty usage (not for a cost of -0.0)
        return usage


_NONE = Usage()
_NO_EVENTS: dict[str, int] = {}


@dataclass(frozen=True, slots=True)
class Cost:
    """One model's or role's cost in an episode: all `summarise_architecture` reads of the
    per-model and per-role usage (for the report's cost split)."""

    cost_usd: float | None


Names = tuple[tuple[str, ...], tuple[str, ...]]
"""The models billed and the roles played in an episode, in its order."""
_NAMES: dict[Names, Names] = {}
"""Every `Names` seen, so that the episodes with the same models and roles share one."""


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode as the report reads it: every field of `EpisodeResult` it uses, under
    the same names, so the statistics, the tags and the templates read either."""

    architecture: str
    task_id: str
    family: str
    seed: int
    world: int
    outcome: Outcome
    correct: bool
    supported: bool
    latency_s: float
    answer: str | None
    citations: tuple[str, ...]
    error: str | None
    totals: Usage
    coordination: Usage
    split: Names
    """Models and roles of `split_costs` (one object shared by like episodes)."""
    split_costs: tuple[float | None, ...]
    """Cost per model, then per role, in `split`'s order."""
    events: dict[str, int]
    """Trace events per kind (one shared empty dict for the many episodes with none)."""

    @classmethod
    def of(cls, r: EpisodeResult) -> Episode:
        return cls(
            architecture=_intern(r.architecture),
            task_id=_intern(r.task_id),
            family=_intern(r.family),
            seed=r.seed,
            world=r.world,
            outcome=cast(Outcome, _intern(r.outcome)),
            correct=r.correct,
            supported=r.supported,
            latency_s=r.latency_s,
            answer=r.answer,
            citations=tuple(_intern(c) for c in r.citations),
            error=r.error,
            totals=Usage.of(r.totals),
            coordination=Usage.of(r.coordination),
            split=_split(r),
            split_costs=tuple(u.cost_usd for u in (*r.by_model.values(), *r.by_role.values())),
            events={_intern(k): n for k, n in r.events.items()} if r.events else _NO_EVENTS,
        )

    @property
    def key(self) -> Key:
        return (self.architecture, self.task_id, self.seed)

    @property
    def by_model(self) -> dict[str, Cost]:
        """Cost per model billed (only the cost: what the report reads of `by_model`)."""
        models = self.split[0]
        return {k: Cost(c) for k, c in zip(models, self.split_costs, strict=False)}

    @property
    def by_role(self) -> dict[str, Cost]:
        """Cost per role (only the cost: what the report reads of `by_role`)."""
        models, roles = self.split
        costs = self.split_costs[len(models) :]
        return {k: Cost(c) for k, c in zip(roles, costs, strict=True)}


def _split(r: EpisodeResult) -> Names:
    names = (tuple(r.by_model), tuple(r.by_role))
    shared = _NAMES.get(names)
    if shared is None:
        shared = _NAMES[names] = (
            tuple(_intern(k) for k in names[0]),
            tuple(_intern(k) for k in names[1]),
        )
    return shared


Result = Episode | EpisodeResult
"""What the report's functions take: the records `load_run` keeps, or results a caller
passes in."""


def episode(r: Result) -> Episode:
    return r if isinstance(r, Episode) else Episode.of(r)


def as_results(results: Sequence[Result]) -> Sequence[EpisodeResult]:
    """`results` for `harness.metrics`, `harness.stats` and `harness.taxonomy`, which are
    typed for `EpisodeResult` but read only attributes an `Episode` has, under the same
    names and types (tests/test_report_records.py checks the report's numbers are the
    same from either)."""
    return cast("Sequence[EpisodeResult]", results)


def as_result(r: Result) -> EpisodeResult:
    """One `Result` for `harness.taxonomy.diagnose` (see `as_results`)."""
    return cast(EpisodeResult, r)
