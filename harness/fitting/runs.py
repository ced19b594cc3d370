"""A run directory read back for fitting: its configuration, its tasks with their hidden
solutions, each world's corpus, and its traces grouped into episodes.

Why through `harness.rerun`'s loader: fitting must see the very tasks, corpora and
compiled architectures the run used (a suite saved with the run, generated worlds), and
refuse a run whose suite has changed since, exactly as a replay would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.corpus import Corpus
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture
from harness.rerun import _load_run
from harness.rundir import CONFIG_FILE, TRACES_FILE
from harness.task import Task
from harness.tools import Toolset


@dataclass(frozen=True)
class Episode:
    """One episode's trace: its steps as recorded (dicts of `harness.trace.Step`)."""

    architecture: str
    task_id: str
    seed: int
    steps: list[dict[str, Any]]


@dataclass
class FitRun:
    """What fitting needs of a run directory."""

    run_dir: Path
    config: dict[str, Any]
    config_sha: str
    archs: dict[str, CompiledArchitecture]
    tasks: dict[str, Task]
    toolsets: dict[str, Toolset]  # task id -> its world's tools

    def episodes(self) -> Iterator[Episode]:
        path = self.run_dir / TRACES_FILE
        if not path.is_file():
            raise ConfigError(f"fit: '{self.run_dir}' has no {TRACES_FILE}")
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    yield Episode(
                        str(raw["architecture"]),
                        str(raw["task_id"]),
                        int(raw["seed"]),
                        list(raw["steps"]),
                    )
                except (ValueError, KeyError, TypeError):
                    raise ConfigError(f"fit: {path}:{n}: not a trace line") from None


def load_run(run_dir: Path | str) -> FitRun:
    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).is_file():
        raise ConfigError(f"fit: '{run_dir}' is not a run directory (no {CONFIG_FILE})")
    saved = _load_run(run_dir, "fit")
    sha = hashlib.sha256((run_dir / CONFIG_FILE).read_bytes()).hexdigest()
    corpora = [Corpus.of_suite(s) for s in saved.worlds.suites]
    world_of = saved.worlds.task_world()
    tools = tuple(["search", "open", "answer"])
    toolsets = [Toolset(c, tools) for c in corpora]
    return FitRun(
        run_dir=run_dir,
        config=saved.config,
        config_sha=sha,
        archs={a.name: a for a in saved.archs},
        tasks={t.id: t for t in saved.tasks},
        toolsets={t.id: toolsets[world_of.get(t.id, 0)] for t in saved.tasks},
    )
