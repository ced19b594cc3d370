"""Orchestrator-workers: a lead decides at run time how many sub-agents to spawn.

Anthropic's published research system: the lead sizes the work (one sub-agent for a simple
question, several for a comparison), gives each a budget that fits its difficulty, reviews
the reports, and re-plans what is still unknown, passing on what was learned. The contrast
with the fixed workflow is the point: same parts, decided at run time.
"""

from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="orchestrator-workers",
    description="A lead spawns and re-plans sub-agents at run time, then writes the answer.",
    claim="Anthropic's multi-agent research system: Opus lead + Sonnet sub-agents, 3-5 in "
    "parallel, effort scaled to the query; ~15x the tokens of chat.",
    roles={"lead": "mock/claude-opus-4", "worker": "mock/claude-sonnet-4"},
    entry="lead_plan",
    nodes=[
        NodeSpec(
            name="lead_plan",
            kind="planner",
            description="size the work, spawn sub-agents with budgets; re-plan what failed",
            role="lead",
            mode="dynamic",
        ),
        NodeSpec(
            name="workers",
            kind="fan_out",
            description="sub-agents in parallel",
            target="worker",
            width="${max_workers}",
        ),
        NodeSpec(
            name="worker",
            kind="agent",
            description="research one sub-question with the budget the lead gave",
            role="worker",
            input="subtask",
            max_steps="${max_steps}",
            min_reads="${min_reads}",
        ),
        NodeSpec(name="merge", kind="aggregate", description="collect the reports"),
        NodeSpec(
            name="review",
            kind="router",
            description="the lead reads the reports: re-plan or finish",
            rule="model",
            role="lead",
            default="finish",
            max_visits="${max_rounds}",
        ),
        NodeSpec(
            name="write",
            kind="agent",
            description="the lead writes the answer",
            role="lead",
            input="handoff",
            tools=["answer"],
            max_steps=1,
            category="coordination",
        ),
    ],
    edges=[
        EdgeSpec(source="lead_plan", target="workers"),
        EdgeSpec(source="workers", target="merge"),
        EdgeSpec(source="merge", target="review"),
        EdgeSpec(source="review", target="lead_plan", label="replan"),
        EdgeSpec(source="review", target="write", label="finish"),
        EdgeSpec(source="write", target="end"),
    ],
    # min_reads, max_steps, max_workers calibrated to Anthropic's effort per query type
    # (harness/studies/calibration.py, EFFORT; docs/studies.md "Calibration"): lookups meet
    # theirs at these values, comparisons are out of reach of any grid point, so they stay.
    params={
        "min_reads": ParamSpec(
            default=3, description="documents each sub-agent is briefed to read before reporting"
        ),
        "max_steps": ParamSpec(
            default=10,
            description="most steps a sub-agent may be given (the lead's budgets are clipped)",
        ),
        "max_workers": ParamSpec(default=5, description="at most this many sub-agents per round"),
        "max_rounds": ParamSpec(default=2, description="review rounds before the lead must write"),
    },
)
