"""The built-in architectures: the article's three designs and Anthropic's dynamic
multi-agent design (`ARTICLE`, what `archbench compare` runs by default), plus the designs
the field compares them with (Kim et al. 2025's five classes, mixture of agents, a
verifier loop); `--arch all` runs every one."""

from architectures.decentralized import SPEC as DECENTRALIZED
from architectures.hybrid_debate import SPEC as HYBRID_DEBATE
from architectures.independent import SPEC as INDEPENDENT
from architectures.kimi_researcher import SPEC as KIMI_RESEARCHER
from architectures.manus_workflow import SPEC as MANUS_WORKFLOW
from architectures.minimax_hybrid import SPEC as MINIMAX_HYBRID
from architectures.mixture_of_agents import SPEC as MIXTURE_OF_AGENTS
from architectures.orchestrator_workers import SPEC as ORCHESTRATOR_WORKERS
from architectures.verifier_loop import SPEC as VERIFIER_LOOP
from harness.spec import ArchitectureSpec

ARTICLE: tuple[str, ...] = (
    KIMI_RESEARCHER.name,
    MANUS_WORKFLOW.name,
    MINIMAX_HYBRID.name,
    ORCHESTRATOR_WORKERS.name,
)
"""The article's designs (and Anthropic's): the default comparison."""

BUILTINS: dict[str, ArchitectureSpec] = {
    s.name: s
    for s in (
        KIMI_RESEARCHER,
        MANUS_WORKFLOW,
        MINIMAX_HYBRID,
        ORCHESTRATOR_WORKERS,
        INDEPENDENT,
        DECENTRALIZED,
        HYBRID_DEBATE,
        VERIFIER_LOOP,
        MIXTURE_OF_AGENTS,
    )
}

__all__ = ["ARTICLE", "BUILTINS"]
