"""Verifier loop: an agent answers, a verifier checks the sources, a reject sends the
critique back for another attempt.

The evaluator-optimizer pattern (Anthropic, "Building effective agents", 2024; Madaan et
al. 2023, Self-Refine): a second pass that reads the cited pages catches answers the
sources do not support. The verifier is a model like any other: it rejects right answers
and accepts wrong ones at its own error rate, so the loop helps only as far as the
verifier is better than chance and the retry is better than the first try.
"""

from architectures._research import RESEARCH_PARAMS, research_node
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="verifier-loop",
    description="A single agent answers; a verifier checks its sources; a reject sends it back.",
    claim="Evaluator-optimizer / Self-Refine: a verifier reads the cited pages and sends a "
    "critique back; more passes for fewer unsupported answers.",
    roles={"agent": "mock/kimi-researcher", "verifier": "mock/kimi-researcher"},
    entry="research",
    nodes=[
        research_node(),
        NodeSpec(
            name="attempts",
            kind="router",
            description="another attempt may follow: check this one; else it stands",
            max_visits="${max_attempts}",
            default="stands",
        ),
        NodeSpec(
            name="verify",
            kind="agent",
            description="open the cited pages; accept, or reject with a critique",
            role="verifier",
            prompt="verify",
            tools=["open", "answer"],
            max_steps=4,
            category="coordination",
        ),
        NodeSpec(
            name="check",
            kind="router",
            description="accepted: done; rejected: retry with the critique",
            default="accepted",
        ),
    ],
    edges=[
        EdgeSpec(source="research", target="attempts"),
        EdgeSpec(source="attempts", target="verify", label="check", when="budget_left"),
        EdgeSpec(source="attempts", target="end", label="stands", when="otherwise"),
        EdgeSpec(source="verify", target="check"),
        EdgeSpec(source="check", target="end", when="accepted"),
        EdgeSpec(source="check", target="research", when="rejected"),
    ],
    params={
        "max_attempts": ParamSpec(
            default=3,
            description="research attempts at most; each but the last is checked, and a "
            "reject sends its critique to the next",
        ),
        **RESEARCH_PARAMS,
    },
)
