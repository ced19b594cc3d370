"""Usage that adds up, prices that turn it into dollars, and per-episode limits.

`cost_usd` is None when a price is unknown: an unknown cost stays unknown through every
sum, so a report can never show a real model's spend as $0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from harness.bounds import check_budget
from harness.errors import BudgetExhausted


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million tokens."""

    input: float
    cached_input: float
    output: float

    def cost(self, input_tokens: int, cached_tokens: int, output_tokens: int) -> float:
        fresh = input_tokens - cached_tokens
        return (
            fresh * self.input + cached_tokens * self.cached_input + output_tokens * self.output
        ) / 1_000_000


@dataclass(frozen=True, slots=True)
class Usage:
    requests: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0  # included in output_tokens
    cost_usd: float | None = 0.0

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else self.cost_usd + other.cost_usd
        )
        return Usage(
            requests=self.requests + other.requests,
            tool_calls=self.tool_calls + other.tool_calls,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cost_usd=cost,
        )

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class UsageLimits:
    """Per-episode caps; hitting one ends the episode as `budget_exhausted`. A cap that
    is NaN, infinite or negative is refused (`ConfigError`): NaN compares false with
    everything, so it would be no cap at all while the run says it had one."""

    max_steps: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            check_budget(f.name, getattr(self, f.name))

    def check_before_request(self, used: Usage) -> None:
        if self.max_steps is not None and used.requests >= self.max_steps:
            raise BudgetExhausted(f"step budget of {self.max_steps} model calls reached")
        self.check_after_request(used)

    def check_after_request(self, used: Usage) -> None:
        if self.max_tokens is not None and used.total_tokens >= self.max_tokens:
            raise BudgetExhausted(f"token budget of {self.max_tokens} reached")
        if (
            self.max_cost_usd is not None
            and used.cost_usd is not None
            and used.cost_usd >= self.max_cost_usd
        ):
            raise BudgetExhausted(f"cost budget of ${self.max_cost_usd} reached")
