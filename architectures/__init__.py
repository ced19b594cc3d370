"""The built-in architectures: the article's three designs, plus the dynamic multi-agent
design Anthropic published, to contrast with the fixed workflow."""

from architectures.kimi_researcher import SPEC as KIMI_RESEARCHER
from architectures.manus_workflow import SPEC as MANUS_WORKFLOW
from architectures.minimax_hybrid import SPEC as MINIMAX_HYBRID
from architectures.orchestrator_workers import SPEC as ORCHESTRATOR_WORKERS
from harness.spec import ArchitectureSpec

BUILTINS: dict[str, ArchitectureSpec] = {
    s.name: s for s in (KIMI_RESEARCHER, MANUS_WORKFLOW, MINIMAX_HYBRID, ORCHESTRATOR_WORKERS)
}

__all__ = ["BUILTINS"]
