"""Independent: N agents answer the whole question in parallel; a majority vote decides.

Kim et al. 2025 ("Towards a Science of Scaling Agent Systems") call this the "independent"
class: no communication between agents, only the vote at the end. It is the plainest
test of "more agents" without coordination: each copy is the single agent, so one copy is
kimi-researcher, and any gain comes from the vote alone.
"""

from architectures._research import RESEARCH_PARAMS, research_node
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="independent",
    description="N single agents answer in parallel, no communication; majority vote.",
    claim="Kim et al. 2025 'independent' multi-agent class: parallel agents, no "
    "communication, aggregation only at the end (errors are not corrected, only outvoted).",
    roles={"agent": "mock/kimi-researcher"},
    entry="agents",
    nodes=[
        NodeSpec(
            name="agents",
            kind="fan_out",
            description="N copies of the agent on the whole question",
            target="research",
            copies="${n_agents}",
        ),
        research_node(),
        NodeSpec(
            name="vote",
            kind="aggregate",
            description="majority over the answers",
            strategy="vote",
        ),
    ],
    edges=[EdgeSpec(source="agents", target="vote"), EdgeSpec(source="vote", target="end")],
    params={
        "n_agents": ParamSpec(default=3, description="agents answering in parallel"),
        **RESEARCH_PARAMS,
    },
)
