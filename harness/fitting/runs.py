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

from harness.backends.recording import RECORDING_FILE
from harness.corpus import Corpus
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture
from harness.rerun import _load_run
from harness.rundir import CONFIG_FILE, TRACES_FILE
from harness.task import Task
from harness.tools import Toolset

TRACE_CHARS = 400
"""How much of a reply the trace keeps (`harness.agent_loop._TRACE_CHARS`)."""
CUT_KEY = "_cut"
"""Set on a step (by `FitRun.episodes`) whose reply the trace cut and no recording restores."""


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
    long_replies: dict[str, str]  # a recorded reply's first 400 characters -> all of it

    def _whole(self, step: dict[str, Any]) -> dict[str, Any]:
        """A step whose reply the trace cut at 400 characters, whole again when the run
        recorded it (`--record` keeps real models' replies in full); marked when not."""
        content = str(step.get("content") or "")
        if len(content) < TRACE_CHARS:
            return step
        full = self.long_replies.get(content[:TRACE_CHARS])
        return {**step, "content": full or content, CUT_KEY: full is None}

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
                        [self._whole(st) for st in raw["steps"]],
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
        long_replies=_long_replies(run_dir),
    )


def _long_replies(run_dir: Path) -> dict[str, str]:
    """Replies of 400 characters or more in the run's recording, by their first 400."""
    path = run_dir / RECORDING_FILE
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                content = json.loads(line)["response"]["message"]["content"]
            except (ValueError, KeyError, TypeError):
                continue  # the header, a recorded failure
            if isinstance(content, str) and len(content) >= TRACE_CHARS:
                out.setdefault(content[:TRACE_CHARS], content)
    return out
