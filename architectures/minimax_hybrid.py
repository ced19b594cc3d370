"""MiniMax Agent-style hybrid: an in-house model does the routine work, an external one
plans, unblocks and writes.

The in-house model (MiniMax-M1-like: cheap, 1M-token context, Lightning Attention) runs the
research loop and keeps its whole context; a router hands a step to the external model
(Claude-like: strong, expensive) when the loop is stuck; the external model also plans and
writes the answer. The cost split per model shows why MiniMax calls it costly and why it
is cheaper than putting every role on the external model.
"""

from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="minimax-hybrid",
    description="In-house model for routine search and reading, external model to plan, "
    "unblock and write.",
    claim="MiniMax Agent: in-house MiniMax-M1 plus external models; capable, but the external "
    "calls cost more to run.",
    roles={"in_house": "mock/minimax-m1", "external": "mock/claude-sonnet-4"},
    entry="plan",
    nodes=[
        NodeSpec(
            name="plan",
            kind="planner",
            description="the external model outlines the research",
            role="external",
            mode="template",
        ),
        NodeSpec(
            name="research",
            kind="agent",
            description="the in-house model searches and reads; long context, kept whole",
            role="in_house",
            prompt="worker",
            max_steps="${max_steps}",
            step_router="route",
        ),
        NodeSpec(
            name="route",
            kind="router",
            description="escalate a step to the external model when the loop is stuck",
            rule="escalate_when_stuck",
            roles=["in_house", "external"],
        ),
        NodeSpec(
            name="write",
            kind="agent",
            description="the external model writes the answer from the research notes",
            role="external",
            input="handoff",
            tools=["answer"],
            max_steps=1,
            category="coordination",
        ),
    ],
    edges=[
        EdgeSpec(source="plan", target="research"),
        EdgeSpec(source="research", target="write"),
        EdgeSpec(source="write", target="end"),
    ],
    params={"max_steps": ParamSpec(default=30, description="step budget of the research loop")},
)
