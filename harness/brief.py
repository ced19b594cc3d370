"""A brief: a design's policy for one model call, as data.

Why data and not prompt text: a design's policy (a fixed workflow's "follow the plan", a
lead's hint, a minimum number of reads, "report, do not answer") must act through a named
mechanism. A real model reads the brief as prompt text (`harness.prompts` renders it); a
simulated model reads these fields, and how far it complies is its own `compliance`
parameter, times the node's `brief_strength`. No text of a prompt or a task ever changes
a simulated model's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Hint = Literal["alias"]
"""What a lead may pass on about a sub-question: "alias", the entity may be known under
another name (its earlier search found nothing)."""


@dataclass(frozen=True, slots=True)
class Brief:
    output: Literal["answer", "report", "verdict"] = "answer"
    """answer: the final answer; report: facts handed on to a writer or lead; verdict:
    accept or reject the answer under check."""
    follow_plan: bool = False
    """Told to research the sub-question as given and report failure rather than re-plan."""
    min_reads: int = 0
    """Told to read at least this many documents before reporting."""
    hint: Hint | None = None
    known: tuple[str, ...] = ()
    """Facts a lead passes on from earlier rounds ("founder: Lea Okoro")."""
    subquestion: str | None = None
    """The sub-question this agent is given (its text also stands in the prompt); None
    for an agent given the whole question."""
    focus: str | None = None
    """The entity the sub-question is about, as the planner named it."""
    depth: int | None = None
    """How many chained facts the sub-question asks for (None: all the question asks)."""
    planning: Literal["template", "dynamic"] | None = None
    """For a planner: split by a fixed template, or size and re-plan at run time."""
    rejected: tuple[str, ...] = ()
    """Answers a verifier rejected, passed on with its critique: not to be repeated."""
    strength: float = 1.0
    """How strongly the node's design insists on the brief (the node's `brief_strength`)."""


PLAIN = Brief()
