"""The offline corpus: an in-memory SQLite FTS5 index over a suite's documents.

Why SQLite FTS5 with the trigram tokenizer: it ships with Python, needs no model or network,
ranks with BM25, and matches any substring of three or more characters, so Chinese text
(which has no spaces between words) is searchable exactly like English. The price is that
a search term shorter than three characters cannot match anything; such terms are dropped.

Why the query is rebuilt rather than passed through: model-written queries contain quotes,
colons, `AND`, `NEAR(` and other FTS5 syntax. Every term is quoted as a phrase and the terms
are OR-ed, so no user string can raise an FTS syntax error; BM25 then rewards the pages
that match the most (and the rarest) terms, with a match in the title counting ten times
as much as one in the body.

Example:
    >>> from harness.task import Document, TaskSuite
    >>> corpus = Corpus([Document(id="d1", title="Zentrix Corp", text="Its founder is Dana Vell.")])
    >>> [hit.doc_id for hit in corpus.search("Zentrix Corp founder")]
    ['d1']
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from harness.corpus_index import open_index
from harness.task import Document, TaskSuite

__all__ = ["Corpus", "SearchHit", "query_terms"]

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
MIN_TERM_CHARS = 3  # the trigram tokenizer cannot match anything shorter
MAX_TERMS = 48  # bounds the work a pathological query can cause
MAX_CACHED_TERMS = 100_000
MAX_CACHED_RESULTS = 20_000  # least recently used results are forgotten first
RESULTS_PER_SEARCH = 5  # what the `search` tool shows unless a suite says otherwise
SNIPPET_WORDS = 30
SNIPPET_CJK_CHARS = 40
LONG_CJK_RUN = 5  # CJK runs at least this long are probably phrases: also search their trigrams

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TERM = re.compile(r"[^\W_]+")  # letters, digits and CJK; everything else separates terms
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked search result: enough for a researcher to decide whether to open it."""

    doc_id: str
    title: str
    snippet: str
    date: str | None


def query_terms(query: str) -> list[str]:
    """The search terms of `query`, in order, deduplicated case-insensitively.

    Terms are the runs between whitespace and punctuation, kept if at least three
    characters long. A CJK run of five or more characters is probably several words
    written without spaces ("月之暗面創始人是誰"), so its three-character windows are added
    too: the page about 月之暗面 then still matches although the whole run appears nowhere.
    """
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        key = term.casefold()
        if len(term) >= MIN_TERM_CHARS and key not in seen and len(terms) < MAX_TERMS:
            seen.add(key)
            terms.append(term)

    for run in _TERM.findall(query):
        add(run)
        for cjk in _CJK_RUN.findall(run):
            if len(cjk) >= LONG_CJK_RUN:
                for i in range(len(cjk) - MIN_TERM_CHARS + 1):
                    add(cjk[i : i + MIN_TERM_CHARS])
    return terms


def _match_expression(terms: Sequence[str]) -> str:
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


class Corpus:
    """A read-only, thread-safe full-text index over a fixed set of documents.

    Documents are inserted in doc-id order, so the FTS rowid order is the doc-id order and
    "ORDER BY bm25(...), rowid" breaks BM25 ties by doc id: the same query always gives
    the same ranking. One connection is shared by all threads behind a lock (a search
    takes well under a millisecond, so the lock costs nothing worth a connection pool);
    the page-unit cache is filled outside it, with idempotent dict writes.
    """

    def __init__(
        self, documents: Sequence[Document], *, results_per_search: int | None = None
    ) -> None:
        self.results_per_search = results_per_search or RESULTS_PER_SEARCH
        """Hits the `search` tool shows per query (`TaskSuite.search_results`)."""
        ordered = sorted(documents, key=lambda doc: doc.id)
        self._docs: dict[str, Document] = {}
        for doc in ordered:
            if doc.id in self._docs:
                raise ValueError(f"duplicate document id {doc.id!r}")
            self._docs[doc.id] = doc
        self._by_rowid: list[Document] = ordered
        self._lock = threading.Lock()
        self._unit_cache: dict[int, _Units] = {}
        self._frequency: dict[str, int] = {}  # lower-cased term -> pages matching it
        self._results: OrderedDict[tuple[str, int], tuple[SearchHit, ...]] = OrderedDict()
        self._conn = open_index(ordered)

    @classmethod
    def of_suite(cls, suite: TaskSuite) -> Corpus:
        """The corpus of `suite`'s documents, searched as the suite asks."""
        return cls(suite.documents, results_per_search=suite.search_results)

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or None."""
        return self._docs.get(doc_id)

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The `k` best pages for `query`, best first; [] when no term is searchable.

        Results are remembered (the corpus never changes): simulated agents of every
        architecture send the same queries for the same task, again and again.
        """
        key = (query, k)
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return list(cached)
        hits = self._search(query, k)
        with self._lock:
            self._results[key] = tuple(hits)
            if len(self._results) > MAX_CACHED_RESULTS:
                self._results.popitem(last=False)
        return hits

    def _search(self, query: str, k: int) -> list[SearchHit]:
        terms = query_terms(query)
        if not terms or k <= 0:
            return []
        with self._lock:
            informative = self._informative(terms)
            rows = self._ranked(informative, k) if informative else []
            if len(rows) < k and len(informative) < len(terms):
                rows = self._ranked(terms, k)
        # Matched against the lower-cased text: much faster than re.IGNORECASE.
        pattern = re.compile("|".join(re.escape(t.lower()) for t in sorted(terms, key=len)[::-1]))
        hits = []
        for (rowid,) in rows:
            doc = self._by_rowid[rowid]
            snippet = _snippet(doc.text, self._units(rowid), pattern)
            hits.append(SearchHit(doc.id, doc.title, snippet, doc.date))
        return hits

    def _ranked(self, terms: list[str], k: int) -> list[tuple[int]]:
        return self._conn.execute(
            "SELECT rowid FROM t WHERE t MATCH ? "
            f"ORDER BY bm25(t, {TITLE_WEIGHT}, {BODY_WEIGHT}), rowid LIMIT ?",
            (_match_expression(terms), k),
        ).fetchall()

    def _informative(self, terms: list[str]) -> list[str]:
        """`terms` without those on more than half of the pages.

        BM25 gives such a term no weight (FTS5 clamps its IDF to 1e-6), so as long as the
        other terms still fill the k results (search() falls back to all terms when they
        do not), dropping it leaves the ranking as it was, while sparing the scoring of
        the hundreds of rows it matches: several times faster on a corpus of 1000 pages.
        Document frequencies are counted once per term and remembered. Caller holds the
        lock.
        """
        kept = []
        for term in terms:
            key = term.lower()
            frequency = self._frequency.get(key)
            if frequency is None:
                if len(self._frequency) >= MAX_CACHED_TERMS:
                    self._frequency.clear()
                (frequency,) = self._conn.execute(
                    "SELECT count(*) FROM t WHERE t MATCH ?", (_match_expression([term]),)
                ).fetchone()
                self._frequency[key] = frequency
            if 2 * frequency <= len(self._by_rowid):
                kept.append(term)
        return kept

    def _units(self, rowid: int) -> _Units:
        """The snippet units (words, or characters of CJK text) of a page, made once."""
        units = self._unit_cache.get(rowid)
        if units is None:
            units = self._unit_cache[rowid] = _Units.of(self._by_rowid[rowid].text)
        return units


@dataclass(frozen=True, slots=True)
class _Units:
    """Where the snippet units of a text start and end: words, or single characters when
    the text is mostly CJK (it has no spaces to split on)."""

    starts: list[int]
    ends: list[int]
    width: int
    lowered: str  # text.lower(), or text itself where lower() would shift offsets

    @staticmethod
    def of(text: str) -> _Units:
        lowered = text.lower()
        lowered = lowered if len(lowered) == len(text) else text
        if len(_CJK_CHAR.findall(text)) * 5 > len(text):
            chars = list(range(len(text) + 1))
            return _Units(chars[:-1], chars[1:], SNIPPET_CJK_CHARS, lowered)
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        return _Units([w[0] for w in words], [w[1] for w in words], SNIPPET_WORDS, lowered)


def _snippet(text: str, units: _Units, pattern: re.Pattern[str]) -> str:
    """About 30 words (or 40 CJK characters) of the body, where most query terms meet.

    Computed in Python because FTS5's snippet() counts trigram tokens, i.e. characters,
    which makes English snippets a handful of words long. The window starts a little
    before the match that has the most distinct terms within reach (the earliest on a
    tie), like a web search snippet; the start of the text when only the title matched.
    """
    if not units.starts:
        return ""
    found = [(m.start(), m.group()) for m in islice(pattern.finditer(units.lowered), 64)]
    starts = [start for start, _ in found]
    terms = [term for _, term in found]
    count, width = len(units.starts), units.width
    best, best_terms = 0, 0
    for unit in dict.fromkeys(bisect.bisect_right(units.ends, start) for start in starts):
        first = max(0, min(unit - width // 5, count - width))
        low = bisect.bisect_left(starts, units.starts[first])
        high = bisect.bisect_left(starts, units.ends[min(count, first + width) - 1])
        if len(set(terms[low:high])) > best_terms:
            best, best_terms = first, len(set(terms[low:high]))
    begin, end = units.starts[best], units.ends[min(count, best + width) - 1]
    body = " ".join(text[begin:end].split())  # one line: tools print one hit per line
    return ("…" if begin > 0 else "") + body + ("…" if end < len(text) else "")
