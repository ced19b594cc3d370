"""Routers: which edge the walk takes next.

A router either follows an old-style `rule` (model, any_failed) or the `when:` conditions
on its edges, checked in the order written; the `choice` edges together are one call to
the router's own model. A spent visit budget takes the `default` edge. A `rejected` edge
carries the verifier's critique to the node it leads to.
"""

from __future__ import annotations

from harness import prompts
from harness.agent_loop import node_call
from harness.episode_state import EpisodeState
from harness.messages import Message
from harness.spec import NodeSpec
from harness.step_edit import with_tools
from harness.tools import choice_tool
from harness.trace import ToolRecord

NOT_FOUND = "No relevant information"
"""How a worker's report says it found nothing (the report prompt asks for it)."""


def any_failed(state: EpisodeState) -> bool:
    return any(NOT_FOUND in r.text or not r.citations for r in state.round_reports)


async def route(state: EpisodeState, node: NodeSpec, clock: float) -> tuple[float, str]:
    """The label of the edge to take, and the clock after deciding."""
    edges = state.arch.routes(node.name)
    labels = [lb for _, lb, _ in edges]
    default = node.default or labels[-1]
    budget = node.max_visits if isinstance(node.max_visits, int) else None
    if budget is not None and state.visits[node.name] > budget:
        return clock, default
    if node.rule == "any_failed":
        return clock, "replan" if any_failed(state) and "replan" in labels else default
    if node.rule == "model":
        return await _choose(state, node, labels, default, clock)
    choices = [lb for _, lb, w in edges if w == "choice"]
    for target, label, when in edges:
        if when == "choice":
            return await _choose(state, node, choices, default, clock)
        if _holds(state, node, when, budget):
            if when == "rejected" and state.verdict is not None:
                state.critiques[target] = state.verdict
            return clock, label
    return clock, default


def _holds(state: EpisodeState, node: NodeSpec, when: str | None, budget: int | None) -> bool:
    verdict = state.verdict
    if when == "accepted":
        return verdict is not None and verdict.accepted
    if when == "rejected":
        return verdict is not None and not verdict.accepted
    if when == "any_failed":
        return any_failed(state)
    if when == "none_failed":
        return bool(state.round_reports) and not any_failed(state)
    if when == "budget_left":
        return budget is None or state.visits[node.name] < budget
    return when == "otherwise"


async def _choose(
    state: EpisodeState, node: NodeSpec, labels: list[str], default: str, clock: float
) -> tuple[float, str]:
    """The router's model chooses among labels (one tool per label)."""
    assert node.role is not None
    tools = tuple(choice_tool(lb, f"choose '{lb}'") for lb in labels)
    messages = (Message("system", prompts.ROUTER), Message("user", state.handoff()))
    reply, step = await node_call(
        state, node, "route", messages, clock, tools=tools, tool_choice="required"
    )
    choice = reply.tool_calls[0].name if reply.tool_calls else default
    label = choice if choice in labels else default
    state.record(with_tools(step, (ToolRecord(label, {}, "routed", label != choice, 0.0),), 0.0))
    return clock + step.latency_s, label
