"""The research tools every agent gets: `search`, `open` and `answer`, over one corpus.

Results are plain text, the same for simulated and real models, in a line format a
simulated model can read back (`[doc_id] title | date | snippet`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from harness.corpus import RESULTS_PER_SEARCH, Corpus
from harness.messages import ToolCall, ToolSchema

SEARCH = ToolSchema(
    name="search",
    description="Full-text search (BM25 ranking) over the document collection. Use a few "
    "specific terms: an entity's name plus the attribute you need. Returns up to 5 ranked "
    "results, one per line, as '[doc_id] title | date | snippet'. Snippets are short "
    "extracts: open a document to read what it actually says before relying on it.",
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string", "description": "search terms"}},
        "required": ["query"],
    },
)
OPEN = ToolSchema(
    name="open",
    description="Open one document by the id shown in search results and return its full "
    "text, headed by '[doc_id] title | date'. Check the title (is this the entity you "
    "mean?) and the date (is it current?) before using a fact from it.",
    parameters={
        "type": "object",
        "properties": {"doc_id": {"type": "string"}},
        "required": ["doc_id"],
    },
)
ANSWER = ToolSchema(
    name="answer",
    description="Give your final answer with the ids of the documents that support it. "
    "Ends your turn. The text is scored by exact match after normalisation, so give only "
    "the answer itself: a name, a number or a date, no sentence. A worker gives its report "
    "here instead.",
    parameters={
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "citations": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["text"],
    },
)
SCHEMAS: dict[str, ToolSchema] = {t.name: t for t in (SEARCH, OPEN, ANSWER)}


def choice_tool(name: str, description: str) -> ToolSchema:
    """A tool with no arguments whose name is the choice (a router's label, a judge's
    candidate): a model chooses by calling it."""
    return ToolSchema(name, description, {"type": "object", "properties": {}})


COMPACT_CONTEXT = "compact_context"
COMPACT = choice_tool(
    COMPACT_CONTEXT,
    "Replace old tool outputs by notes you write, to free context. The most recent outputs "
    "are kept. Use it when your context grows long; it takes one step.",
)
"""Offered by the agent loop only to a node whose context policy is `auto` (the agent
decides when to compact); the loop, not `Toolset`, carries it out (harness/agent_loop.py)."""

MALFORMED = "__malformed__"
"""Key a backend puts in a ToolCall's arguments (with the reason as value) when the model
sent arguments that are not a JSON object; the call then fails as a tool error."""

# Simulated seconds a tool call takes (a web search, a page fetch); see docs/simulation.md.
TOOL_LATENCY_S: dict[str, float] = {"search": 0.8, "open": 1.2, "answer": 0.0, COMPACT_CONTEXT: 0.0}


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    content: str
    error: bool = False
    answer: tuple[str, tuple[str, ...]] | None = None  # (text, citations) for `answer`


def format_doc_header(doc_id: str, title: str, date: str | None) -> str:
    return f"[{doc_id}] {title} | {date or 'undated'}"


def _schema(schema: ToolSchema, results: int) -> ToolSchema:
    """`schema`, telling how many results a search returns on this corpus."""
    if schema is not SEARCH or results == RESULTS_PER_SEARCH:
        return schema
    text = schema.description.replace(f"up to {RESULTS_PER_SEARCH} ", f"up to {results} ")
    return replace(schema, description=text)


class Toolset:
    """Executes tool calls against one corpus. Never raises on a bad call: a malformed
    call becomes an error result the model sees, and the trace counts it."""

    def __init__(self, corpus: Corpus, names: tuple[str, ...]) -> None:
        self.corpus = corpus
        self.names = names
        self.schemas = tuple(_schema(SCHEMAS[n], corpus.results_per_search) for n in names)

    def execute(self, call: ToolCall) -> ToolOutcome:
        if call.name not in self.names:
            allowed = ", ".join(self.names)
            return ToolOutcome(f"Error: unknown tool '{call.name}' (available: {allowed})", True)
        args = call.arguments
        if MALFORMED in args:
            return ToolOutcome(f"Error: {args[MALFORMED]}", True)
        if call.name == "search":
            query = args.get("query")
            if not isinstance(query, str) or not query.strip():
                return ToolOutcome("Error: search needs a non-empty string 'query'", True)
            hits = self.corpus.search(query, k=self.corpus.results_per_search)
            if not hits:
                return ToolOutcome(f'No results for "{query}".')
            lines = [f'Results for "{query}":']
            lines += [f"{format_doc_header(h.doc_id, h.title, h.date)} | {h.snippet}" for h in hits]
            return ToolOutcome("\n".join(lines))
        if call.name == "open":
            doc_id = args.get("doc_id")
            doc = self.corpus.get(doc_id) if isinstance(doc_id, str) else None
            if doc is None:
                return ToolOutcome(f"Error: no document with id {doc_id!r}", True)
            return ToolOutcome(f"{format_doc_header(doc.id, doc.title, doc.date)}\n{doc.text}")
        text = args.get("text")
        citations = args.get("citations", [])
        if not isinstance(text, str):
            return ToolOutcome("Error: answer needs a string 'text'", True)
        if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
            return ToolOutcome("Error: 'citations' must be a list of document ids", True)
        return ToolOutcome("Answer recorded.", answer=(text, tuple(citations)))


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """Parse a tool call's JSON arguments. Never raises: arguments that are not a JSON
    object come back as `{MALFORMED: reason}`, which `Toolset.execute` reports to the model."""
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        return {MALFORMED: f"tool arguments are not valid JSON ({exc.msg})"}
    if not isinstance(value, dict):
        return {MALFORMED: "tool arguments must be a JSON object"}
    return value
