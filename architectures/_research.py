"""The single research loop several built-ins share, node for node as kimi-researcher runs
it: a design that wraps it (an ensemble, a debate, a verifier loop) differs from the single
agent only by what it adds, and one copy of it pairs draw for draw with the single agent."""

from harness.spec import ContextPolicy, NodeSpec, ParamSpec


def research_node(role: str = "agent", description: str = "") -> NodeSpec:
    return NodeSpec(
        name="research",
        kind="agent",
        description=description or "search, open, reason and answer in one loop",
        role=role,
        max_steps="${max_steps}",
        context=ContextPolicy(
            policy="summarise", threshold_tokens="${context_threshold}", keep_last=4
        ),
    )


RESEARCH_PARAMS = {
    "max_steps": ParamSpec(default=30, description="step budget of each agent loop"),
    "context_threshold": ParamSpec(
        default=12_000, description="context tokens past which old tool output is summarised"
    ),
}
