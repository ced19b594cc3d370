"""Decentralized: peer agents answer, then debate for R rounds, then vote.

Kim et al. 2025's "decentralized" class (peer-to-peer, no lead), in the form of Du et al.
2023's multi-agent debate: every agent sees the others' answers each round and may revise.
The debate can correct an agent (it sees a better-supported answer) or carry an error to
the majority (it conforms): which one wins is decided by each model's skill and its
`conformity`, not by the design.
"""

from architectures._research import RESEARCH_PARAMS, research_node
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="decentralized",
    description="N peer agents answer, debate for R rounds, then vote.",
    claim="Kim et al. 2025 'decentralized' class / Du et al. 2023 multi-agent debate: peers "
    "exchange answers and revise; no lead.",
    roles={"agent": "mock/kimi-researcher"},
    entry="agents",
    nodes=[
        NodeSpec(
            name="agents",
            kind="fan_out",
            description="N peer agents on the whole question",
            target="research",
            copies="${n_agents}",
        ),
        research_node(),
        NodeSpec(
            name="debate",
            kind="aggregate",
            description="R rounds of peer revision, then a majority vote",
            strategy="vote",
            rounds="${rounds}",
        ),
    ],
    edges=[EdgeSpec(source="agents", target="debate"), EdgeSpec(source="debate", target="end")],
    params={
        "n_agents": ParamSpec(default=3, description="peer agents"),
        "rounds": ParamSpec(default=2, description="debate rounds before the vote"),
        **RESEARCH_PARAMS,
    },
)
