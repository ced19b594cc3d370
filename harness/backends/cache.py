"""The response cache: every real model's answer, on disk in SQLite, keyed by the request.

Rerunning a comparison asks the cache first, so it costs nothing and returns the answers,
token counts and measured latencies of the first run (the cost is recomputed from the
current price table). Only real backends are cached: simulated ones are free and read the
oracle, which is never part of a key.

    ~/.cache/archbench/responses.sqlite     (or $ARCHBENCH_CACHE_DIR, or --cache-dir)
    table responses(key TEXT PRIMARY KEY, model TEXT, response TEXT, created REAL)

`key` is `base.request_key` (sha256 of model identity, messages, tools, config, seed),
`model` the identity (provider/model@endpoint, never a key), `response` the JSON of the
`ModelResponse` with the `sim_version` (`harness.sim.version`) of the archbench that asked.
The version is recorded, not keyed: a real model's answer depends on the request it got,
and the key is that request, whatever simulation produced it. (It goes in the JSON rather
than a column of its own so that older archbench versions can still share the file.)
Delete the file to empty the cache; `--no-cache` bypasses it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.backends.base import (
    CallStats,
    RealBackend,
    RequestKeys,
    response_from_json,
    response_json,
)
from harness.errors import ConfigError
from harness.messages import ModelRequest, ModelResponse
from harness.sim.version import SIM_VERSION
from harness.usage import Usage

CACHE_ENV = "ARCHBENCH_CACHE_DIR"
CACHE_FILE = "responses.sqlite"
_SCHEMA_VERSION = 1


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "archbench"


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a file of the cache whole: to a temporary file beside it, then renamed, so a
    reader never sees half a file and two processes saving it at once both leave a whole
    one. Raises OSError (a caller that can do without the file logs it and goes on)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResponseCache:
    """Opened on first use, so a run with simulated models only never creates the file."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.path = Path(directory or default_cache_dir()) / CACHE_FILE
        self._db: sqlite3.Connection | None = None

    def open(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable but for a power cut
                db.execute(
                    "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, "
                    "model TEXT NOT NULL, response TEXT NOT NULL, created REAL NOT NULL)"
                )
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:
                    db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
                elif version != _SCHEMA_VERSION:
                    db.close()
                    raise ConfigError(
                        f"cache '{self.path}' has format {version}, this archbench reads "
                        f"{_SCHEMA_VERSION}: delete it or choose another --cache-dir"
                    )
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"cache '{self.path}' cannot be used: {exc}") from None
            self._db = db
        return self._db

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.open().execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, key: str, model: str, response: dict[str, Any]) -> None:
        """Keep `response` (stamped with this archbench's simulation version)."""
        stamped = {**response, "sim_version": SIM_VERSION}
        self.open().execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
            (key, model, json.dumps(stamped, ensure_ascii=False), time.time()),
        )

    def __len__(self) -> int:
        return int(self.open().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedBackend:
    """Answers from the cache when it can, else from `inner`, whose answer it keeps."""

    def __init__(self, inner: RealBackend, cache: ResponseCache, stats: CallStats) -> None:
        self.inner = inner
        self.id = inner.id
        self.cache_identity = inner.cache_identity
        self.cache = cache
        self.stats = stats
        self.keys = RequestKeys()

    def reprice(self, usage: Usage) -> Usage:
        return self.inner.reprice(usage)

    async def generate(self, request: ModelRequest) -> ModelResponse:
        key = self.keys(self.cache_identity, request)
        hit = self.cache.get(key)
        if hit is not None:
            self.stats.cached += 1
            r = response_from_json(hit)
            return replace(r, usage=self.inner.reprice(r.usage), model=self.id)
        response = await self.inner.generate(request)
        self.cache.put(key, self.cache_identity, response_json(response))
        return response
