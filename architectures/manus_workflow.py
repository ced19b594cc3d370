"""Manus-style multi-agent workflow: planner -> parallel workers -> writer.

Encodes the hand-built workflow the article sets against Kimi: a planner splits the question
by a fixed template (one sub-question per entity), workers with their own contexts research
the parts in parallel with a fixed step budget each, and a writer composes the answer.
Roles default to external models (the article: Claude + Qwen).

Calibrated (scripts/calibrate_manus.py, targets committed before the run): the workers'
budget, reading brief and width, and the worker model's thinking mode, are set so that
the workflow's input:output token ratio on the deep suite is near the 100:1 Manus
published (Manus blog, "Context Engineering for AI Agents", 2025-07-18). Its other
published figure, ~50 tool calls per task, is out of reach of these parameters (at most
23.5 on the grid): workers stop once their sub-question is answered and its results are
read.
"""

from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec

SPEC = ArchitectureSpec(
    name="manus-workflow",
    description="Fixed multi-agent workflow on external models: planner, parallel workers, writer.",
    claim="Manus / Genspark / Skywork: a workflow stitched from external models (Claude + "
    "Qwen); parallel, but the structure is fixed in advance.",
    roles={
        "planner": "mock/claude-sonnet-4",
        # calibrated: qwen-plus in its non-thinking mode (Qwen3's enable_thinking=false)
        "worker": "mock/qwen-plus?reasoning_tokens=0",
        "writer": "mock/claude-sonnet-4",
    },
    entry="plan",
    nodes=[
        NodeSpec(
            name="plan",
            kind="planner",
            description="split the question by a fixed template",
            role="planner",
            mode="template",
        ),
        NodeSpec(
            name="workers",
            kind="fan_out",
            description="one worker per sub-question, in parallel",
            target="worker",
            width="${max_workers}",
        ),
        NodeSpec(
            name="worker",
            kind="agent",
            description="research one sub-question and report",
            role="worker",
            input="subtask",
            max_steps="${max_steps}",
            min_reads="${min_reads}",
            replan="${worker_replans}",
        ),
        NodeSpec(name="merge", kind="aggregate", description="collect the workers' reports"),
        NodeSpec(
            name="write",
            kind="agent",
            description="compose the final answer from the reports",
            role="writer",
            input="handoff",
            tools=["answer"],
            max_steps=1,
            category="coordination",
        ),
    ],
    edges=[
        EdgeSpec(source="plan", target="workers"),
        EdgeSpec(source="workers", target="merge"),
        EdgeSpec(source="merge", target="write"),
        EdgeSpec(source="write", target="end"),
    ],
    params={
        "worker_replans": ParamSpec(
            default=False,
            description="may workers change their plan when a search fails (a fixed workflow: no)",
        ),
        "min_reads": ParamSpec(
            default=20,
            description="documents each worker is briefed to read (the template's "
            "thoroughness; calibrated)",
        ),
        "max_steps": ParamSpec(
            default=30, description="fixed step budget of each worker (calibrated)"
        ),
        "max_workers": ParamSpec(
            default=10, description="at most this many parallel workers (calibrated)"
        ),
    },
)
