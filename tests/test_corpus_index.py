"""The corpus index cache: built once per content, loaded byte for byte, never trusted blindly."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from harness import corpus_index
from harness.corpus import Corpus
from harness.task import Document, TaskSuite

QUERIES = ["founder", "Zentrix Corp", "headquarters city", "2011", "not a word anywhere"]


def _searches(corpus: Corpus) -> list[list[tuple[str, str]]]:
    return [[(h.doc_id, h.snippet) for h in corpus.search(q, k=5)] for q in QUERIES]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARCHBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(corpus_index.NO_CACHE_ENV, raising=False)
    return tmp_path / "corpus"


def test_built_once_then_loaded_with_the_same_rankings(
    cache: Path, mini: TaskSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = Corpus(mini.documents)
    files = list(cache.glob("*.sqlite"))
    assert len(files) == 1
    expected = _searches(fresh)
    assert any(expected), "the queries must find something for the check to mean anything"

    def no_build(ordered: object) -> sqlite3.Connection:
        raise AssertionError("the index was rebuilt although the cache holds it")

    monkeypatch.setattr(corpus_index, "build_index", no_build)
    loaded = Corpus(mini.documents)
    assert _searches(loaded) == expected
    # opened in place (memory-mapped, shared by processes), not read into a copy
    (_, name, file), *_ = loaded._conn.execute("PRAGMA database_list").fetchall()
    assert Path(file) == files[0].resolve()
    assert loaded._conn.execute("PRAGMA query_only").fetchone() == (1,)


def test_the_key_follows_the_content(mini: TaskSuite) -> None:
    docs = sorted(mini.documents, key=lambda d: d.id)
    changed = [docs[0].model_copy(update={"text": docs[0].text + " More."}), *docs[1:]]
    assert corpus_index.index_key(docs) == corpus_index.index_key(list(docs))
    assert corpus_index.index_key(docs) != corpus_index.index_key(changed)
    # lengths are part of the key: moving text between fields is a different corpus
    a = [Document(id="d1", title="ab", text="c")]
    b = [Document(id="d1", title="a", text="bc")]
    assert corpus_index.index_key(a) != corpus_index.index_key(b)


def test_a_damaged_file_is_rebuilt_and_replaced(cache: Path, mini: TaskSuite) -> None:
    expected = _searches(Corpus(mini.documents))
    (path,) = cache.glob("*.sqlite")
    good = path.read_bytes()
    path.write_bytes(b"not a database at all" * 100)
    assert _searches(Corpus(mini.documents)) == expected
    assert path.read_bytes() == good
    path.write_bytes(good[: len(good) // 3])  # a torn copy
    assert _searches(Corpus(mini.documents)) == expected


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, mini: TaskSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("ARCHBENCH_CACHE_DIR", str(blocker))
    expected = _searches(Corpus(mini.documents))
    assert expected == _searches(Corpus(mini.documents))
    assert blocker.read_text() == "x"


def test_switched_off(cache: Path, mini: TaskSuite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(corpus_index.NO_CACHE_ENV, "1")
    Corpus(mini.documents)
    assert not cache.exists()


def test_no_temporary_files_are_left(cache: Path, mini: TaskSuite) -> None:
    Corpus(mini.documents)
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".sqlite")] == []
    assert all(os.path.getsize(p) > 0 for p in cache.iterdir())
