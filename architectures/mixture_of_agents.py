"""Mixture of agents: different models research the question in parallel; a strong
aggregator writes one answer from their reports.

Wang et al. 2024 ("Mixture-of-Agents Enhances Large Language Model Capabilities"):
proposers from different model families, one aggregator. Diversity helps when the
proposers fail on different questions; the aggregator's own skill decides how much of it
survives the merge.
"""

from harness.spec import ArchitectureSpec, ContextPolicy, EdgeSpec, NodeSpec, ParamSpec


def _proposer(name: str, role: str) -> NodeSpec:
    return NodeSpec(
        name=name,
        kind="agent",
        description=f"research the whole question and report the facts ({role})",
        role=role,
        prompt="worker",
        max_steps="${max_steps}",
        context=ContextPolicy(policy="summarise", threshold_tokens=12_000, keep_last=4),
    )


SPEC = ArchitectureSpec(
    name="mixture-of-agents",
    description="Three models research in parallel; a strong aggregator merges their reports.",
    claim="Wang et al. 2024 Mixture-of-Agents: proposers from different model families, "
    "one aggregator that synthesises their responses.",
    roles={
        "proposer_a": "mock/qwen-plus",
        "proposer_b": "mock/kimi-k2",
        "proposer_c": "mock/deepseek-r1",
        "aggregator": "mock/claude-opus-4",
    },
    entry="dispatch",
    nodes=[
        NodeSpec(name="dispatch", kind="aggregate", description="give every proposer the question"),
        _proposer("propose_a", "proposer_a"),
        _proposer("propose_b", "proposer_b"),
        _proposer("propose_c", "proposer_c"),
        NodeSpec(
            name="aggregate",
            kind="aggregate",
            description="the aggregator writes one answer from the reports",
            strategy="merge",
            role="aggregator",
        ),
    ],
    edges=[
        EdgeSpec(source="dispatch", target="propose_a"),
        EdgeSpec(source="dispatch", target="propose_b"),
        EdgeSpec(source="dispatch", target="propose_c"),
        EdgeSpec(source="propose_a", target="aggregate"),
        EdgeSpec(source="propose_b", target="aggregate"),
        EdgeSpec(source="propose_c", target="aggregate"),
        EdgeSpec(source="aggregate", target="end"),
    ],
    params={"max_steps": ParamSpec(default=20, description="step budget of each proposer")},
)
