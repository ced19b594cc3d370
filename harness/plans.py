"""Plans and briefs: what a planner's reply means, and what each agent is told.

Why its own module: the same plan is read from a simulated planner's JSON and from a real
model's, and the same brief is given to a simulated model as data and to a real one as
text; keeping both here keeps the runtime to walking the graph.
"""

from __future__ import annotations

import json

from harness import prompts
from harness.brief import Brief
from harness.episode_state import Subtask
from harness.spec import NodeSpec


def prompt_kind(node: NodeSpec) -> str:
    return (
        node.prompt
        or {"question": "researcher", "subtask": "worker", "handoff": "writer"}[node.input]
    )


def loop_purpose(node: NodeSpec) -> str:
    """What an agent loop's calls are for: a verifier verifies; a node that can only
    answer from a hand-off writes; any loop that can search or read researches ("act"),
    whatever its input (a research loop given the hand-off still researches)."""
    kind = prompt_kind(node)
    if kind == "verify":
        return "verify"
    if node.input == "handoff" and set(node.tools) <= {"answer"}:
        return "write"
    return "act"


def node_brief(node: NodeSpec, sub: Subtask | None = None) -> Brief:
    """What `node`'s design asks of its model (for a fan-out's branch, with what the
    planner said about its sub-question)."""
    strength = node.brief_strength
    assert isinstance(strength, int | float)
    reads = node.min_reads if isinstance(node.min_reads, int) and sub is not None else 0
    kind = prompt_kind(node)
    return Brief(
        output="report" if kind == "worker" else "verdict" if kind == "verify" else "answer",
        follow_plan=node.replan is False,
        min_reads=reads,
        hint="alias" if sub is not None and sub.hint == "alias" else None,
        known=sub.known if sub is not None else (),
        subquestion=sub.question if sub is not None else None,
        focus=sub.focus if sub is not None else None,
        depth=sub.depth if sub is not None else None,
        strength=float(strength),
    )


def planner_brief(node: NodeSpec) -> Brief:
    strength = node.brief_strength
    assert isinstance(strength, int | float)
    return Brief(planning=node.mode, strength=float(strength))


def worker_text(question: str, plan: list[str], sub: Subtask, brief: Brief) -> str:
    """The brief as a real model reads it."""
    return prompts.worker_brief(
        question,
        plan,
        sub.question,
        brief.min_reads,
        not brief.follow_plan,
        alias_hint=brief.hint == "alias",
        known=brief.known,
    )


def parse_plan(content: str, question: str) -> list[Subtask] | None:
    """Sub-tasks from a planner's JSON; None when the reply cannot be read as a plan (the
    caller then runs the whole question as one sub-task and records that it did)."""
    start, end = content.find("{"), content.rfind("}")
    try:
        data = json.loads(content[start : end + 1])
        items = data["subtasks"]
        out = []
        for item in items:
            steps = item.get("max_steps")
            steps = int(steps) if isinstance(steps, int | float) and steps >= 1 else None
            depth = item.get("depth")
            depth = int(depth) if isinstance(depth, int) and depth >= 1 else None
            focus = item.get("focus")
            hint = item.get("hint")
            known = item.get("known") or []
            out.append(
                Subtask(
                    str(item["question"]),
                    steps,
                    focus=str(focus) if isinstance(focus, str) and focus else None,
                    depth=depth,
                    hint="alias" if hint == "alias" else None,
                    known=tuple(str(k) for k in known) if isinstance(known, list) else (),
                )
            )
        return out or None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
