"""Coordination moves: a planner's sub-tasks, a router's choice, a summariser's notes.

A planner splits the question it can see, with its own skill: per entity of the question
one skill draw decides whether its sub-question comes out right; a wrong one leaves the
entity out, merges it with the next one, or cuts its chain short (asks for fewer chained
facts than the question does). A dynamic planner sizes each sub-agent's budget from what
it can see: the wording of the sub-question (a longer question chains more facts) and,
when re-planning, what the earlier reports said was not found. It never sees how many
hops the hidden solution has.
"""

from __future__ import annotations

import json

from harness.sim.answering import NOT_FOUND
from harness.sim.moves import MoveKind
from harness.sim.reading import ChainState
from harness.sim.turn import Action, Turn


def judged_depth(text: str) -> int:
    """How many chained facts a question seems to ask, judged from its wording alone: a
    question of up to ten words asks one, each three words more one more (a CJK
    character counts as half a word)."""
    words = len(text.split()) + sum(1 for ch in text if "\u3400" <= ch <= "\u9fff") // 2
    return 1 + max(0, words - 8) // 3


def plan(t: Turn) -> Action:
    states = t.states()
    dynamic = t.brief.planning == "dynamic"
    items: list[dict[str, object]] = []
    merge_into: dict[str, object] | None = None
    for i, s in enumerate(states):
        if dynamic and s.done:
            continue  # the reports so far answer it
        entry = s.chain.entry
        depth = judged_depth(s.chain.question)
        item: dict[str, object] = {"question": s.chain.question, "focus": entry}
        if merge_into is not None:  # the previous sub-question swallowed this entity
            merge_into["question"] = f"{merge_into['question']} {s.chain.question}"
            merge_into.pop("focus", None)
            merge_into.pop("depth", None)
            merge_into = None
            continue
        if not t.right("plan.split", entry):
            mistake = _mistake(t, s, several=len(states) > 1, last=i == len(states) - 1)
            if mistake == "drop":
                continue
            if mistake == "merge":
                merge_into = item
            elif mistake == "truncate":  # asks for the first fact of the chain only
                item.update(question=f"{entry} {s.chain.hops[0].relation}?", depth=1)
                depth = 1
        if dynamic:
            item["max_steps"] = 2 * depth + 4
            if f"{NOT_FOUND} {s.subject}" in t.reading.evidence:
                # learned in this episode: the obvious search failed; give more room,
                # and (with skill) pass on the suspicion and what is known
                item["max_steps"] = 4 * depth + 6
                if t.right("plan.hint", entry):
                    item["hint"] = "alias"
                    known = [f"{s.chain.hops[k].relation}: {v}" for k, v in enumerate(s.values)]
                    if known:
                        item["known"] = known
        items.append(item)
    return Action(json.dumps({"subtasks": items}, ensure_ascii=False), move=MoveKind.PLAN)


def _mistake(t: Turn, s: ChainState, several: bool, last: bool) -> str | None:
    """What a wrong split does to one entity: only mistakes the question allows."""
    options: list[str] = []
    if several:
        options.append("drop")
        if not last:
            options.append("merge")
    if len(s.chain.hops) > 1:
        options.append("truncate")
    if not options:
        return None  # one entity, one fact: nothing to get wrong
    return t.draws.choice(options, "plan.mistake", s.chain.entry)


_MORE = ("replan", "retry", "research", "continue", "revise")
"""Labels a simulated router reads as "do more work"; any other label means "finish"."""


def route(t: Turn) -> Action:
    """A lead reviewing reports: more work while something is missing, else finish; with
    its skill (a wrong call finishes too early or works more for nothing). Labels it
    reads as more work are `_MORE`, in that order of preference."""
    pending = any(not s.done for s in t.states())
    names = sorted(t.tools)
    more = [n for n in _MORE if n in names]
    others = [n for n in names if n not in _MORE]
    if pending and more:
        right = more[0]
    else:
        right = others[0] if others else (names[0] if names else "finish")
    wrong = [n for n in names if n != right]
    if not wrong or t.right("route.skill"):
        choice = right
    else:
        choice = t.draws.choice(wrong, "route.mistake")
    return Action(f"Next: {choice}.", choice, {}, MoveKind.ROUTE)


def summarise(t: Turn) -> Action:
    assert t.solution is not None
    text = t.reading.evidence
    lines: list[str] = []
    for chain in t.solution.chains:
        for hop in [*([chain.rename] if chain.rename else []), *chain.hops]:
            if hop.value in text and t.chance(t.p.summary_fidelity, "summary.keep", hop.doc_id):
                lines.append(f"{hop.subject} {hop.relation}: {hop.value} [{hop.doc_id}]")
        for d in chain.decoys:
            if d.value in text and t.chance(t.p.summary_fidelity, "summary.keep", d.doc_id):
                h = chain.hops[d.hop]
                lines.append(f"{h.subject} {h.relation}: {d.value} [{d.doc_id}]")
    return Action("\n".join(lines) or "Nothing relevant so far.", move=MoveKind.SUMMARISE)
