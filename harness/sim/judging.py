"""Judging others' answers: a verifier's verdict, a judge's pick, a merge, a debate revision.

Each is one decision of the judging model's own, by a stated rule. The hidden solution
only tells what the right move would be; a skill roll decides whether the model makes it;
the model acts only on what its context shows (the answers, their sources, pages it read).

- verify: opens the cited pages it has not read (as its budget allows), then gives the
  right verdict (accept iff the answer is correct and cites a page stating a fact it
  rests on) with its skill, the opposite otherwise: false accepts and false rejects
  both come at rate 1 - skill.
- judge: with its skill picks a correct candidate if one is there (else the majority);
  otherwise another distinct answer.
- merge: writes from the reports like a writer; with no facts to write from, it judges.
- revise (debate): with its skill the model keeps a correct answer, or moves to a correct
  answer it sees among its peers; otherwise it adopts the peers' majority with
  probability `conformity`, else keeps its own. A right answer under pressure survives
  with probability skill + (1 - skill)(1 - conformity).
"""

from __future__ import annotations

import re
from collections import Counter

from harness import exchange
from harness.scoring import normalise
from harness.sim.answering import answer, report
from harness.sim.moves import MoveKind
from harness.sim.turn import Action, Turn, answer_call
from harness.task import Solution

_LINE = re.compile(r"^(.*) \(sources: (.*)\)$")


def correct_value(solution: Solution) -> str:
    """The answer the solution implies (what a right move aims at)."""
    if solution.combine == "last":
        return solution.chains[0].hops[-1].value
    values = [(float(c.hops[-1].value), c.label) for c in solution.chains]
    return (max(values) if solution.combine == "argmax" else min(values))[1]


def _parse(line: str) -> tuple[str, tuple[str, ...]]:
    m = _LINE.match(line.strip())
    if not m:
        return line.strip(), ()
    cites = tuple(c.strip() for c in m.group(2).split(",") if c.strip() and c.strip() != "none")
    return m.group(1).strip(), cites


def _after(text: str, marker: str) -> list[str]:
    return [ln[len(marker) :].strip() for ln in text.splitlines() if ln.startswith(marker)]


def verify(t: Turn) -> Action:
    assert t.solution is not None
    text = t.reading.task_text
    checked = (_after(text, exchange.CHECK_MARKER) or ["(none)"])[0]
    cited = _after(text, exchange.CITED_MARKER)
    cites = [c.strip() for c in (cited[0] if cited else "").split(",")]
    cites = [c for c in cites if c and c != "none"]
    forced = t.tools <= {"answer"} or t.request.config.tool_choice == "answer"
    unread = [c for c in cites if c not in t.reading.opened]
    if unread and not forced and "open" in t.tools:
        why = f"Reading {unread[0]} to check the answer."
        return Action(why, "open", {"doc_id": unread[0]}, MoveKind.VERIFY)
    correct = bool(normalise(checked)) and normalise(checked) == normalise(
        correct_value(t.solution)
    )
    right = correct and any(c in t.solution_docs() for c in cites)
    accept = right if t.right("verify.verdict") else not right
    if accept:
        return Action("The sources support the answer.", *answer_call("accept"), MoveKind.VERIFY)
    if not cites:
        why = "no sources are cited"
    elif checked not in _pages(t):
        why = f"the cited pages do not state '{checked}'"
    else:
        why = f"'{checked}' is not the value the question asks for"
    return Action("The answer does not hold.", *answer_call(f"reject: {why}"), MoveKind.VERIFY)


def _pages(t: Turn) -> str:
    """The text of pages the model opened (not the answer it was asked to check)."""
    return "\n".join(s for s in t.reading.sources if s is not t.reading.task_text)


def judge(t: Turn) -> Action:
    assert t.solution is not None
    lines = [_parse(ln.split(":", 1)[1]) for ln in _after(t.reading.task_text, "Candidate")]
    if not lines:
        return Action("No candidates.", "candidate_1", {}, MoveKind.JUDGE)
    pick = _pick(t, [a for a, _ in lines], "judge.pick")
    return Action(f"Candidate {pick + 1}.", f"candidate_{pick + 1}", {}, MoveKind.JUDGE)


def _pick(t: Turn, answers: list[str], site: str) -> int:
    """The right candidate (correct, else the majority) with skill; else another answer."""
    assert t.solution is not None
    keys = [normalise(a) for a in answers]
    target = normalise(correct_value(t.solution))
    if target in keys:
        right = keys.index(target)
    else:
        counts = Counter(keys)
        right = max(range(len(keys)), key=lambda i: (counts[keys[i]], -i))
    if t.right(site):
        return right
    wrong = [i for i, k in enumerate(keys) if k != keys[right]]
    return t.draws.choice(wrong, site + ".wrong") if wrong else right


def merge(t: Turn) -> Action:
    """A writer over the reports; with nothing the reports establish, a judge's pick among
    the candidates' answers."""
    states = t.states()
    if any(s.done for s in states):
        return answer(t, states, hallucinate=False)
    found = [_parse(a) for a in _after_answers(t.reading.task_text)]
    if not found:
        return answer(t, states, hallucinate=False)
    i = _pick(t, [a for a, _ in found], "merge.pick")
    return Action("Merged answer.", *answer_call(*found[i]), MoveKind.ANSWER)


def _after_answers(text: str) -> list[str]:
    out: list[str] = []
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith("Answer from ") and ":" in ln:
            value = ln.split(": ", 1)[1] if ": " in ln else ""
            src = lines[i + 1].removeprefix("Sources: ") if i + 1 < len(lines) else "none"
            out.append(f"{value} (sources: {src})")
    return out


def revise(t: Turn) -> Action:
    """A debate round: keep, correct, or conform (see the module's rule)."""
    assert t.solution is not None
    if t.brief.output == "report":
        return report(t, t.states(), hallucinate=False)
    text = t.reading.task_text
    own = _parse((_after(text, exchange.OWN_MARKER) or [""])[0])
    peers = [_parse(p) for p in _after(text, exchange.PEER_MARKER)]
    target = normalise(correct_value(t.solution))
    keep = Action("I keep my answer.", *answer_call(*own), MoveKind.REVISE)
    if t.right("debate.revise"):
        if normalise(own[0]) == target:
            return keep
        right = next((p for p in peers if normalise(p[0]) == target), None)
        if right is not None:
            return Action(
                "Another answer is better supported.", *answer_call(*right), MoveKind.REVISE
            )
        return keep
    keys = [normalise(a) for a, _ in peers]
    if not keys:
        return keep
    counts = Counter(keys)
    top = max(counts.values())
    majority = next(p for p, k in zip(peers, keys, strict=True) if counts[k] == top)
    if normalise(majority[0]) != normalise(own[0]) and t.chance(t.p.conformity, "debate.conform"):
        return Action("I go with the others.", *answer_call(*majority), MoveKind.REVISE)
    return keep
