"""An episode's trace cut into agent loops, each with what its model was given.

A loop is one `run_agent` call: a node on a branch, from its first step to its answer
(or budget). What the model was given is rebuilt from the design, not read from the
trace (which keeps neither the prompt nor the brief): the question, or for a fan-out's
sub-agent the planner's sub-task as `harness.plans` turns it into a brief and a text.
A loop whose input cannot be rebuilt (a hand-off, an unreadable plan) is left out and
counted, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from harness.brief import Brief
from harness.episode_state import Subtask
from harness.fitting.runs import CUT_KEY, TRACE_CHARS
from harness.graph import CompiledArchitecture
from harness.plans import node_brief, parse_plan, worker_text
from harness.spec import NodeSpec
from harness.task import Task

_FANOUT = re.compile(r"\A(.+)#(\d+)/(\d+)\Z")


@dataclass
class Loop:
    node: NodeSpec
    brief: Brief
    task_text: str
    budget: int
    steps: list[dict[str, Any]]

    def acts(self) -> int:
        return sum(1 for s in self.steps if s.get("purpose") == "act")


@dataclass
class EpisodeLoops:
    loops: list[Loop]
    skipped: int  # loops of the role whose input could not be rebuilt
    other: list[dict[str, Any]]  # the role's steps outside agent loops (plan, route, ...)


def role_loops(
    arch: CompiledArchitecture, task: Task, steps: list[dict[str, Any]], role: str
) -> EpisodeLoops:
    """The loops (purpose act) of `role`'s model in one episode, in the trace's order."""
    subtasks: list[Subtask] = []
    open_loops: dict[tuple[str, str], Loop | None] = {}
    out = EpisodeLoops([], 0, [])
    for st in steps:
        purpose = st.get("purpose")
        if purpose == "plan":
            subtasks, _ = plan_of(str(st.get("content", "")), task.question, is_cut(st))
        if st.get("role") != role:
            continue
        key = (str(st["branch"]), str(st["node"]))
        if purpose == "summarise" and open_loops.get(key) is not None:
            loop = open_loops[key]
            assert loop is not None
            loop.steps.append(st)  # a context summary inside the loop
            continue
        if purpose != "act":
            out.other.append(st)
            continue
        loop = open_loops.get(key)
        if key not in open_loops:
            loop = _start(arch, task, key[0], key[1], subtasks)
            open_loops[key] = loop
            if loop is None:
                out.skipped += 1
            else:
                out.loops.append(loop)
        if loop is not None:
            loop.steps.append(st)
        if _ends_loop(st) or (loop is not None and loop.acts() >= loop.budget):
            del open_loops[key]
    return out


def _ends_loop(st: dict[str, Any]) -> bool:
    tools = st.get("tools") or []
    return not tools or any(t.get("name") == "answer" and not t.get("error") for t in tools)


def is_cut(step: dict[str, Any]) -> bool:
    """Did the trace cut this step's reply (and no recording gave it back whole)?"""
    return bool(step.get(CUT_KEY, len(str(step.get("content") or "")) >= TRACE_CHARS))


def plan_of(content: str, question: str, cut: bool) -> tuple[list[Subtask], bool]:
    """A recorded plan's sub-tasks, and whether the trace cut it (it keeps 400 characters
    of a reply): the sub-tasks written out whole before the cut are kept, so the sub-agents
    they went to can still be classified; the runtime's reading otherwise
    (`harness.plans.parse_plan`, the whole question when unreadable)."""
    parsed = parse_plan(content, question)
    if parsed is not None or not cut:
        return parsed or [Subtask(question)], False
    start = content.find("[", content.find('"subtasks"'))
    if start < 0:
        return [], True
    items: list[object] = []
    decoder = json.JSONDecoder()
    i = start + 1
    while True:
        while i < len(content) and content[i] in " ,\n\t":
            i += 1
        try:
            item, i = decoder.raw_decode(content, i)
        except ValueError:
            break
        items.append(item)
    whole = parse_plan(json.dumps({"subtasks": items}), question) if items else None
    return whole or [], True


def _start(
    arch: CompiledArchitecture,
    task: Task,
    branch: str,
    node_name: str,
    subtasks: list[Subtask],
) -> Loop | None:
    node = arch.nodes.get(node_name)
    if node is None or not isinstance(node.max_steps, int):
        return None
    m = _FANOUT.match(branch)
    fan = arch.nodes.get(m.group(1)) if m else None
    if m and fan is not None and fan.kind == "fan_out" and fan.copies is None:
        i = int(m.group(3))
        if i >= len(subtasks):
            return None  # the trace cut the plan before (or inside) this sub-task
        sub = subtasks[i]
        brief = node_brief(node, sub)
        plan = [s.question for s in subtasks]
        dynamic = any(n.kind == "planner" and n.mode == "dynamic" for n in arch.nodes.values())
        budget = node.max_steps
        if dynamic and sub.max_steps:
            budget = min(sub.max_steps, budget)
        return Loop(node, brief, worker_text(task.question, plan, sub, brief), budget, [])
    if node.input != "question":
        return None  # a hand-off's text is not in the trace
    text = task.question
    if subtasks:
        plan_text = "\n".join(f"- {s.question}" for s in subtasks)
        text = f"{task.question}\n\nPlan:\n{plan_text}"
    return Loop(node, node_brief(node), text, node.max_steps, [])
