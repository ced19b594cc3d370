"""What an episode records: every model call with its tool calls, and the episode's totals.

Steps are frozen dataclasses (cheap on the hot path); the saved result is a pydantic model
with a format version so later versions of archbench can still read today's runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

RESULT_FORMAT_VERSION = 1

Outcome = Literal["answered", "no_answer", "budget_exhausted", "context_overflow", "error"]


@dataclass(frozen=True, slots=True)
class ToolRecord:
    name: str
    arguments: dict[str, Any]
    result: str  # truncated for the trace
    error: bool
    latency_s: float


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    branch: str  # "main", or "<fan-out node>#<round>/<i>" for a parallel sub-agent
    node: str
    role: str
    model: str
    purpose: str
    category: str  # research | coordination
    start_s: float  # simulated clock when the call started
    latency_s: float  # model latency plus its tool calls
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    content: str
    tools: tuple[ToolRecord, ...]
    # the tool choice the server was sent when weaker than the design's (it refused the
    # stronger one); None, and absent from the trace line, when as asked
    weaker_tool_choice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["weaker_tool_choice"] is None:
            del d["weaker_tool_choice"]
        return d


class UsageTotals(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None = 0.0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class EpisodeResult(BaseModel):
    """One architecture on one task with one seed: the row of `results.jsonl`."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = RESULT_FORMAT_VERSION
    architecture: str
    task_id: str
    family: str
    seed: int
    world: int = 0
    """The task world the task comes from (`harness.worlds`): 0 unless a run generated
    several worlds of one suite recipe (`--worlds N`); the bootstrap clusters by it."""
    outcome: Outcome
    error: str | None = None
    answer: str | None = None
    citations: list[str] = []
    correct: bool = False
    supported: bool = False
    latency_s: float = 0.0
    tool_errors: int = 0
    totals: UsageTotals = UsageTotals()
    research: UsageTotals = UsageTotals()
    coordination: UsageTotals = UsageTotals()
    by_node: dict[str, UsageTotals] = {}
    by_role: dict[str, UsageTotals] = {}
    by_model: dict[str, UsageTotals] = {}
    events: dict[str, int] = {}  # trace events per kind (harness.events)

    @model_serializer(mode="wrap")
    def _without_empty_additions(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields added since format 1 are left out at their empty value, `events` when
        empty and `world` when 0: results of episodes without events in a one-world run
        serialise as they did before the fields existed (and a line without them reads as
        {} and 0), so older runs still resume, replay and match byte for byte."""
        data: dict[str, Any] = handler(self)
        if not self.events:
            data.pop("events", None)
        if self.world == 0:
            data.pop("world", None)
        return data


def summarise_steps(steps: list[Step]) -> dict[str, Any]:
    """Totals of a trace, overall and per category, node, role and model.

    Sums are kept in plain lists and turned into `UsageTotals` once: adding to a pydantic
    model field by field costs more than the rest of a simulated step."""
    totals, research, coordination = _acc(), _acc(), _acc()
    by_node: dict[str, list[Any]] = {}
    by_role: dict[str, list[Any]] = {}
    by_model: dict[str, list[Any]] = {}
    tool_errors = 0
    for s in steps:
        n_tools = len(s.tools)
        for acc in (
            totals,
            coordination if s.category == "coordination" else research,
            by_node.get(s.node) or by_node.setdefault(s.node, _acc()),
            by_role.get(s.role) or by_role.setdefault(s.role, _acc()),
            by_model.get(s.model) or by_model.setdefault(s.model, _acc()),
        ):
            acc[0] += 1
            acc[1] += n_tools
            acc[2] += s.input_tokens
            acc[3] += s.cached_input_tokens
            acc[4] += s.output_tokens
            acc[5] += s.reasoning_tokens
            if acc[6] is not None:
                acc[6] = None if s.cost_usd is None else acc[6] + s.cost_usd
        if n_tools:
            tool_errors += sum(1 for t in s.tools if t.error)
    return {
        "totals": _totals(totals),
        "research": _totals(research),
        "coordination": _totals(coordination),
        "by_node": {k: _totals(v) for k, v in sorted(by_node.items())},
        "by_role": {k: _totals(v) for k, v in sorted(by_role.items())},
        "by_model": {k: _totals(v) for k, v in sorted(by_model.items())},
        "tool_errors": tool_errors,
    }


def _acc() -> list[Any]:
    return [0, 0, 0, 0, 0, 0, 0.0]


def _totals(acc: list[Any]) -> UsageTotals:
    steps, tools, inp, cached, out, reasoning, cost = acc
    return UsageTotals(
        steps=steps,
        tool_calls=tools,
        input_tokens=inp,
        cached_input_tokens=cached,
        output_tokens=out,
        reasoning_tokens=reasoning,
        cost_usd=cost,
    )
