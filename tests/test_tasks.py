"""The built-in suites and the generator hold the contract the simulated models rely on.

Every point is checked here directly, for every task of both shipped suites and of two
generated suites (one with non-default arguments), and once more through the library's
own `check_contract`, which must also catch a broken suite.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from harness.corpus import Corpus
from harness.task import FAMILIES, Chain, Decoy, Hop, Task, TaskSuite
from tasks import builtin_suite_names, check_contract, generate_suite, load_builtin_suite
from tasks.__main__ import DATA, builtin_suites, dump

TOP = 5
CJK = re.compile(r"[\u4e00-\u9fff]")
SUITES: dict[str, TaskSuite] = {
    "default": load_builtin_suite("default"),
    "article": load_builtin_suite("article"),
    "generated": generate_suite(seed=7, per_family=4),
    "odd": generate_suite(
        seed=3, per_family=3, hops=(3, 4), breadth=(4, 5), distractors=1, alias_rate=1.0
    ),
}
CORPORA = {name: Corpus(suite.documents) for name, suite in SUITES.items()}
CASES = [(name, task) for name, suite in SUITES.items() for task in suite.tasks]


def case_id(case: object) -> str:
    return case.id if isinstance(case, Task) else str(case)


def has(haystack: str, needle: str) -> bool:
    return needle.lower() in haystack.lower()


def top(corpus: Corpus, query: str) -> list[str]:
    return [hit.doc_id for hit in corpus.search(query, k=TOP)]


def walk(corpus: Corpus, chain: Chain) -> list[str]:
    """What a simulated researcher learns walking `chain`, using only search and open."""
    learned: list[str] = []
    subject = chain.entry
    for k, hop in enumerate(chain.hops):
        hits = corpus.search(f"{subject} {hop.relation}", k=TOP)
        recognised = [h.doc_id for h in hits if has(h.title, subject)]
        if k == 0 and chain.rename is not None:
            assert hop.doc_id not in recognised  # the obvious search is a dead end
            rename = chain.rename
            hits = corpus.search(f"{chain.entry} {rename.relation}", k=TOP)
            assert rename.doc_id in [h.doc_id for h in hits if has(h.title, chain.entry)]
            rename_doc = corpus.get(rename.doc_id)
            assert rename_doc is not None and rename.value in rename_doc.text
            subject = rename.value
            hits = corpus.search(f"{subject} {hop.relation}", k=TOP)
            recognised = [h.doc_id for h in hits if has(h.title, subject)]
        assert hop.doc_id in recognised, f"{hop.doc_id} not recognised for {subject!r}"
        page = corpus.get(hop.doc_id)
        assert page is not None and hop.value in page.text
        learned.append(hop.value)
        subject = hop.value
    return learned


@pytest.mark.parametrize(("suite", "task"), CASES, ids=case_id)
def test_every_hop_is_findable_and_states_its_value(suite: str, task: Task) -> None:
    corpus = CORPORA[suite]
    for chain in task.solution.chains:
        for k, hop in enumerate(chain.hops):
            page = corpus.get(hop.doc_id)
            assert page is not None
            assert has(page.title, hop.subject)
            assert hop.value in page.text
            assert hop.doc_id in top(corpus, f"{hop.subject} {hop.relation}")
            if k:
                assert hop.subject == chain.hops[k - 1].value
        assert walk(corpus, chain) == [hop.value for hop in chain.hops]


@pytest.mark.parametrize(("suite", "task"), CASES, ids=case_id)
def test_family_shape_answer_and_support(suite: str, task: Task) -> None:
    chains = task.solution.chains
    assert re.fullmatch(rf"{SUITES[suite].name}-{task.family}-\d\d", task.id)
    assert task.support_docs == list(dict.fromkeys(c.hops[-1].doc_id for c in chains))
    if task.family == "breadth":
        assert 3 <= len(chains) <= 5 and task.solution.combine in ("argmax", "argmin")
        values = [c.hops[-1].value for c in chains]
        assert all(v.isdigit() for v in values) and len(set(values)) == len(values)
        for c in chains:
            assert len(c.hops) == 1 and c.label == c.entry == c.hops[0].subject
        pick = max if task.solution.combine == "argmax" else min
        assert task.answer == pick(chains, key=lambda c: int(c.hops[-1].value)).label
        return
    assert len(chains) == 1 and task.solution.combine == "last"
    assert task.answer == chains[0].hops[-1].value
    hops = len(chains[0].hops)
    if task.family == "lookup":
        assert hops == 1
    elif task.family == "multi_hop":
        assert 2 <= hops <= 4
        titles = [d.title for d in SUITES[suite].documents]
        assert any(has(t, chains[0].hops[-1].value) for t in titles)  # the value has a page
    else:
        assert 1 <= hops <= 2


@pytest.mark.parametrize(("suite", "task"), CASES, ids=case_id)
def test_decoys_and_guesses(suite: str, task: Task) -> None:
    corpus = CORPORA[suite]
    for chain in task.solution.chains:
        gold = chain.hops[-1].value
        assert 2 <= len(chain.guesses) <= 4 and gold not in chain.guesses
        assert len(set(chain.guesses)) == len(chain.guesses)
        for decoy in chain.decoys:
            hop = chain.hops[decoy.hop]
            page, gold_page = corpus.get(decoy.doc_id), corpus.get(hop.doc_id)
            assert page is not None and gold_page is not None
            assert decoy.value != hop.value and decoy.value in page.text
            if decoy.kind == "namesake":
                assert not has(page.title, hop.subject)
            else:
                assert has(page.title, hop.subject)
                assert page.date and gold_page.date and page.date < gold_page.date
                assert decoy.doc_id in top(corpus, f"{hop.subject} {hop.relation}")
    outdated = [d for c in task.solution.chains for d in c.decoys if d.kind == "outdated"]
    assert outdated or task.family != "conflict"


@pytest.mark.parametrize(("suite", "task"), CASES, ids=case_id)
def test_dead_ends_enter_under_another_name(suite: str, task: Task) -> None:
    corpus = CORPORA[suite]
    for chain in task.solution.chains:
        if task.family != "dead_end":
            assert chain.rename is None and chain.entry == chain.hops[0].subject
            continue
        first, rename = chain.hops[0], chain.rename
        assert rename is not None and chain.entry != first.subject
        assert has(task.question, chain.entry)
        gold = corpus.get(first.doc_id)
        assert gold is not None
        assert not has(gold.title, chain.entry) and not has(gold.text, chain.entry)
        assert rename.subject == chain.entry and rename.value == first.subject
        assert rename.relation in ("renamed", "also known as", "更名為", "品牌名稱")
        page = corpus.get(rename.doc_id)
        assert page is not None and has(page.title, chain.entry) and rename.value in page.text
        assert rename.doc_id in top(corpus, f"{chain.entry} {rename.relation}")


@pytest.mark.parametrize("name", SUITES)
def test_documents_read_like_pages(name: str) -> None:
    suite = SUITES[name]
    assert len({d.id for d in suite.documents}) == len(suite.documents)
    for doc in suite.documents:
        assert doc.date and re.fullmatch(r"20\d\d-[01]\d-[0-3]\d", doc.date)
        assert "|" not in doc.title and "\n" not in doc.title
        if doc.lang == "en":
            assert 120 <= len(doc.text.split()) <= 350, doc.title
        else:
            assert 150 <= len(doc.text) <= 700 and CJK.search(doc.text), doc.title
    assert check_contract(suite, CORPORA[name]) == []


def test_builtin_names_and_loading() -> None:
    assert builtin_suite_names() == ["article", "deep", "default"]
    with pytest.raises(KeyError, match="known: article, deep, default"):
        load_builtin_suite("nope")


def test_default_suite_size_and_language() -> None:
    suite = SUITES["default"]
    assert Counter(t.family for t in suite.tasks) == {f: 12 for f in FAMILIES}
    assert suite.tasks[0].id == "default-lookup-01"
    for task in suite.tasks:
        assert task.lang == "en" and task.question.endswith("?") and not CJK.search(task.question)
    dead = [t.solution.chains[0].rename for t in suite.tasks if t.family == "dead_end"]
    assert Counter(r.relation for r in dead if r) == {"renamed": 6, "also known as": 6}
    # Relation words are on many more pages than the gold ones: search has to rank.
    for word in ("headcount", "founder", "headquarters", "launch price"):
        assert sum(word in d.text for d in suite.documents) > 40


def test_article_suite_facts_and_languages() -> None:
    suite = SUITES["article"]
    assert len(suite.tasks) >= 15 and {t.family for t in suite.tasks} == set(FAMILIES)
    assert {t.lang for t in suite.tasks} == {"en", "zh"} == {d.lang for d in suite.documents}
    answers = {t.answer for t in suite.tasks}
    for fact in ("4560億", "Lightning Attention", "3.8 million yuan", "肖弘", "1.5億元", "楊植麟"):
        assert fact in answers
    conflicts = {
        t.solution.chains[0].decoys[0].value for t in suite.tasks if t.family == "conflict"
    }
    assert "8.6%" in conflicts
    assert "海螺AI" in {t.solution.chains[0].entry for t in suite.tasks if t.family == "dead_end"}
    traditional = "".join(d.text for d in suite.documents if d.lang == "zh")
    assert "創始人" in traditional and "创始人" not in traditional


def test_alias_rate_and_arguments() -> None:
    def rename_words(suite: TaskSuite) -> set[str]:
        chains = [t.solution.chains[0] for t in suite.tasks if t.family == "dead_end"]
        return {c.rename.relation for c in chains if c.rename}

    assert rename_words(SUITES["odd"]) == {"also known as"}
    tiny = generate_suite(seed=1, per_family=1, alias_rate=0.0, breadth=(5, 5))
    assert rename_words(tiny) == {"renamed"} and check_contract(tiny) == []
    odd = SUITES["odd"]
    assert all(len(t.solution.chains[0].hops) >= 3 for t in odd.tasks if t.family == "multi_hop")
    assert all(len(t.solution.chains) >= 4 for t in odd.tasks if t.family == "breadth")
    for bad in ({"per_family": 0}, {"hops": (3, 2)}, {"breadth": (1, 2)}, {"alias_rate": 2.0}):
        with pytest.raises(ValueError):
            generate_suite(**bad)


def test_generation_is_deterministic() -> None:
    first = generate_suite(seed=5, per_family=2, name="x").model_dump_json()
    assert generate_suite(seed=5, per_family=2, name="x").model_dump_json() == first
    assert generate_suite(seed=6, per_family=2, name="x").model_dump_json() != first


def test_shipped_files_match_regeneration() -> None:
    for name, suite in builtin_suites().items():
        assert (DATA / f"{name}.json").read_bytes() == dump(suite), "run: python -m tasks"


def test_check_contract_catches_broken_suites() -> None:
    suite = SUITES["generated"]
    task = next(t for t in suite.tasks if t.family == "conflict")
    chain = task.solution.chains[0]
    hop = chain.hops[0]
    wrong_value = hop.model_copy(update={"value": "no such value"})
    stale = Decoy(hop=0, doc_id=hop.doc_id, value="x", kind="outdated")
    broken_chain = chain.model_copy(update={"hops": [wrong_value], "decoys": [stale]})
    broken = task.model_copy(
        update={"solution": task.solution.model_copy(update={"chains": [broken_chain]})}
    )
    bad_suite = suite.model_copy(update={"tasks": [broken]})
    problems = "\n".join(check_contract(bad_suite, CORPORA["generated"]))
    assert "does not state 'no such value'" in problems
    assert "answer must be the last hop's value" in problems
    assert "is not older than gold" in problems
    unfindable = Hop(subject="Nobody", relation="founder", doc_id=hop.doc_id, value=hop.value)
    lost = task.model_copy(
        update={
            "solution": task.solution.model_copy(
                update={"chains": [chain.model_copy(update={"hops": [unfindable]})]}
            )
        }
    )
    problems = "\n".join(check_contract(suite.model_copy(update={"tasks": [lost]})))
    assert "lacks subject 'Nobody'" in problems and "not in the top 5" in problems
