"""Hybrid (lead + talking workers): the orchestrator-workers design whose workers also see
each other's reports and may revise them before the lead reviews.

Kim et al. 2025's "hybrid" class: central planning plus peer communication. Unrelated to
`minimax-hybrid` (which mixes models within one loop). Everything but the exchange is
orchestrator-workers, so the pair isolates what peer communication adds and costs.
"""

from architectures.orchestrator_workers import SPEC as ORCHESTRATOR
from harness.spec import ArchitectureSpec, NodeSpec, ParamSpec


def _with_exchange(n: NodeSpec) -> NodeSpec:
    if n.name != "merge":
        return n
    return n.model_copy(
        update={
            "description": "workers read each other's reports and may revise, then hand on",
            "rounds": "${exchange_rounds}",
        }
    )


SPEC = ArchitectureSpec(
    name="hybrid-debate",
    description="A lead plans and reviews; its workers also exchange and revise reports.",
    claim="Kim et al. 2025 'hybrid' class: a central lead plus peer-to-peer exchange among "
    "its sub-agents (more messages; helps only when one worker's facts help another).",
    roles=dict(ORCHESTRATOR.roles),
    entry=ORCHESTRATOR.entry,
    nodes=[_with_exchange(n) for n in ORCHESTRATOR.nodes],
    edges=list(ORCHESTRATOR.edges),
    params={
        **ORCHESTRATOR.params,
        "exchange_rounds": ParamSpec(default=1, description="rounds of report exchange"),
    },
)
