"""Research moves: advance a chain, stray, re-plan after a dead end, verify, read more.

Each decision has its own draw site, so that a change to one decision's parameter moves
no other decision's draws.
"""

from __future__ import annotations

from harness.sim import strategy
from harness.sim.answering import answer, hallucinates
from harness.sim.moves import MoveKind
from harness.sim.reading import ChainState, query_for
from harness.sim.turn import Action, Turn
from harness.tools import COMPACT_CONTEXT


def act(t: Turn) -> Action:
    states = t.states()
    forced = t.tools <= {"answer"} or t.request.config.tool_choice == "answer"
    if forced:
        if t.request.config.tool_choice == "answer":
            strategy.note_forced(t)
        return answer(t, states)
    pending = [s for s in states if not s.done]
    if not pending:
        check = verify(t, states) or read_more(t) or corroborate(t)
        return check if check is not None else answer(t, states)
    if hallucinates(t, states, "act.hallucinate"):
        return answer(t, states, hallucinate=True)
    if strategy.new_move(t, "stop", "policy.stop"):
        return answer(t, states, give_up=True)
    if COMPACT_CONTEXT in t.tools and strategy.new_move(t, "summarise", "policy.summarise"):
        why = "My context is getting long: replacing old tool outputs by notes."
        return Action(why, COMPACT_CONTEXT, {}, MoveKind.SUMMARISE)
    if t.right("act.skill"):
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
        why = f"Reading {hop.doc_id} for {s.subject}."
        return Action(why, "open", {"doc_id": hop.doc_id}, MoveKind.OPEN)
    query = query_for(s.subject, hop)
    if query.lower() not in r.searched:
        return Action(f"Searching for {query}.", "search", {"query": query}, MoveKind.SEARCH)
    return replan(t, s)


def persistence(t: Turn) -> float:
    """The chance of re-planning at a dead end, as the brief bends it. A lead's hint that
    the entity has another name is followed with probability `compliance x strength` on
    top of the model's own persistence; "follow the plan" suppresses re-planning with that
    probability."""
    return persistence_grad(t)[0]


def persistence_grad(t: Turn) -> tuple[float, float]:
    """`persistence`, and its derivative by a trained policy's logit. The policy shifts
    the model's own persistence; the brief bends the result afterwards, so what a brief
    forbids stays forbidden with probability `compliance x strength` whatever was learnt."""
    p, dp = strategy.own(t, "persist", t.p.persistence)
    comply = t.p.compliance * t.brief.strength
    if t.brief.hint == "alias":
        p = p + (1.0 - p) * comply
        dp = dp * (1.0 - comply)
    if t.brief.follow_plan:
        p = p * (1.0 - comply)
        dp = dp * (1.0 - comply)
    return p, dp


def replan(t: Turn, s: ChainState) -> Action:
    """The obvious search failed: look for another name, back-track, or give up.

    Persistence is rolled when the model first meets the dead end; a model already
    following its new plan carries on."""
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
    started = any(arg.lower() in replan_args for name, arg in r.actions if name != COMPACT_CONTEXT)
    if not moves or not (started or _persists(t, chain.entry)):
        return answer(t, t.states(), give_up=True)
    why, tool, arg = moves[0]
    return Action(why, tool, {"query" if tool == "search" else "doc_id": arg}, MoveKind.REPLAN)


def _persists(t: Turn, entry: str) -> bool:
    p, dp = persistence_grad(t)
    return strategy.chance(t, "persist", p, dp, "replan.persist", entry)


def verify(t: Turn, states: list[ChainState]) -> Action | None:
    """Every chain has a belief; a careful model checks beliefs read on a decoy page."""
    r = t.reading
    for s in states:
        if s.tainted is None or not t.right("verify", s.chain.entry):
            continue
        hop = s.chain.hops[s.tainted]
        if hop.doc_id in r.hits and hop.doc_id not in r.opened:
            args: dict[str, object] = {"doc_id": hop.doc_id}
            return Action("Checking for a newer source.", "open", args, MoveKind.CORROBORATE)
    return None


def read_more(t: Turn) -> Action | None:
    """Honour a brief's "read at least N documents" (if the model complies): open the
    next unread result. What it reads can corroborate a fact, or show a conflicting page."""
    wanted = t.brief.min_reads
    if not wanted or len(t.reading.opened) >= wanted or not t.complies("comply.min_reads"):
        return None
    unread = [d for d in t.reading.hits if d not in t.reading.opened]
    if not t.right("read_more.pick"):  # a careless extra read is never the right page
        unread = [d for d in unread if d not in t.solution_docs()]
    if not unread:
        return None
    why = "Reading one more source to be thorough."
    return Action(why, "open", {"doc_id": unread[0]}, MoveKind.CORROBORATE)


def stray(t: Turn, s: ChainState) -> Action:
    """A wrong move: repeat the last action, open the wrong page, or search vaguely."""
    r = t.reading
    roll = t.draws.u("stray.kind")
    if r.actions and roll < 0.2:
        name, arg = r.actions[-1]
        key = "query" if name == "search" else "doc_id"
        if name in ("search", "open"):
            move = MoveKind.SEARCH if name == "search" else MoveKind.OPEN
            return Action("Let me look again.", name, {key: arg}, move)
    decoys = [d.doc_id for d in s.chain.decoys if d.doc_id in r.hits and d.doc_id not in r.opened]
    others = sorted(d for d in r.hits if d not in r.opened and d not in t.solution_docs())
    if decoys and roll < 0.6:
        pick = t.draws.choice(decoys, "stray.decoy")
        return Action("This page looks relevant.", "open", {"doc_id": pick}, MoveKind.OPEN)
    if others and roll < 0.8:
        pick = t.draws.choice(others, "stray.other")
        return Action("This page looks relevant.", "open", {"doc_id": pick}, MoveKind.OPEN)
    assert s.frontier is not None
    words = [w for w in s.chain.question.split() if len(w) > 3]
    query = " ".join(t.draws.sample(words, 2, "stray.words")) or s.chain.entry
    return Action(f"Searching for {query}.", "search", {"query": query}, MoveKind.SEARCH)


def corroborate(t: Turn) -> Action | None:
    """A trained policy's choice to check once more before answering: open one more unread
    result. Off without a policy. Whether the page read is a useful one (a source of the
    chain, which can corroborate a fact or replace a decoy's) is the model's skill roll."""
    unread = [d for d in t.reading.hits if d not in t.reading.opened]
    if not unread or not strategy.new_move(t, "corroborate", "policy.corroborate"):
        return None
    docs = t.solution_docs()
    if t.right("corroborate.pick"):
        useful = [d for d in unread if d in docs]
        pick = useful[0] if useful else unread[0]
    else:
        careless = [d for d in unread if d not in docs]
        if not careless:
            return None
        pick = careless[0]
    why = "Checking one more source before answering."
    return Action(why, "open", {"doc_id": pick}, MoveKind.CORROBORATE)
