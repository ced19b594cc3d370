"""Coordination moves: a planner's sub-tasks, a router's choice, a summariser's notes."""

from __future__ import annotations

import json

from harness.prompts import DYNAMIC_MARKER
from harness.sim.turn import Action, Turn


def plan(t: Turn) -> Action:
    states = t.states()
    dynamic = DYNAMIC_MARKER in t.reading.system
    subtasks: list[dict[str, object]] = []
    for s in states:
        if not dynamic:
            subtasks.append({"question": s.chain.question})
            continue
        if s.done:
            continue
        hops = len(s.chain.hops)
        item: dict[str, object] = {"question": s.chain.question, "max_steps": 2 * hops + 4}
        failed = f"No relevant information found for {s.subject}" in t.reading.evidence
        if failed and t.chance(t.skill):
            notes = ", ".join(f"{s.chain.hops[k].relation}: {v}" for k, v in enumerate(s.values))
            hint = f" Note: '{s.subject}' may be known under another name; search for that first."
            known = f" Known so far: {notes}." if notes else ""
            item = {"question": s.chain.question + hint + known, "max_steps": 4 * hops + 6}
        subtasks.append(item)
    return Action(json.dumps({"subtasks": subtasks}, ensure_ascii=False))


def route(t: Turn) -> Action:
    pending = any(not s.done for s in t.states())
    names = sorted(t.tools)
    choice = "replan" if pending and "replan" in names and t.chance(t.p.persistence) else None
    if choice is None:
        choice = next((n for n in names if n != "replan"), names[0] if names else "finish")
    return Action(f"Next: {choice}.", choice, {})


def summarise(t: Turn) -> Action:
    assert t.solution is not None
    text = t.reading.evidence
    lines: list[str] = []
    for chain in t.solution.chains:
        for hop in [*([chain.rename] if chain.rename else []), *chain.hops]:
            if hop.value in text and t.chance(t.p.summary_fidelity):
                lines.append(f"{hop.subject} {hop.relation}: {hop.value} [{hop.doc_id}]")
        for d in chain.decoys:
            if d.value in text and t.chance(t.p.summary_fidelity):
                h = chain.hops[d.hop]
                lines.append(f"{h.subject} {h.relation}: {d.value} [{d.doc_id}]")
    return Action("\n".join(lines) or "Nothing relevant so far.")
