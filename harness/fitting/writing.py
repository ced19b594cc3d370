"""A writer's answer from the workers' reports, classified (`answering.answer` with
`writing`): joining a chain across reports (wrong: it answers a link of the chain),
settling a conflict between two reported values, comparing candidates (wrong: the
runner-up), and answering without evidence when a fact is missing from every report.

The hand-off the writer read is rebuilt as `EpisodeState.handoff` writes it, from the
question and each worker's recorded report (the answer text, its sub-task from the
recorded plan, its citations); the simulator's own reader then says what it held. Only
writers fed the hand-off of reports are read (a design with candidates or critiques is
left out).
"""

from __future__ import annotations

from typing import Any

from harness.fitting.loops import _FANOUT, is_cut, plan_of
from harness.graph import CompiledArchitecture
from harness.messages import Message
from harness.plans import prompt_kind
from harness.sim.reading import chain_state, read_context, relevant_chains
from harness.task import Task


def handoff(task: Task, arch: CompiledArchitecture, before: list[dict[str, Any]]) -> str | None:
    """The hand-off after the steps `before`; None when it holds more than reports."""
    parts = [f"Question: {task.question}"]
    subtasks: list[str] = []
    n = 0
    for st in before:
        if st.get("purpose") == "plan":
            subs, _ = plan_of(str(st.get("content") or ""), task.question, is_cut(st))
            subtasks = [s.question for s in subs]
        node = arch.nodes.get(str(st.get("node")))
        if node is None or node.kind != "agent":
            continue
        if prompt_kind(node) != "worker":
            if any(t.get("name") == "answer" for t in st.get("tools") or []):
                return None  # an answer from a non-worker becomes a candidate
            continue
        for t in st.get("tools") or []:
            if t.get("name") != "answer" or t.get("error"):
                continue
            args = t.get("arguments") or {}
            m = _FANOUT.match(str(st.get("branch")))
            i = int(m.group(3)) if m else -1
            sub = subtasks[i] if 0 <= i < len(subtasks) else task.question
            cites = ", ".join(str(c) for c in args.get("citations") or []) or "none"
            n += 1
            parts.append(f"Report {n} on: {sub}\n{args.get('text', '')}\nSources: {cites}")
    return "\n\n".join(parts) if n else None


def write_decisions(
    task: Task, arch: CompiledArchitecture, before: list[dict[str, Any]], step: dict[str, Any]
) -> list[tuple[str, str, float, float]]:
    """(class, kind, observed, n) per decision: kind 'skill' (observed 1 right),
    'conflict' (n: agreeing sources) or 'guess' (observed 1 a guess; n: corroborated)."""
    tools = step.get("tools") or []
    text_args = [t.get("arguments") or {} for t in tools if t.get("name") == "answer"]
    if not text_args:
        return []
    answer = str(text_args[0].get("text", "")).strip()
    hand = handoff(task, arch, before)
    if hand is None:
        return []
    r = read_context((Message("system", ""), Message("user", hand)))
    states = [chain_state(c, r.evidence) for c in relevant_chains(task.solution, r.task_text)]
    if task.solution.combine == "last":
        s = states[0]
        if s.final is None:
            guessed = answer.lower() not in ("unknown", "")
            label = "write: guessed a missing fact" if guessed else "write: said unknown"
            ncorr = sum(
                1
                for k, v in enumerate(s.values)
                if r.agreeing(s.values[k - 1] if k else s.chain.hops[0].subject, v) >= 2
            )
            return [(label, "guess", float(guessed), float(ncorr))]
        last = len(s.values) - 1
        value = s.values[last]
        out: list[tuple[str, str, float, float]] = []
        conflicting = [
            d
            for d in s.chain.decoys
            if d.hop == last and d.value != value and d.value in r.evidence
        ]
        if conflicting:
            subject = s.values[last - 1] if last else s.chain.hops[0].subject
            agree = float(r.agreeing(subject, value))
            if answer == conflicting[0].value:
                return [("write: conflict settled wrong", "conflict", 0.0, agree)]
            out.append(("write: conflict settled right", "conflict", 1.0, agree))
        if last > 0 or s.renamed:
            link = s.values[last - 1] if last > 0 else s.chain.hops[0].subject
            if answer == value:
                out.append(("write: chain joined", "skill", 1.0, 0.0))
            elif answer == link:
                out.append(("write: answered a link of the chain", "skill", 0.0, 0.0))
            else:
                return []
        return out
    walked = [s for s in states if s.final is not None]
    if len(walked) < 2 or not all(_clean(s, r.evidence) for s in walked):
        return []
    known = [(float(s.values[-1]), s.chain.label) for s in walked]
    ranked = sorted(known, key=lambda k: k[0], reverse=task.solution.combine == "argmax")
    if answer == ranked[0][1]:
        return [("write: candidates compared right", "skill", 1.0, 0.0)]
    if answer == ranked[1][1]:
        return [("write: picked the runner-up", "skill", 0.0, 0.0)]
    return []


def _clean(s: Any, evidence: str) -> bool:
    """A walked one-hop chain, not renamed, no other value of it in the reports: settling
    it decides nothing, so only the comparison is left to get wrong."""
    if s.final is None or s.renamed or len(s.values) != 1:
        return False
    try:
        float(s.values[-1])
    except ValueError:
        return False
    return not any(d.value != s.values[-1] and d.value in evidence for d in s.chain.decoys)
