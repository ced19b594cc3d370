"""`archbench cache info|clear|prune`: look at and trim the response cache.

The cache (`harness.backends.cache`) keeps every real model's answer so that a rerun costs
nothing; it grows without bound, and deleting the file by hand means knowing where it is
and that its `-wal` and `-shm` companions go with it. These commands work on the same file
a run uses (`--cache-dir`, else `$ARCHBENCH_CACHE_DIR`, else `~/.cache/archbench`) through
SQLite, so a run using the cache at the same time is not disturbed.

`prune --max-size SIZE` drops the oldest answers first (the cache records when an answer
was stored, not when it was last read) until the file is at most SIZE.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Annotated

import typer

from harness.backends.cache import ResponseCache
from harness.errors import ConfigError

app = typer.Typer(
    help="Look at and trim the response cache (real models' answers, kept for reruns).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        help="Response cache directory (default $ARCHBENCH_CACHE_DIR or ~/.cache/archbench).",
    ),
]

_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)\s*$", re.IGNORECASE)
_ROW_OVERHEAD = 64
"""Bytes a row costs beyond its text (record header, index entry, page slack): the
estimate `prune` plans with before measuring the file for real."""


def parse_size(text: str) -> int:
    """`500M`, `2GB`, `1.5GiB`, `123456`: decimal units (k, M, G, T = 10^3, 10^6, ...),
    binary ones with an `i` (KiB, MiB, ... = 2^10, 2^20, ...). A size on the command line
    should mean what `du` and every vendor's page means by it, hence both."""
    m = _SIZE.match(text)
    if m is None:
        raise ConfigError(f"--max-size '{text}' is not a size (e.g. 500M, 2GB, 1GiB, 123456)")
    number, unit, binary = float(m[1]), m[2].lower(), bool(m[3])
    if binary and not unit:
        raise ConfigError(f"--max-size '{text}' is not a size (e.g. 500M, 2GB, 1GiB, 123456)")
    scale = 1024 ** " kmgt".index(unit) if binary else _UNITS[unit]
    return int(number * scale)


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover  (the loop always returns)


def _files(cache: ResponseCache) -> list[Path]:
    return [cache.path, *(cache.path.with_name(cache.path.name + s) for s in ("-wal", "-shm"))]


def disk_size(cache: ResponseCache) -> int:
    """The database with its write-ahead log and shared-memory file: what it takes on disk."""
    return sum(p.stat().st_size for p in _files(cache) if p.is_file())


def _open(cache_dir: Path | None) -> tuple[ResponseCache, sqlite3.Connection | None]:
    """The cache and a connection to it; None when there is no file yet (then nothing is
    created: looking at a cache must not make one)."""
    cache = ResponseCache(cache_dir)
    if not cache.path.is_file():
        return cache, None
    try:
        return cache, cache.open()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"cache '{cache.path}' cannot be read: {exc}") from None


def _compact(db: sqlite3.Connection) -> None:
    """Give the freed pages back to the file system: VACUUM rewrites the file, the
    checkpoint empties the write-ahead log into it."""
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _when(stamp: float | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def info_command(cache_dir: CacheDirOpt = None) -> None:
    """Where the cache is, how big, how many answers of which models, from when."""
    cache, db = _open(cache_dir)
    print(f"cache: {cache.path}")
    if db is None:
        print("empty (no file yet: a run with a real model creates it)")
        return
    try:
        count, oldest, newest = db.execute(
            "SELECT count(*), min(created), max(created) FROM responses"
        ).fetchone()
        models = db.execute(
            "SELECT model, count(*), sum(length(CAST(response AS BLOB))) FROM responses "
            "GROUP BY model ORDER BY count(*) DESC, model"
        ).fetchall()
    finally:
        cache.close()
    print(f"size on disk: {human(disk_size(cache))}")
    print(
        f"answers: {count:,}" + (f" (stored {_when(oldest)} to {_when(newest)})" if count else "")
    )
    for model, n, size in models:
        print(f"  {model}: {n:,} ({human(int(size or 0))})")


def clear_command(
    cache_dir: CacheDirOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
) -> None:
    """Delete every cached answer (a rerun then pays for its calls again)."""
    cache, db = _open(cache_dir)
    if db is None:
        print(f"cache: {cache.path}: empty, nothing to clear")
        return
    try:
        count = db.execute("SELECT count(*) FROM responses").fetchone()[0]
        before = disk_size(cache)
        if (
            count
            and not yes
            and not typer.confirm(
                f"Delete {count:,} cached answers ({human(before)}) from {cache.path}?"
            )
        ):
            raise typer.Abort()
        db.execute("DELETE FROM responses")
        _compact(db)
    finally:
        cache.close()
    after = human(disk_size(cache))
    print(f"cache: {cache.path}: deleted {count:,} answers, {human(before)} -> {after}")


def prune_command(
    max_size: Annotated[
        str,
        typer.Option(
            "--max-size",
            metavar="SIZE",
            help="Keep the cache at most this big (500M, 2GB, 1GiB): the oldest answers go first.",
        ),
    ],
    cache_dir: CacheDirOpt = None,
) -> None:
    """Drop the oldest answers until the cache fits in SIZE."""
    limit = parse_size(max_size)
    cache, db = _open(cache_dir)
    if db is None:
        print(f"cache: {cache.path}: empty, nothing to prune")
        return
    try:
        before, count = disk_size(cache), db.execute("SELECT count(*) FROM responses").fetchone()[0]
        removed = _prune(db, cache, limit) if before > limit else 0
    finally:
        cache.close()
    after = disk_size(cache)
    print(
        f"cache: {cache.path}: {human(before)} -> {human(after)} (limit {human(limit)}); "
        f"deleted {removed:,} of {count:,} answers, oldest first"
    )
    if after > limit:
        print("  (an empty cache file is larger than the limit)")


def _prune(db: sqlite3.Connection, cache: ResponseCache, limit: int) -> int:
    """Keep the newest answers whose estimated size fits `limit`, compact, measure; while
    the file is still too big (the estimate is only an estimate), drop a tenth more. The
    number of answers deleted."""
    rows = db.execute(
        "SELECT rowid, length(CAST(key AS BLOB)) + length(CAST(model AS BLOB)) + "
        "length(CAST(response AS BLOB)) FROM responses ORDER BY created DESC, rowid DESC"
    ).fetchall()
    keep, total = 0, 0
    for _, size in rows:
        total += size + _ROW_OVERHEAD
        if total > limit:
            break
        keep += 1
    kept = len(rows)
    while True:
        doomed = [rowid for rowid, _ in rows[keep:kept]]
        for i in range(0, len(doomed), 500):
            chunk = doomed[i : i + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM responses WHERE rowid IN ({marks})", chunk)
        kept = keep
        _compact(db)
        if disk_size(cache) <= limit or kept == 0:
            return len(rows) - kept
        keep = kept * 9 // 10


app.command("info", help="Where the cache is, how big, how many answers of which models.")(
    info_command
)
app.command("clear", help="Delete every cached answer (reruns then pay again).")(clear_command)
app.command("prune", help="Drop the oldest answers until the cache fits in --max-size.")(
    prune_command
)
