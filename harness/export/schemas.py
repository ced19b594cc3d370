"""JSON Schemas of every file in a run directory (and of `--json`), from pydantic models.

Why: other tools read run directories without archbench; a schema says what each field
is and lets them (and CI) check a file. Files that archbench writes from a pydantic model
(results, summaries, specs, suites) get that model's schema; the others (config.json,
traces.jsonl, recording.jsonl, summary.json's envelope, `--json`) are written from dicts,
so they are described here by models of their own, which tests/test_export.py validates
real run files against: the description cannot drift from what is written.

`scripts/make_schemas.py` writes schemas/*.schema.json; a test checks they are current.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, RootModel

from harness.metrics import ArchitectureSummary
from harness.spec import ArchitectureSpec
from harness.task import TaskSuite
from harness.trace import EpisodeResult

_STRICT = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class ToolLine(BaseModel):
    model_config = _STRICT
    name: str
    arguments: dict[str, Any]
    result: str
    """The tool's output, truncated for the trace."""
    error: bool
    latency_s: float


class StepLine(BaseModel):
    """One model call (`harness.trace.Step`)."""

    model_config = _STRICT
    index: int
    branch: str
    """"main", or "<fan-out node>#<round>/<i>" for a parallel sub-agent."""
    node: str
    role: str
    model: str
    purpose: str
    category: Literal["research", "coordination"]
    start_s: float
    """Simulated clock when the call started (seconds from the episode's start)."""
    latency_s: float
    """Model latency plus its tool calls."""
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    content: str
    tools: list[ToolLine]


class EventLine(BaseModel):
    """A trace event (`harness.events`): something dropped, clipped or ignored."""

    model_config = _STRICT
    kind: str
    node: str
    branch: str
    clock_s: float
    detail: str


class TraceLine(BaseModel):
    """One line of traces.jsonl: an episode's steps and events."""

    model_config = _STRICT
    format_version: int
    architecture: str
    task_id: str
    seed: int
    steps: list[StepLine]
    events: list[EventLine] = []


class Limits(BaseModel):
    model_config = _STRICT
    max_steps: int | None
    max_tokens: int | None
    max_cost_usd: float | None


class Execution(BaseModel):
    model_config = ConfigDict(extra="allow")
    executor: str
    workers: int | None = None


class ConfigFile(BaseModel):
    """config.json: how the run was configured (what a resume and a replay rerun)."""

    model_config = _STRICT
    format_version: int = 1
    """The run format (`harness.rundir.RUN_FORMAT_VERSION`); format 1 wrote none."""
    sim_version: int = 1
    archbench_version: str
    architectures: list[str]
    roles: dict[str, dict[str, str]]
    """Per architecture: role -> model id."""
    params: dict[str, dict[str, Any]]
    suite: str
    suite_sha256: str
    worlds: int = 1
    recipe: dict[str, Any] | None = None
    """The generated suite's recipe, when the run has several worlds."""
    worlds_sha256: str | None = None
    tasks: list[str]
    seeds: list[int]
    concurrency: int
    execution: Execution
    limits: Limits
    backends: dict[str, Any] | None = None
    replay_of: str | None = None


class SummaryFile(BaseModel):
    """summary.json, written when the run completes."""

    model_config = _STRICT
    format_version: int
    sim_version: int = 1
    architectures: list[ArchitectureSummary]


class ArchitecturesFile(RootModel[dict[str, ArchitectureSpec]]):
    """architectures.json: each architecture's spec, by name, as run."""


class RecordingHeader(BaseModel):
    model_config = _STRICT
    kind: Literal["archbench-recording"]
    v: int
    sim_version: int = 1
    """The simulation version that recorded (none: 1, a recording made before it)."""


class RecordingEntry(BaseModel):
    """A real model's answer (`response`) or failure (`error`) to one distinct request."""

    model_config = _STRICT
    v: int
    key: str
    """SHA-256 request key, the response cache's."""
    model: str
    identity: str
    step: int | None = None
    purpose: str | None = None
    request: dict[str, Any]
    """messages, tools, config and seed, as the model received them (no key, no oracle)."""
    response: dict[str, Any] | None = None
    """message, usage, latency_s, model."""
    error: str | None = None
    error_type: str | None = None


class RecordingLine(RootModel[RecordingHeader | RecordingEntry]):
    """One line of recording.jsonl: the header (first line), then entries."""


class Estimate(BaseModel):
    model_config = _STRICT
    mean: float
    lo: float
    hi: float
    n: int
    within_noise: bool


class Paired(BaseModel):
    model_config = _STRICT
    architecture: str
    baseline: str
    pairs: int
    accuracy: Estimate | None
    cost: Estimate | None
    tokens: Estimate | None
    latency: Estimate | None


class CompareJson(BaseModel):
    """`archbench compare --json` (format 2; format 1 was the bare list of summaries)."""

    model_config = _STRICT
    format_version: Literal[2]
    errors: int
    errors_by_architecture: dict[str, int]
    architectures: list[ArchitectureSummary]
    baseline: str | None
    paired_differences: list[Paired]


class ResultLine(RootModel[EpisodeResult]):
    """One line of results.jsonl."""


SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "config": (ConfigFile, "config.json"),
    "architectures": (ArchitecturesFile, "architectures.json"),
    "suite": (TaskSuite, "suite.json"),
    "results": (ResultLine, "results.jsonl (each line)"),
    "traces": (TraceLine, "traces.jsonl (each line)"),
    "summary": (SummaryFile, "summary.json"),
    "recording": (RecordingLine, "recording.jsonl (each line)"),
    "compare-json": (CompareJson, "archbench compare --json"),
}
"""schemas/<name>.schema.json: the model and the file it describes."""


def schema(name: str) -> dict[str, Any]:
    model, what = SCHEMAS[name]
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://archbench.dev/schemas/{name}.schema.json",
        **model.model_json_schema(mode="validation"),
    }
    out["title"] = f"archbench {what}"
    return out


def schema_texts() -> dict[str, str]:
    """File name -> text of every schema, as `scripts/make_schemas.py` writes them."""
    return {
        f"{name}.schema.json": json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"
        for name in SCHEMAS
    }
