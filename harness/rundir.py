"""A run directory: the configuration, per-episode results and traces, written as each
episode finishes, so an interrupted run keeps everything it finished.

    config.json     format version, archbench version, the full configuration and seeds
    results.jsonl   one `EpisodeResult` per line
    traces.jsonl    one line per episode: its keys and every step
    summary.json    per-architecture summaries, written when the run completes
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from harness.errors import ConfigError
from harness.runtime import Episode
from harness.trace import EpisodeResult

RUN_FORMAT_VERSION = 1


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def result_line(r: EpisodeResult) -> str:
    return r.model_dump_json() + "\n"


class RunWriter:
    def __init__(self, directory: Path, config: dict[str, Any]) -> None:
        self.dir = directory
        if (directory / "results.jsonl").exists():
            raise ConfigError(f"--out '{directory}' already holds a run; choose a new directory")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "config.json").write_text(
                json.dumps(
                    {"format_version": RUN_FORMAT_VERSION, **config}, indent=2, ensure_ascii=False
                )
                + "\n",
                encoding="utf-8",
            )
            self._results: IO[str] = open(directory / "results.jsonl", "a", encoding="utf-8")  # noqa: SIM115
            self._traces: IO[str] = open(directory / "traces.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise ConfigError(f"--out '{directory}' cannot be written: {exc.strerror}") from None
        self._written: list[tuple[str, str, int]] = []

    def write(self, episode: Episode) -> None:
        r = episode.result
        self._written.append((r.architecture, r.task_id, r.seed))
        self._results.write(result_line(r))
        trace = {
            "format_version": RUN_FORMAT_VERSION,
            "architecture": r.architecture,
            "task_id": r.task_id,
            "seed": r.seed,
            "steps": [s.as_dict() for s in episode.steps],
        }
        self._traces.write(dumps(trace) + "\n")
        self._results.flush()
        self._traces.flush()

    def finish(
        self, summary: list[dict[str, Any]], order: Sequence[tuple[str, str, int]] | None = None
    ) -> None:
        """Write the summary; with `order` (architecture, task, seed per planned episode),
        first put results and traces in that order, whatever order episodes finished in, so
        a run's files do not depend on timing."""
        self.close()
        if order is not None:
            rank = {k: i for i, k in enumerate(order)}
            for name in ("results.jsonl", "traces.jsonl"):
                self._reorder(self.dir / name, rank)
        (self.dir / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def _reorder(self, path: Path, rank: dict[tuple[str, str, int], int]) -> None:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if len(lines) != len(self._written):
            return  # written to by someone else: leave it as it is
        keyed = sorted(zip(self._written, lines, strict=True), key=lambda kl: rank.get(kl[0], -1))
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(line for _, line in keyed), encoding="utf-8")
        os.replace(tmp, path)

    def close(self) -> None:
        self._results.close()
        self._traces.close()
