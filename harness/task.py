"""The task schema: what a research question is, what it hides, and what a suite file holds.

A task carries its *hidden solution* (`Solution`): the chains of hops a researcher must walk
through the corpus. Simulated models read it to decide what a skilled agent would do next
(that is how skill is simulated); they may still only answer with values that reached their
context through tool results. Real models never see it: it is not part of any request sent
over the wire.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

SUITE_FORMAT_VERSION = 1

Family = Literal["lookup", "multi_hop", "breadth", "conflict", "dead_end"]
FAMILIES: tuple[Family, ...] = ("lookup", "multi_hop", "breadth", "conflict", "dead_end")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Document(_Frozen):
    """One page of the offline corpus."""

    id: str
    title: str
    text: str
    date: str | None = None  # ISO date; conflict tasks rely on it to tell old from new
    lang: Literal["en", "zh"] = "en"


class Hop(_Frozen):
    """One fact to find: `subject`'s `relation` is `value`, stated in document `doc_id`.

    `relation` holds the words a researcher would add to the subject to search for the
    fact (e.g. "founder", "headquarters", "創始人"). The subject of hop k > 0 is the value
    of hop k - 1, so a chain is only walkable in order.
    """

    subject: str
    relation: str
    doc_id: str
    value: str


class Decoy(_Frozen):
    """A page that states a wrong value for hop `hop` of its chain.

    kind "outdated": an older page about the same subject (its title names the subject,
    its date is older than the gold page's); kind "namesake": a page about an entity with
    a confusingly similar name.
    """

    hop: int
    doc_id: str
    value: str
    kind: Literal["outdated", "namesake"]


class Chain(_Frozen):
    """One independent line of research inside a task.

    `entry` is the name the question uses. For dead-end tasks it differs from
    `hops[0].subject` (the entity was renamed or is known under an alias): the obvious
    search for `entry` then finds no page about the entity, and the researcher must
    re-plan through `rename`, whose value is `hops[0].subject`.
    """

    label: str  # what the chain is about; for breadth tasks, the candidate answer
    question: str  # a self-contained sub-question a planner can hand to a worker
    entry: str
    hops: list[Hop] = Field(min_length=1)
    rename: Hop | None = None
    decoys: list[Decoy] = []
    guesses: list[str] = []  # plausible wrong values a model might answer without evidence


class Solution(_Frozen):
    """How the chains combine into the answer.

    "last": the answer is the last hop's value of the single chain; "argmax"/"argmin": the
    answer is the `label` of the chain whose last value is the largest/smallest number.
    """

    chains: list[Chain] = Field(min_length=1)
    combine: Literal["last", "argmax", "argmin"] = "last"


class Task(_Frozen):
    id: str
    family: Family
    question: str
    answer: str
    aliases: list[str] = []  # other spellings accepted as correct
    support_docs: list[str] = Field(min_length=1)  # a cited one of these supports the answer
    solution: Solution
    lang: Literal["en", "zh"] = "en"


class TaskSuite(_Frozen):
    """A suite file: documents and tasks, with a format version so old files stay readable."""

    format_version: int = SUITE_FORMAT_VERSION
    name: str
    description: str = ""
    documents: list[Document]
    tasks: list[Task]
    search_results: int | None = Field(default=None, ge=1, le=50)
    """Hits a search returns on this suite's corpus (None: the tool's default, 5). The
    deep suite sets it to what web search APIs return (tasks/deep_figures.py)."""

    @model_serializer(mode="wrap")
    def _omit_unset_search_results(self, handler: SerializerFunctionWrapHandler) -> Any:
        # a suite without the setting serialises as before: shipped files and run digests
        # stay byte-identical
        data = handler(self)
        if isinstance(data, dict) and data.get("search_results") is None:
            data.pop("search_results", None)
        return data
