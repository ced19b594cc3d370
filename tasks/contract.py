"""The contract between a suite and the simulated researchers, as one checkable function.

Simulated models walk each chain of a task's hidden solution: for hop k they search
"<subject> <relation>", recognise a hit as being about the subject only if its title
contains the subject (case-insensitive), open the hop's page, and learn the value only if
it appears verbatim in the text. If a suite breaks any of that, a simulated agent fails
for a reason that has nothing to do with its architecture. `check_contract` lists every
such break, so the shipped suites, generated suites and hand-made suites can all be held
to the same rules (the tests run it on all three).

Example:
    >>> from tasks import load_builtin_suite
    >>> check_contract(load_builtin_suite("default"))
    []
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from harness.corpus import Corpus
from harness.task import Chain, Hop, Task, TaskSuite

TOP_K = 5
HOPS_PER_FAMILY = {"lookup": (1, 1), "multi_hop": (2, 4), "conflict": (1, 2), "dead_end": (1, 2)}
BREADTH = (3, 5)
RENAME_WORDS = ("renamed", "also known as", "更名為", "品牌名稱", "英文名稱", "中文名稱")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _has(haystack: str, needle: str) -> bool:
    return needle.lower() in haystack.lower()


def check_contract(
    suite: TaskSuite,
    corpus: Corpus | None = None,
    *,
    hops: Mapping[str, tuple[int, int]] = HOPS_PER_FAMILY,
    breadth: tuple[int, int] = BREADTH,
    top_k: int = TOP_K,
) -> list[str]:
    """Every way `suite` breaks the contract, as readable messages ([] when it holds).

    `hops`, `breadth` and `top_k` default to the ranges of the default suite; a suite
    built to other ranges (tasks/deep.py) is held to its own."""
    corpus = corpus or Corpus(suite.documents)
    limits = _Limits(hops, breadth, top_k)
    problems: list[str] = []
    for doc in suite.documents:
        if doc.date is None or not _ISO_DATE.match(doc.date):
            problems.append(f"{doc.id}: date {doc.date!r} is not an ISO date")
    titles = [doc.title for doc in suite.documents]
    for task in suite.tasks:
        problems += [f"{task.id}: {p}" for p in _check_task(task, corpus, titles, limits)]
    return problems


@dataclass(frozen=True, slots=True)
class _Limits:
    hops: Mapping[str, tuple[int, int]]
    breadth: tuple[int, int]
    top_k: int


def _in_top(corpus: Corpus, query: str, doc_id: str, top_k: int = TOP_K) -> bool:
    return any(hit.doc_id == doc_id for hit in corpus.search(query, k=top_k))


def _check_hop(corpus: Corpus, hop: Hop, where: str, top_k: int = TOP_K) -> list[str]:
    doc = corpus.get(hop.doc_id)
    if doc is None:
        return [f"{where}: no document {hop.doc_id}"]
    problems = []
    if not _has(doc.title, hop.subject):
        problems.append(f"{where}: title {doc.title!r} lacks subject {hop.subject!r}")
    if hop.value not in doc.text:
        problems.append(f"{where}: {hop.doc_id} does not state {hop.value!r}")
    query = f"{hop.subject} {hop.relation}"
    if not _in_top(corpus, query, hop.doc_id, top_k):
        problems.append(f"{where}: {hop.doc_id} not in the top {top_k} for {query!r}")
    return problems


def _check_chain(task: Task, chain: Chain, corpus: Corpus, c: int, top_k: int) -> list[str]:
    problems: list[str] = []
    for k, hop in enumerate(chain.hops):
        problems += _check_hop(corpus, hop, f"chain {c} hop {k}", top_k)
        if k and hop.subject != chain.hops[k - 1].value:
            problems.append(f"chain {c} hop {k}: subject is not the previous hop's value")
    gold = chain.hops[-1].value
    if not 2 <= len(chain.guesses) <= 4 or gold in chain.guesses:
        problems.append(f"chain {c}: needs 2-4 guesses, none the gold value: {chain.guesses}")
    for decoy in chain.decoys:
        target = chain.hops[decoy.hop] if 0 <= decoy.hop < len(chain.hops) else None
        doc = corpus.get(decoy.doc_id)
        if target is None or doc is None:
            problems.append(f"chain {c}: decoy {decoy.doc_id} points nowhere")
            continue
        gold_doc = corpus.get(target.doc_id)
        if decoy.value == target.value or decoy.value not in doc.text:
            problems.append(f"chain {c}: decoy {decoy.doc_id} must state a different value")
        if decoy.kind == "namesake" and _has(doc.title, target.subject):
            problems.append(f"chain {c}: namesake {decoy.doc_id} title names {target.subject!r}")
        if decoy.kind == "outdated":
            if not _has(doc.title, target.subject):
                problems.append(f"chain {c}: outdated {decoy.doc_id} title lacks the subject")
            if gold_doc is None or not (doc.date or "") < (gold_doc.date or ""):
                problems.append(f"chain {c}: outdated {decoy.doc_id} is not older than gold")
            if not _in_top(corpus, f"{target.subject} {target.relation}", decoy.doc_id, top_k):
                problems.append(f"chain {c}: outdated {decoy.doc_id} not in the top {top_k}")
    if task.family == "dead_end":
        problems += _check_dead_end(chain, corpus, c, top_k)
    elif chain.rename is not None or chain.entry != chain.hops[0].subject:
        problems.append(f"chain {c}: only dead-end chains may enter under another name")
    return problems


def _check_dead_end(chain: Chain, corpus: Corpus, c: int, top_k: int) -> list[str]:
    first = chain.hops[0]
    rename = chain.rename
    if rename is None or _has(first.subject, chain.entry) or _has(chain.entry, first.subject):
        return [f"chain {c}: a dead end needs a rename and an entry unlike {first.subject!r}"]
    problems = []
    gold = corpus.get(first.doc_id)
    if gold is not None and (_has(gold.title, chain.entry) or _has(gold.text, chain.entry)):
        problems.append(f"chain {c}: gold page {gold.id} mentions the entry {chain.entry!r}")
    if rename.subject != chain.entry or rename.value != first.subject:
        problems.append(f"chain {c}: rename must lead from the entry to hop 0's subject")
    if rename.relation not in RENAME_WORDS:
        problems.append(f"chain {c}: rename relation {rename.relation!r} is not a rename word")
    return problems + _check_hop(corpus, rename, f"chain {c} rename", top_k)


def _check_task(task: Task, corpus: Corpus, titles: list[str], limits: _Limits) -> list[str]:
    chains = task.solution.chains
    problems: list[str] = []
    if not task.id.endswith(tuple(f"-{n:02d}" for n in range(1, 100))):
        problems.append("id should end in a two-digit number")
    if task.family not in task.id:
        problems.append(f"id does not name the family {task.family}")
    for c, chain in enumerate(chains):
        problems += _check_chain(task, chain, corpus, c, limits.top_k)
    lasts = [chain.hops[-1] for chain in chains]
    if task.support_docs != list(dict.fromkeys(h.doc_id for h in lasts)):
        problems.append("support_docs must be the last-hop pages of all chains")
    if task.family == "breadth":
        problems += _check_breadth(task, limits.breadth)
    else:
        low, high = limits.hops[task.family]
        if len(chains) != 1 or not low <= len(chains[0].hops) <= high:
            problems.append(f"needs one chain of {low}-{high} hops")
        if task.solution.combine != "last" or task.answer != chains[0].hops[-1].value:
            problems.append("answer must be the last hop's value")
    if task.family == "multi_hop" and not any(_has(title, lasts[0].value) for title in titles):
        problems.append(f"the final value {lasts[0].value!r} has no page of its own")
    if task.family == "conflict" and not any(d.kind == "outdated" for d in chains[0].decoys):
        problems.append("a conflict task needs an outdated decoy")
    return problems


def _check_breadth(task: Task, breadth: tuple[int, int]) -> list[str]:
    chains = task.solution.chains
    problems = []
    low, high = breadth
    if not low <= len(chains) <= high or task.solution.combine not in ("argmax", "argmin"):
        problems.append(f"breadth needs {low}-{high} chains combined by argmax or argmin")
    values = [chain.hops[-1].value for chain in chains]
    if not all(v.isdigit() for v in values) or len(set(values)) != len(values):
        problems.append(f"breadth values must be distinct digit strings: {values}")
        return problems
    for chain in chains:
        if len(chain.hops) != 1 or not chain.label == chain.entry == chain.hops[0].subject:
            problems.append(f"breadth chain {chain.label!r}: one hop, label == entry == subject")
    pick = max if task.solution.combine == "argmax" else min
    if task.answer != pick(chains, key=lambda ch: int(ch.hops[-1].value)).label:
        problems.append("answer is not the winning chain's label")
    return problems
