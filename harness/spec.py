"""An architecture as data: roles, nodes, edges and tunable parameters.

The same `ArchitectureSpec` comes from a built-in module, a user's YAML/TOML file or a
plug-in's entry point; `harness.graph.compile_architecture` validates it and resolves its
`${param}` references before anything runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NodeKind = Literal["agent", "planner", "fan_out", "aggregate", "router"]
END = "end"

ParamValue = int | float | str | bool
Ref = int | str  # an int, or "${param}"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContextPolicy(_Spec):
    """What an agent loop does when its context passes `threshold_tokens`: keep everything,
    drop old tool outputs, or have its model summarise them (coordination tokens). Under
    `auto` no threshold applies: the agent is offered a `compact_context` tool and decides
    itself when to have its old tool outputs summarised (keep_last kept)."""

    policy: Literal["keep", "drop", "summarise", "auto"] = "keep"
    threshold_tokens: Ref = 16_000
    keep_last: int = Field(default=4, ge=0)


class NodeSpec(_Spec):
    name: str
    kind: NodeKind
    description: str = ""
    role: str | None = None
    """agent/planner: the role whose model runs it; router with rule "model": who decides."""
    tools: list[str] = ["search", "open", "answer"]
    max_steps: Ref | None = None
    """agent: the step budget of its loop (the parameter users sweep)."""
    context: ContextPolicy = ContextPolicy()
    input: Literal["question", "subtask", "handoff"] = "question"
    """agent: what its first user message holds (the question, a sub-question from a
    planner, or the question plus the reports handed off so far)."""
    prompt: Literal["researcher", "worker", "writer", "verify"] | None = None
    """agent: its instructions; by default from `input` (question -> researcher, subtask ->
    worker, handoff -> writer). A worker's answer is a report handed on, not the answer;
    a `verify` agent checks the current answer's citations and returns a verdict (accept,
    or reject with a critique) that routers read with `when: accepted / rejected`."""
    category: Literal["research", "coordination"] = "research"
    min_reads: Ref | None = None
    """agent run by a fan-out: the effort its brief asks for ("read at least N documents
    before you report"); sub-agents are briefed to be thorough, a single agent is not."""
    replan: bool | str = True
    """agent: may it change its plan when a search fails? A fixed workflow's workers are
    told to execute their sub-question as given and report failure instead."""
    brief_strength: float | str = 1.0
    """agent/planner: how strongly the design insists on what its brief asks (follow the
    plan, read N documents, a lead's hint), from 0 to 1. A simulated model complies with
    probability `brief_strength x compliance` (its own parameter)."""
    step_router: str | None = None
    """agent: a router node that picks the role for each step (hybrid designs)."""
    mode: Literal["template", "dynamic"] = "template"
    """planner: split by a fixed template, or size and re-plan sub-tasks at run time."""
    target: str | None = None
    """fan_out: the agent node run once per sub-task, in parallel."""
    width: Ref | None = None
    """fan_out: at most this many sub-agents (extra sub-tasks are dropped)."""
    copies: Ref | None = None
    """fan_out: run the target this many times on the whole question (an ensemble), instead
    of once per sub-task of a planner; the target then takes input 'question'."""
    strategy: Literal["concat", "vote", "judge", "merge"] = "concat"
    """aggregate: how parallel results become one: concat hands every report on (to a
    writer or lead); vote takes the majority answer (ties: the earliest branch); judge has
    `role`'s model pick the best-supported answer; merge has it write one answer from all."""
    rounds: Ref = 0
    """aggregate: rounds of debate before the strategy applies: each branch's own model
    sees the other branches' answers and may revise its own (by its `conformity`)."""
    rule: Literal["model", "any_failed", "escalate_when_stuck"] | None = None
    """router: decide by asking `role`'s model, or by a fixed rule."""
    roles: list[str] = []
    """router with rule escalate_when_stuck: [routine role, escalation role]."""
    default: str | None = None
    """router: the edge label taken when the router's visit budget is spent."""
    max_visits: Ref | None = None


RouteCondition = Literal[
    "accepted", "rejected", "any_failed", "none_failed", "budget_left", "choice", "otherwise"
]
"""When a router takes an edge (`EdgeSpec.when`), checked in the order the edges are
written, the first that holds wins: the last verifier's verdict (accepted, rejected), the
last round's reports (any_failed: a report found nothing or cites nothing; none_failed),
the router's visit budget (budget_left), the router model's own choice among the `choice`
edges' labels, or otherwise (always)."""


class EdgeSpec(_Spec):
    source: str
    target: str
    label: str | None = None
    """Routers choose among their outgoing edges by label."""
    when: RouteCondition | None = None
    """Router edges: the condition under which the router takes this edge (see
    `RouteCondition`). A `rejected` edge carries the verifier's critique to its target."""


class ParamSpec(_Spec):
    default: ParamValue
    description: str = ""


class ArchitectureSpec(_Spec):
    name: str
    description: str = ""
    claim: str = ""
    """Which claim of the article the design encodes (shown by `archbench list`)."""
    roles: dict[str, str]
    """Role name -> default model id; users rebind with `--model ROLE=ID`."""
    entry: str
    nodes: list[NodeSpec]
    edges: list[EdgeSpec]
    params: dict[str, ParamSpec] = {}
