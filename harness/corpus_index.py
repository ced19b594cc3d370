"""The corpus's full-text index: built once per suite content, then loaded from disk.

Why a cache: indexing a suite's pages with FTS5's trigram tokenizer takes ~40 ms for the
default suite, and every run pays it, as does every worker process of `--workers N` and
every cell of a sweep; the index is a pure function of the pages, so it is built once and
kept as the database's bytes (`sqlite3.Connection.serialize`), which a run opens in place,
read-only and memory-mapped, in well under a millisecond. A loaded index is byte-for-byte
the one that was built, so searches rank exactly as they would on a fresh build.

    ~/.cache/archbench/corpus/<sha256>.sqlite      (or $ARCHBENCH_CACHE_DIR/corpus/)

The name is a hash of the pages (ids, titles, texts, in rowid order), the schema below and
the SQLite version. The cache is an optimisation only: a directory that cannot be written
or a file that cannot be read means the index is built in memory, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from harness.backends.cache import default_cache_dir, write_cache_file
from harness.task import Document

log = logging.getLogger("archbench.corpus")

SCHEMA = "CREATE VIRTUAL TABLE t USING fts5(title, text, tokenize='trigram')"
_FORMAT = 1
NO_CACHE_ENV = "ARCHBENCH_NO_INDEX_CACHE"
"""Set (to anything but empty) to build every index in memory and never touch the disk."""


def open_index(ordered: Sequence[Document], cache_dir: Path | None = None) -> sqlite3.Connection:
    """A read-only connection to the index of `ordered` (rowid = position): loaded from the
    cache when it holds this content, else built (and saved for the next run)."""
    path = None if os.environ.get(NO_CACHE_ENV) else _cache_path(ordered, cache_dir)
    if path is not None:
        conn = _load(path, len(ordered))
        if conn is not None:
            return _read_only(conn)
    conn = build_index(ordered)
    if path is not None:
        _save(conn, path)
    return _read_only(conn)


def build_index(ordered: Sequence[Document]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    with conn:
        conn.execute(SCHEMA)
        conn.executemany(
            "INSERT INTO t(rowid, title, text) VALUES (?, ?, ?)",
            ((rowid, doc.title, doc.text) for rowid, doc in enumerate(ordered)),
        )
        conn.execute("INSERT INTO t(t) VALUES ('optimize')")
    return conn


def index_key(ordered: Sequence[Document]) -> str:
    h = hashlib.sha256(f"{_FORMAT}\0{SCHEMA}\0{sqlite3.sqlite_version}\0".encode())
    for doc in ordered:
        for part in (doc.id, doc.title, doc.text):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()


def _cache_path(ordered: Sequence[Document], cache_dir: Path | None) -> Path | None:
    try:
        base = cache_dir or default_cache_dir()
    except RuntimeError:  # no home directory to put a cache in
        return None
    return base / "corpus" / f"{index_key(ordered)}.sqlite"


def _load(path: Path, rows: int) -> sqlite3.Connection | None:
    """The cached file itself, opened read-only and memory-mapped: nothing is read or
    copied up front (pages come from the OS page cache as searches touch them, shared by
    every process that opens the file, `--workers` included), so opening costs a fraction
    of a millisecond instead of reading and deserialising megabytes. The file is never
    written in place (see `_save`), hence `immutable`: SQLite takes no locks on it. A file
    shorter than its header says (torn) or not a database is refused."""
    try:
        size = path.stat().st_size
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
    except (OSError, sqlite3.Error):
        return None
    try:
        conn.execute(f"PRAGMA mmap_size={max(size, 1 << 20)}")
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        (count,) = conn.execute("SELECT count(*) FROM t").fetchone()
        if pages * page_size == size and count == rows:
            return conn
    except sqlite3.DatabaseError:
        pass
    conn.close()
    log.info("corpus index cache %s is damaged: rebuilding it", path)
    return None


def _save(conn: sqlite3.Connection, path: Path) -> None:
    try:
        write_cache_file(path, conn.serialize())
    except OSError as exc:
        log.info("corpus index not cached (%s): it is rebuilt on every run", exc)


def _read_only(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.execute("PRAGMA query_only = ON")
    return conn
