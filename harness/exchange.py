"""How one agent's answer is shown to another: a verifier's answer under check, a judge's
candidates, a debater's peers, a critique carried back.

Content, not instructions: the runtime writes these lines, and any reader (a real model,
or a simulated one reading its context) finds the answers and their sources in them. A
design's policy never travels here (that is `harness.brief`), and the system prompts that
tell a real model what to do with the lines stay in `harness.prompts`.
"""

from __future__ import annotations

CHECK_MARKER = "Answer to check:"
CITED_MARKER = "Cited documents:"
OWN_MARKER = "Your answer:"
PEER_MARKER = "Another agent answered:"
CANDIDATE_MARKER = "Candidate"
CRITIQUE_MARKER = "A reviewer rejected the answer"


def check_text(question: str, answer: str | None, citations: tuple[str, ...]) -> str:
    """What a verifier is given: the question, the answer and what it cites."""
    return (
        f"Question: {question}\n"
        f"{CHECK_MARKER} {answer if answer is not None else '(none)'}\n"
        f"{CITED_MARKER} {', '.join(citations) or 'none'}"
    )


def answer_line(answer: str, citations: tuple[str, ...]) -> str:
    return f"{answer} (sources: {', '.join(citations) or 'none'})"


def debate_text(
    question: str, own: tuple[str, tuple[str, ...]], peers: list[tuple[str, tuple[str, ...]]]
) -> str:
    """One debater's view of a round: its own answer and every other agent's."""
    lines = [f"Question: {question}", f"{OWN_MARKER} {answer_line(*own)}"]
    lines += [f"{PEER_MARKER} {answer_line(*p)}" for p in peers]
    return "\n".join(lines)


def candidates_text(question: str, candidates: list[tuple[str, tuple[str, ...]]]) -> str:
    lines = [f"Question: {question}"]
    lines += [f"{CANDIDATE_MARKER} {i}: {answer_line(*c)}" for i, c in enumerate(candidates, 1)]
    return "\n".join(lines)


def critique_text(answer: str, critique: str) -> str:
    return f"{CRITIQUE_MARKER} '{answer}': {critique}. Research again; do not repeat a mistake."
