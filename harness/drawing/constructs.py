"""What the language's parallel and checking constructs say in a drawing: splits and the
aggregate that joins them, fan-out copies, aggregate strategies and debate rounds,
verifier agents and router conditions.

Kept apart from `scene.py` so that every renderer reads the same words for them (a
Mermaid page, a terminal drawing and an SVG must not describe a design differently), and
read from the compiled graph alone: a split is a property of the graph (a node that is
not a router with several outgoing flow edges), not a field of any node, so it is found
here the way the runtime finds it, leniently (a drawing of a half-written design must
still draw).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.drawing.style import plural
from harness.spec import NodeSpec

_PROMPT_BY_INPUT = {"question": "researcher", "subtask": "worker", "handoff": "writer"}

STRATEGY_TEXT: dict[str, str] = {
    "concat": "collects reports",
    "vote": "vote: majority answer",
    "judge": "judge: picks one answer",
    "merge": "merge: one answer from all",
}
"""An aggregate's strategy as its node says it (concat keeps the words drawings always
had, so designs without the new constructs draw exactly as before)."""


@dataclass(frozen=True)
class SplitView:
    """A split as drawn: the first node of each branch, the last one (whose result goes
    on to the join), and the aggregate all branches meet at (None if they do not)."""

    node: str
    starts: tuple[str, ...]
    ends: tuple[str, ...]
    join: str | None


def prompt_of(s: NodeSpec) -> str:
    """An agent's instructions: its `prompt`, else the default its `input` implies."""
    return s.prompt or _PROMPT_BY_INPUT.get(s.input, "researcher")


def is_verifier(s: NodeSpec | None) -> bool:
    return s is not None and s.kind == "agent" and s.prompt == "verify"


def answers(s: NodeSpec | None) -> bool:
    """Does the agent hand on an answer (researcher, writer) rather than a report?"""
    return s is not None and prompt_of(s) in ("researcher", "writer")


def flow_targets(g: Any, node: str) -> list[str]:
    """A node's flow successors, in the order its edges were written."""
    return [t for t, d in g.succ[node].items() if d.get("kind") == "flow"]


def find_splits(nodes: Any, g: Any) -> dict[str, SplitView]:
    """Every node that is not a router and has several outgoing flow edges. Each branch
    is followed while it is a chain of agents; a branch that is not (a design the
    validator will refuse) simply has no join."""
    out: dict[str, SplitView] = {}
    for name, s in nodes.items():
        if s.kind == "router" or name not in g:
            continue
        starts = flow_targets(g, name)
        if len(starts) < 2:
            continue
        ends: list[str] = []
        joins: set[str | None] = set()
        for first in starts:
            last, cur, seen = first, first, set()
            while cur in nodes and nodes[cur].kind == "agent" and cur not in seen:
                seen.add(cur)
                nxt = flow_targets(g, cur)
                last = cur
                if len(nxt) != 1:
                    cur = ""
                    break
                cur = nxt[0]
            ends.append(last)
            joins.add(cur if cur in nodes and nodes[cur].kind == "aggregate" else None)
        join = joins.pop() if len(joins) == 1 else None
        out[name] = SplitView(name, tuple(starts), tuple(ends), join)
    return out


def copies_text(copies: object) -> str:
    """A fan-out with `copies`: the same agent N times on the whole question."""
    return f"×{copies} copies"


def aggregate_text(s: NodeSpec, joined: int | None = None) -> str:
    """Strategy, debate rounds before it, and how many branches of a split it joins."""
    text = STRATEGY_TEXT.get(s.strategy, s.strategy)
    rounds = s.rounds
    if isinstance(rounds, int) and not isinstance(rounds, bool) and rounds >= 1:
        text = f"debate, {plural(rounds, 'round')} → {text}"
    elif isinstance(rounds, str):
        text = f"debate, {rounds} rounds → {text}"
    if joined:
        text = f"joins {joined} branches · {text}"
    return text


def route_text(label: str | None, when: str | None) -> str | None:
    """A router edge's label with the condition under which it is taken: "accepted",
    "rejected → critique", "choice: retry", "otherwise"."""
    if when is None:
        return label
    if when == "choice":
        return f"choice: {label}" if label and label != "choice" else "choice"
    if label is None or label == when:
        return when
    return f"{when} → {label}"


def router_text(s: NodeSpec, g: Any) -> str | None:
    """The detail of a router that decides by its edges' `when:` conditions."""
    whens = [d.get("when") for _, d in g.succ[s.name].items() if d.get("kind") == "flow"]
    if not any(whens):
        return None
    text = "its model chooses" if "choice" in whens else "first condition that holds"
    if isinstance(s.max_visits, int):
        text += f" · ≤ {plural(s.max_visits, 'visit')}"
    return text
