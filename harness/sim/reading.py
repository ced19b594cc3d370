"""What a simulated model can know: only what is in its context.

A simulated model is given the task's hidden solution, but this module decides which parts
of it the model may *use*: a hop's value counts as known only if it appears in a document
the model opened or in a hand-off (a report, its own notes) in the request's messages.
Search snippets are not evidence: a model must read the page. When context management
drops an old tool output, or a hand-off loses a fact, the model really forgets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.exchange import CRITIQUE_MARKER
from harness.messages import Message
from harness.task import Chain, Hop, Solution

_HIT = re.compile(r"^\[([^\]]+)\] (.*?) \| [^|\n]* \| ", re.M)
_OPENED = re.compile(r"\A\[([^\]]+)\] (.*?) \| [^|\n]*$", re.M)
_REPORT = re.compile(r"\n\n(?=Report \d+ on:)")
_RESULTS_FOR = re.compile(r'\A(?:Results for|No results for) "(.*)"[:.]', re.M)


def query_for(subject: str, hop: Hop) -> str:
    return f"{subject} {hop.relation}"


@dataclass(slots=True)
class Reading:
    """The parts of a context a simulated model acts on."""

    system: str
    task_text: str  # the first user message: the question, or a worker's sub-question
    evidence: str  # tool results and hand-offs, in order
    hits: dict[str, str] = field(default_factory=dict)  # doc_id -> title, visible search hits
    opened: set[str] = field(default_factory=set)
    searched: set[str] = field(default_factory=set)  # queries whose results are visible
    actions: list[tuple[str, str]] = field(default_factory=list)  # (tool, argument), in order
    sources: list[str] = field(default_factory=list)  # each opened page and hand-off, apart

    def agreeing(self, subject: str, value: str) -> int:
        """How many separate sources in the context state `value` next to `subject`."""
        return sum(1 for text in self.sources if value in text and subject in text)

    def recognised(self, doc_id: str, subject: str) -> bool:
        title = self.hits.get(doc_id)
        return title is not None and subject.lower() in title.lower()


def read_context(messages: tuple[Message, ...]) -> Reading:
    system_parts: list[str] = []
    task_text = ""
    evidence: list[str] = []
    reading = Reading(system="", task_text="", evidence="")
    for m in messages:
        if m.role == "system":
            system_parts.append(m.content)
        elif m.role == "user" and not task_text:
            task_text = m.content
            claims = _without_critique(m.content)
            evidence.append(claims)
            reading.sources.extend(_split_reports(claims))
        elif m.role == "assistant":
            for call in m.tool_calls:
                arg = call.arguments.get("query", call.arguments.get("doc_id", ""))
                reading.actions.append((call.name, str(arg)))
        elif m.role == "user":
            evidence.append(m.content)
            reading.sources.extend(_split_reports(m.content))
        elif m.role == "tool":
            if m.name == "search":
                q = _RESULTS_FOR.match(m.content)
                if q:
                    reading.searched.add(q.group(1).lower())
                for doc_id, title in _HIT.findall(m.content):
                    reading.hits[doc_id] = title
            elif m.name == "open":
                evidence.append(m.content)
                reading.sources.append(m.content)
                o = _OPENED.match(m.content)
                if o:
                    reading.opened.add(o.group(1))
    reading.system = "\n".join(system_parts)
    reading.task_text = task_text
    reading.evidence = "\n".join(evidence)
    return reading


def _without_critique(text: str) -> str:
    """A critique names the answer a reviewer rejected: that is no evidence for it."""
    if CRITIQUE_MARKER not in text:
        return text
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith(CRITIQUE_MARKER))


def _split_reports(text: str) -> list[str]:
    """A hand-off holds one report per worker: each is a source of its own."""
    if "\n\nReport " not in text:
        return [text]
    return [part for part in _REPORT.split(text) if part]


@dataclass(frozen=True, slots=True)
class ChainState:
    """How far a model has walked one chain, judged from its context alone."""

    chain: Chain
    values: tuple[str, ...]  # believed value per walked hop
    sources: tuple[str, ...]  # doc id each belief came from
    tainted: int | None  # first hop whose belief came from a decoy page
    frontier: int | None  # first hop with no belief; None when the chain is walked
    subject: str  # the subject of the frontier hop (or of the last hop)
    renamed: bool  # the model has learned the entity's current name

    @property
    def done(self) -> bool:
        return self.frontier is None

    @property
    def final(self) -> str | None:
        return self.values[-1] if self.done else None


def chain_state(chain: Chain, evidence: str) -> ChainState:
    renamed = chain.rename is not None and chain.rename.value in evidence
    subject = chain.hops[0].subject if (renamed or chain.rename is None) else chain.entry
    values: list[str] = []
    sources: list[str] = []
    tainted: int | None = None
    for k, hop in enumerate(chain.hops):
        if hop.value in evidence and (k > 0 or subject == hop.subject):
            values.append(hop.value)
            sources.append(hop.doc_id)
        else:
            decoy = next((d for d in chain.decoys if d.hop == k and d.value in evidence), None)
            if decoy is None:
                return ChainState(
                    chain, tuple(values), tuple(sources), tainted, k, subject, renamed
                )
            values.append(decoy.value)
            sources.append(decoy.doc_id)
            tainted = k if tainted is None else tainted
        subject = values[-1]
    return ChainState(chain, tuple(values), tuple(sources), tainted, None, subject, renamed)


def relevant_chains(solution: Solution, task_text: str) -> list[Chain]:
    """The chains a text asks about: a worker's sub-question names only its own entities;
    a full question names them all. Text that names none (a real planner's paraphrase) is
    taken to be about the whole question."""
    text = task_text.lower()
    mine = [c for c in solution.chains if c.entry.lower() in text or c.label.lower() in text]
    return mine or list(solution.chains)
