"""Answering: the final answer from what the context holds, or a worker's report.

Composing an answer is a decision of its own, made with the answering model's skill:
where the context holds two conflicting values for the fact asked, the model must pick
the right one (a second agreeing source helps, by its `corroboration`); a writer composing
from others' hand-offs must also join a chain across reports and compare candidates, and
can fail at either. A single agent joined its chain step by step as it read, so only the
conflict is decided at its answer.
"""

from __future__ import annotations

from harness.sim.moves import MoveKind
from harness.sim.reading import ChainState
from harness.sim.turn import Action, Turn, answer_call
from harness.task import Chain


def hallucination(t: Turn, states: list[ChainState]) -> float:
    """The chance of answering without evidence: each belief a second source corroborates
    makes the model surer its search is on track, by `corroboration`."""
    p = t.p.hallucination
    if p <= 0.0 or t.p.corroboration <= 0.0:
        return p
    return p * (1.0 - t.p.corroboration) ** t.corroborated(states)


def hallucinates(t: Turn, states: list[ChainState], site: str) -> bool:
    """Does the model answer without evidence now? The plain chance is tested first: the
    corroboration count can only lower it, so it is computed only when it could matter."""
    u = t.draws.u(site)
    return u < t.p.hallucination and u < hallucination(t, states)


NOT_FOUND = "No relevant information found for"
"""How a report says a fact was not found (a lead reading reports looks for it)."""


def answer(
    t: Turn, states: list[ChainState], give_up: bool = False, hallucinate: bool | None = None
) -> Action:
    """Answer from what the context holds; for what it lacks, guess only when
    hallucinating (decided here unless the caller already rolled for it)."""
    if hallucinate is None:
        hallucinate = hallucinates(t, states, "answer.hallucinate")
    if t.brief.output == "report":
        return report(t, states, hallucinate)
    assert t.solution is not None
    writing = t.request.purpose in ("write", "merge")
    combine = t.solution.combine
    text: str
    cites: tuple[str, ...] = ()
    if combine == "last":
        s = states[0]
        if s.final is not None:
            text, source = settle(t, s, writing)
            cites = (source,)
        else:
            text = guess(t, s.chain) if hallucinate else "unknown"
    else:
        # With some values missing, the best of the known ones is still a guess.
        known: list[tuple[float, str, str]] = []
        for s in states:
            if s.final is None:
                continue
            value, source = settle(t, s, writing)
            if is_num(value):
                known.append((float(value), s.chain.label, source))
        if known:
            ranked = sorted(known, key=lambda k: k[0], reverse=combine == "argmax")
            pick = ranked[0]
            if writing and len(ranked) > 1 and not t.right("write.compare"):
                pick = ranked[1]  # misread the comparison: the runner-up
            text, cites = pick[1], tuple(src for _, _, src in known)
        elif hallucinate:
            text = t.draws.choice([s.chain.label for s in states], "guess.label")
        else:
            text = "unknown"
    reason = "I could not confirm this; my best guess." if give_up else "Final answer."
    move = MoveKind.GIVE_UP if give_up else MoveKind.ANSWER
    return Action(reason, *answer_call(text, cites), move)


def settle(t: Turn, s: ChainState, writing: bool) -> tuple[str, str]:
    """The value (and its source) a model answers for a walked chain."""
    chain = s.chain
    last = len(s.values) - 1
    value, source = s.values[last], s.sources[last]
    subject = s.values[last - 1] if last else chain.hops[0].subject
    conflicting = [
        d
        for d in chain.decoys
        if d.hop == last and d.value != value and d.value in t.reading.evidence
    ]
    if conflicting and value in t.brief.rejected and t.complies("comply.critique"):
        # a reviewer rejected this value, and the context holds another: take that one
        return conflicting[0].value, conflicting[0].doc_id
    if conflicting:
        agree = t.reading.agreeing(subject, value)
        p = 1.0 - (1.0 - t.skill) * (1.0 - t.p.corroboration) ** max(0, agree - 1)
        if not t.chance(p, "answer.conflict", chain.entry):
            return conflicting[0].value, conflicting[0].doc_id
    if writing and (last > 0 or s.renamed) and not t.right("write.chain", chain.entry):
        # failed to follow the chain through the reports: answers a link of it
        if last > 0:
            return s.values[last - 1], s.sources[last - 1]
        return chain.hops[0].subject, source
    return value, source


def guess(t: Turn, chain: Chain) -> str:
    pool = list(chain.guesses) or [d.value for d in chain.decoys] or ["unknown"]
    return t.draws.choice(pool, "guess", chain.entry)


def report(t: Turn, states: list[ChainState], hallucinate: bool) -> Action:
    """A worker's hand-off: each fact survives with probability `summary_fidelity`; a
    hallucinating worker states a guess for what it did not find, with no source."""
    lines: list[str] = []
    cites: list[str] = []
    for s in states:
        subject = s.chain.entry
        if s.renamed:
            lines.append(f"{s.chain.entry} is now known as {s.chain.hops[0].subject}.")
            subject = s.chain.hops[0].subject
        for k, value in enumerate(s.values):
            hop = s.chain.hops[k]
            if t.chance(t.p.summary_fidelity, "report.keep", s.chain.entry, k):
                lines.append(f"{subject} {hop.relation}: {value} [{s.sources[k]}]")
                cites.append(s.sources[k])
            else:
                lines.append(f"{subject} {hop.relation}: (detail lost in the summary)")
            subject = value
        if not s.done and hallucinate:
            assert s.frontier is not None
            hop = s.chain.hops[s.frontier]
            lines.append(f"{subject} {hop.relation}: {guess(t, s.chain)}")
        elif not s.done:
            lines.append(f"{NOT_FOUND} {subject}.")
    return Action("Reporting my findings.", *answer_call("\n".join(lines), tuple(cites)))


def is_num(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
