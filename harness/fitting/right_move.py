"""The right move at a research step, by the rule of `harness.sim.research.advance` and
`replan`, and what kind of wrong move a step was.

Why apart from the classifier: this is the one place that restates the simulator's rule
for "the right next action", so a change to `research.advance` has one place to follow.
"""

from __future__ import annotations

from harness.sim.reading import ChainState, Reading, query_for
from harness.task import Task

# what the right move at a research step leads to
ADVANCE, REPLAN_NEW, NO_MOVES = 0, 1, 2


def right_move(r: Reading, s: ChainState) -> tuple[int, str, str]:
    """The right move on a chain (`research.advance`), and whether it is a first re-plan."""
    chain = s.chain
    assert s.frontier is not None
    hop = chain.hops[s.frontier]
    if s.frontier == 0 and not s.renamed and chain.rename is not None:
        gold_visible = False
    else:
        gold_visible = r.recognised(hop.doc_id, s.subject)
    if gold_visible and hop.doc_id not in r.opened:
        return ADVANCE, "open", hop.doc_id
    query = query_for(s.subject, hop)
    if query.lower() not in r.searched:
        return ADVANCE, "search", query
    rename = chain.rename
    moves: list[tuple[str, str]] = []
    if s.frontier == 0 and rename is not None and not s.renamed:
        if r.recognised(rename.doc_id, chain.entry) and rename.doc_id not in r.opened:
            moves.append(("open", rename.doc_id))
        q = query_for(chain.entry, rename)
        if q.lower() not in r.searched:
            moves.append(("search", q))
    if s.tainted is not None:
        th = chain.hops[s.tainted]
        if th.doc_id in r.hits and th.doc_id not in r.opened:
            moves.append(("open", th.doc_id))
    if s.subject.lower() not in r.searched:
        moves.append(("search", s.subject))
    if not moves:
        return NO_MOVES, "answer", ""
    replan_args = {
        query_for(chain.entry, rename).lower() if rename else "",
        rename.doc_id if rename else "",
        s.subject.lower(),
    }
    started = any(a.lower() in replan_args for _, a in r.actions)
    return (ADVANCE if started else REPLAN_NEW), moves[0][0], moves[0][1]


def same_action(tool: str, arg: str, want_tool: str, want: str) -> bool:
    if tool != want_tool:
        return False
    return arg.strip().lower() == want.strip().lower() if tool == "search" else arg == want


def wrong_kind(r: Reading, s: ChainState, task: Task, tool: str, arg: str) -> str:
    if r.actions and r.actions[-1] == (tool, arg):
        return "wrong: repeat"
    if tool == "open":
        decoys = {d.doc_id for c in task.solution.chains for d in c.decoys}
        return "wrong: decoy opened" if arg in decoys else "wrong: other page opened"
    if tool == "search":
        return "wrong: vague search"
    return "wrong: other action"
