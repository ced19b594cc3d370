"""Answering: the final answer from what the context holds, or a worker's report."""

from __future__ import annotations

from harness.prompts import WORKER_MARKER
from harness.sim.reading import ChainState
from harness.sim.turn import Action, Turn, answer_call
from harness.task import Chain


def answer(
    t: Turn, states: list[ChainState], give_up: bool = False, hallucinate: bool | None = None
) -> Action:
    """Answer from what the context holds; for what it lacks, guess only when
    hallucinating (decided here unless the caller already rolled for it)."""
    if hallucinate is None:
        hallucinate = t.chance(t.p.hallucination)
    if WORKER_MARKER in t.reading.system:
        return report(t, states, hallucinate)
    assert t.solution is not None
    combine = t.solution.combine
    text: str
    cites: tuple[str, ...] = ()
    if combine == "last":
        s = states[0]
        if s.final is not None:
            text, cites = s.final, (s.sources[-1],)
        else:
            text = guess(t, s.chain) if hallucinate else "unknown"
    else:
        # With some values missing, the best of the known ones is still a guess.
        known = [(float(s.final), s) for s in states if s.final is not None and is_num(s.final)]
        if known:
            pick = (max if combine == "argmax" else min)(known, key=lambda x: x[0])[1]
            text, cites = pick.chain.label, tuple(s.sources[-1] for _, s in known)
        elif hallucinate:
            text = t.rng.choice([s.chain.label for s in states])
        else:
            text = "unknown"
    reason = "I could not confirm this; my best guess." if give_up else "Final answer."
    return Action(reason, *answer_call(text, cites))


def guess(t: Turn, chain: Chain) -> str:
    pool = list(chain.guesses) or [d.value for d in chain.decoys] or ["unknown"]
    return t.rng.choice(pool)


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
            if t.chance(t.p.summary_fidelity):
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
            lines.append(f"No relevant information found for {subject}.")
    return Action("Reporting my findings.", *answer_call("\n".join(lines), tuple(cites)))


def is_num(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
