"""The one request/response shape every model speaks, simulated or real.

Frozen dataclasses rather than pydantic models: they are created on the hot path of every
step, and the runtime's per-step overhead is benchmarked against other frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from harness.tokens import count_tokens

if TYPE_CHECKING:
    from harness.brief import Brief
    from harness.task import Solution
    from harness.usage import Usage

Role = Literal["system", "user", "assistant", "tool"]

Purpose = Literal[
    "act", "plan", "route", "summarise", "write", "verify", "judge", "merge", "revise"
]
"""Why the runtime calls a model; coordination purposes are counted apart from research."""

COORDINATION_PURPOSES: frozenset[str] = frozenset(
    {"plan", "route", "summarise", "write", "verify", "judge", "merge", "revise"}
)


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None  # tool name on tool messages; the sender on hand-offs
    tokens: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            extra = sum(4 + count_tokens(str(c.arguments)) for c in self.tool_calls)
            object.__setattr__(self, "tokens", 4 + count_tokens(self.content) + extra)


@dataclass(frozen=True, slots=True)
class ToolSchema:
    name: str
    description: str
    parameters: dict[str, Any]

    @property
    def tokens(self) -> int:
        return 10 + count_tokens(self.description) + 8 * len(self.parameters.get("properties", {}))


@dataclass(frozen=True, slots=True)
class GenerateConfig:
    temperature: float = 0.0
    max_output_tokens: int | None = None
    tool_choice: Literal["auto", "required", "none"] | str = "auto"  # or a tool name


@dataclass(frozen=True, slots=True)
class DrawKey:
    """Where a call sits in an episode, set by the runtime on every model call: what a
    simulated model's random draws are keyed by (`harness.sim.streams`), so that they do
    not depend on model ids, prices, latencies, labels or task-id spellings."""

    episode: str
    """The seed and a digest of the task's content."""
    branch: str
    """The node and what its branch works on, e.g. "research|main" or "worker|r1|Acme"."""
    step: int
    """The step within the branch's loop (or the visit, for a planner or router)."""


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """What the runtime sends. `oracle` is the task's hidden solution: only simulated
    models read it, it is never serialised, sent, cached or recorded. `brief` is the
    design's policy for this call as data (real models get it as prompt text); `draws` is
    the call's position in the episode, which keys a simulated model's random draws.
    Neither is sent, cached or recorded."""

    messages: tuple[Message, ...]
    tools: tuple[ToolSchema, ...] = ()
    purpose: Purpose = "act"
    config: GenerateConfig = GenerateConfig()
    seed: int = 0
    oracle: Solution | None = field(default=None, repr=False, compare=False)
    brief: Brief | None = field(default=None, repr=False, compare=False)
    draws: DrawKey | None = field(default=None, repr=False, compare=False)

    @property
    def input_tokens(self) -> int:
        return sum(m.tokens for m in self.messages) + sum(t.tokens for t in self.tools)


@dataclass(frozen=True, slots=True)
class ModelResponse:
    message: Message
    usage: Usage
    latency_s: float  # simulated for simulated models, measured wall clock for real ones
    model: str
    # the tool choice sent when it is weaker than the design asked for (the server refused
    # the stronger one: see harness/backends/toolchoice.py); None: as asked
    weaker_tool_choice: str | None = None
