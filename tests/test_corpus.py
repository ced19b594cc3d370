"""The offline corpus: ranking, safe query handling, snippets, threads, speed."""

from __future__ import annotations

import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.corpus import Corpus, SearchHit, _match_expression, query_terms
from harness.task import Document


def doc(doc_id: str, title: str, text: str, date: str | None = "2024-01-01") -> Document:
    return Document(id=doc_id, title=title, text=text, date=date)


FILLER = "The company publishes its headcount every spring and names its founder. " * 3


DOCS = [
    doc("d3", "Zentrix Corp", FILLER + "Its founder is Dana Vell. Its headcount is 5120."),
    doc("d1", "Zentrix Group", FILLER + "Its founder is Mira Vell."),
    doc("d2", "Orin Labs", FILLER + "Orin Labs competes with Zentrix Corp on price."),
    doc("d4", "月之暗面", "月之暗面是一家大模型公司,總部所在地為北京,創始人為楊植麟。"),
    Document(id="d5", title="Kimi-Researcher", text="開發公司為月之暗面。", lang="zh"),
    # BM25 ignores terms on more than half of the pages: keep the names above rare.
    *(doc(f"x{i}", f"River {i}", "A page about weather and rivers.") for i in range(10)),
]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(DOCS)


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.doc_id for hit in hits]


def test_get_len_and_duplicates(corpus: Corpus) -> None:
    assert len(corpus) == 15
    found = corpus.get("d3")
    assert found is not None and found.title == "Zentrix Corp"
    assert corpus.get("nope") is None
    with pytest.raises(ValueError, match="duplicate document id 'x'"):
        Corpus([doc("x", "A", "aaa"), doc("x", "B", "bbb")])


def test_title_match_outranks_body_match(corpus: Corpus) -> None:
    hits = corpus.search("Zentrix Corp founder")
    assert ids(hits)[0] == "d3"  # both words in the title
    assert ids(hits).index("d1") < ids(hits).index("d2")  # "Zentrix" in a title beats a body
    assert hits[0] == SearchHit("d3", "Zentrix Corp", hits[0].snippet, "2024-01-01")


def test_results_are_limited_and_deterministic(corpus: Corpus) -> None:
    assert len(corpus.search("founder", k=2)) == 2
    assert corpus.search("founder", k=0) == []
    assert corpus.search("Zentrix founder") == corpus.search("Zentrix founder")


def test_ties_are_broken_by_doc_id() -> None:
    twins = Corpus([doc(i, "Same title", "same text here") for i in ("c", "a", "b")])
    assert ids(twins.search("same title")) == ["a", "b", "c"]


@pytest.mark.parametrize(
    "query",
    ['"', "'", 'Zentrix" OR', "AND OR NOT", "NEAR(Zentrix founder)", "founder*", "title:x",
     "col:(", "\\", "^Zentrix", "{title}: Zentrix", "Zentrix -founder", "a" * 5000],
)  # fmt: skip
def test_any_string_is_a_safe_query(corpus: Corpus, query: str) -> None:
    hits = corpus.search(query)  # never an FTS syntax error
    assert isinstance(hits, list)
    if "Zentrix" in query:
        assert hits and hits[0].title.startswith("Zentrix")


@pytest.mark.parametrize("query", ["", "   ", "a b", "?!", "to be or", "智譜", "M1"])
def test_unsearchable_queries_return_nothing(corpus: Corpus, query: str) -> None:
    assert corpus.search(query) == []


def test_query_terms() -> None:
    assert query_terms("Zentrix Corp's founder, a ZENTRIX") == ["Zentrix", "Corp", "founder"]
    assert query_terms("MiniMax-M1 參數量") == ["MiniMax", "參數量"]
    assert query_terms("海螺AI 更名為") == ["海螺AI", "更名為"]
    # A long CJK run is also searched by its three-character windows.
    assert query_terms("月之暗面創始人") == [
        "月之暗面創始人",
        "月之暗",
        "之暗面",
        "暗面創",
        "面創始",
        "創始人",
    ]
    assert _match_expression(['a"b', "c"]) == '"a""b" OR "c"'


def test_chinese_search(corpus: Corpus) -> None:
    assert ids(corpus.search("月之暗面 創始人"))[0] == "d4"
    assert ids(corpus.search("月之暗面的創始人是誰"))[0] == "d4"  # no spaces: windows match
    assert ids(corpus.search("kimi-researcher 開發公司"))[0] == "d5"  # case-insensitive


def test_snippet_is_one_short_line_around_the_best_match(corpus: Corpus) -> None:
    hit = corpus.search("Zentrix headcount 5120")[0]
    assert hit.doc_id == "d3"
    assert "5120" in hit.snippet and "\n" not in hit.snippet
    assert hit.snippet.startswith("…")  # the window skips the filler at the start
    assert len(hit.snippet.split()) <= 30
    title_only = corpus.search("Group")[0]
    assert title_only.doc_id == "d1"
    assert title_only.snippet.startswith("The company publishes")  # no body match: the start
    zh = corpus.search("楊植麟")[0]
    assert "楊植麟" in zh.snippet and len(zh.snippet) <= 42


def test_common_terms_do_not_change_the_ranking() -> None:
    rng = random.Random(1)
    words = [f"w{i:03d}" for i in range(300)]
    texts = [" ".join(rng.choices(words, k=60)) for _ in range(200)]
    docs = [
        doc(f"d{i:03d}", " ".join(rng.sample(words, 2)), f"common {t}") for i, t in enumerate(texts)
    ]
    corpus = Corpus(docs)
    for query in ("w001 w002", "w010 w200 w150", "w042"):
        with_common = ids(corpus.search(query + " common", k=10))
        assert with_common == ids(corpus.search(query, k=10)) and len(with_common) == 10
    assert len(corpus.search("common", k=10)) == 10  # a query of common terms still works
    rare = ids(corpus.search("zzzz common", k=10))  # too few rare matches: common terms count
    assert len(rare) == 10


def test_read_only_after_build(corpus: Corpus) -> None:
    with pytest.raises(sqlite3.OperationalError):
        corpus._conn.execute("INSERT INTO t(title, text) VALUES ('x', 'y')")
    assert len(corpus.search("Zentrix")) == 3


def test_usable_from_many_threads(corpus: Corpus) -> None:
    words = ["Zentrix", "Corp", "founder", "月之暗面", "創始人", "Orin", "price", "headcount"]
    queries = [f"{a} {b}" for a in words for b in words] * 3
    expected = [corpus.search(q) for q in queries]
    fresh = Corpus(DOCS)  # nothing cached yet: the threads really share the connection
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fresh.search, queries)) == expected


def test_cached_results_are_copies(corpus: Corpus) -> None:
    first = corpus.search("Zentrix founder")
    first.clear()
    assert corpus.search("Zentrix founder")  # the caller's list is not the cache


def test_a_large_corpus_builds_and_ranks_its_own_title_first() -> None:
    """A 1,000-page corpus builds and answers queries (its speed is measured in bench/,
    never asserted here: these machines are noisy)."""
    rng = random.Random(0)
    consonants, vowels = "bcdfgklmnprstvz", "aeiou"
    vocabulary = [
        "".join(rng.choice(vowels if i % 2 else consonants) for i in range(rng.randint(4, 8)))
        for _ in range(2000)
    ]
    vocabulary += "founder headcount headquarters year company city launch price".split()
    texts = [" ".join(rng.choices(vocabulary, k=180)) for _ in range(1000)]
    titles = [" ".join(rng.sample(vocabulary, 2)) for _ in texts]
    docs = [
        doc(f"{i:04d}", title, t) for i, (title, t) in enumerate(zip(titles, texts, strict=True))
    ]
    corpus = Corpus(docs)
    hits = corpus.search(titles[7])
    assert hits and any(h.doc_id == "0007" for h in hits)
