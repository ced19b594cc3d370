"""Research moves: advance a chain, stray, re-plan after a dead end, verify, read more."""

from __future__ import annotations

import re

from harness.prompts import MIN_READS_PATTERN, NO_REPLAN
from harness.sim.answering import answer
from harness.sim.reading import ChainState, query_for
from harness.sim.turn import Action, Turn

_MIN_READS = re.compile(MIN_READS_PATTERN)


def act(t: Turn) -> Action:
    states = t.states()
    forced = t.tools <= {"answer"} or t.request.config.tool_choice == "answer"
    if forced:
        return answer(t, states)
    pending = [s for s in states if not s.done]
    if not pending:
        check = verify(t, states) or read_more(t)
        return check if check is not None else answer(t, states)
    if t.chance(t.p.hallucination):
        return answer(t, states, hallucinate=True)
    if t.chance(t.skill):
        return advance(t, pending[0])
    return stray(t, pending[0])


def advance(t: Turn, s: ChainState) -> Action:
    """The right next action on a chain: open the page, search for it, or re-plan."""
    r = t.reading
    assert s.frontier is not None
    hop = s.chain.hops[s.frontier]
    if s.frontier == 0 and not s.renamed and s.chain.rename is not None:
        gold_visible = False  # the page uses the new name: nothing found is recognisable
    else:
        gold_visible = r.recognised(hop.doc_id, s.subject)
    if gold_visible and hop.doc_id not in r.opened:
        return Action(f"Reading {hop.doc_id} for {s.subject}.", "open", {"doc_id": hop.doc_id})
    query = query_for(s.subject, hop)
    if query.lower() not in r.searched:
        return Action(f"Searching for {query}.", "search", {"query": query})
    return replan(t, s)


def replan(t: Turn, s: ChainState) -> Action:
    """The obvious search failed: look for another name, back-track, or give up.

    Persistence is rolled once per dead end, when the model first meets it; a model
    already following its new plan carries on."""
    r = t.reading
    chain = s.chain
    rename = chain.rename
    moves: list[tuple[str, str, str]] = []  # (why, tool, argument), in order of preference
    if s.frontier == 0 and rename is not None and not s.renamed:
        if r.recognised(rename.doc_id, chain.entry) and rename.doc_id not in r.opened:
            moves.append((f"Maybe {chain.entry} was renamed.", "open", rename.doc_id))
        query = query_for(chain.entry, rename)
        if query.lower() not in r.searched:
            moves.append((f"Maybe {chain.entry} has another name.", "search", query))
    if s.tainted is not None:
        hop = chain.hops[s.tainted]
        if hop.doc_id in r.hits and hop.doc_id not in r.opened:
            moves.append(("Re-checking an earlier fact.", "open", hop.doc_id))
    if s.subject.lower() not in r.searched:
        moves.append((f"Trying a broader search for {s.subject}.", "search", s.subject))
    replan_args = {
        query_for(chain.entry, rename).lower() if rename else "",
        rename.doc_id if rename else "",
        s.subject.lower(),
    }
    started = any(arg.lower() in replan_args for _, arg in r.actions)
    persistence = t.p.persistence
    if NO_REPLAN in r.task_text:
        persistence = 0.0  # told to execute the plan as given, not to change it
    if "another name" in r.task_text:
        persistence = max(persistence, 0.98)  # a lead passed on what it learned
    if not moves or not (started or t.chance(persistence)):
        return answer(t, t.states(), give_up=True)
    why, tool, arg = moves[0]
    return Action(why, tool, {"query" if tool == "search" else "doc_id": arg})


def verify(t: Turn, states: list[ChainState]) -> Action | None:
    """Every chain has a belief; a careful model checks beliefs read on a decoy page."""
    r = t.reading
    for s in states:
        if s.tainted is None or not t.chance(t.skill):
            continue
        hop = s.chain.hops[s.tainted]
        if hop.doc_id in r.hits and hop.doc_id not in r.opened:
            return Action("Checking for a newer source.", "open", {"doc_id": hop.doc_id})
    return None


def read_more(t: Turn) -> Action | None:
    """Honour a brief's "read at least N documents": open the next unread result."""
    match = _MIN_READS.search(t.reading.task_text)
    if match is None or len(t.reading.opened) >= int(match.group(1)):
        return None
    unread = [d for d in t.reading.hits if d not in t.reading.opened]
    if not t.chance(t.skill):  # a careless extra read is never the right page
        unread = [d for d in unread if d not in t.solution_docs()]
    if not unread:
        return None
    return Action("Reading one more source to be thorough.", "open", {"doc_id": unread[0]})


def stray(t: Turn, s: ChainState) -> Action:
    """A wrong move: repeat the last action, open the wrong page, or search vaguely."""
    r = t.reading
    roll = t.rng.random()
    if r.actions and roll < 0.2:
        name, arg = r.actions[-1]
        key = "query" if name == "search" else "doc_id"
        if name in ("search", "open"):
            return Action("Let me look again.", name, {key: arg})
    decoys = [d.doc_id for d in s.chain.decoys if d.doc_id in r.hits and d.doc_id not in r.opened]
    others = sorted(d for d in r.hits if d not in r.opened and d not in t.solution_docs())
    if decoys and roll < 0.6:
        return Action("This page looks relevant.", "open", {"doc_id": t.rng.choice(decoys)})
    if others and roll < 0.8:
        return Action("This page looks relevant.", "open", {"doc_id": t.rng.choice(others)})
    assert s.frontier is not None
    words = [w for w in s.chain.question.split() if len(w) > 3]
    query = " ".join(t.rng.sample(words, min(2, len(words)))) or s.chain.entry
    return Action(f"Searching for {query}.", "search", {"query": query})
