"""Export a run as Inspect AI eval logs: one log per architecture, one sample per episode.

Why Inspect: its viewer (`inspect view`) and tools (`inspect log dump`, `read_eval_log`)
are where many people already read agent transcripts; a run exported there needs no
archbench to be browsed. The logs are built with `inspect_ai.log`'s own types and written
by its `write_eval_log`, so they are whatever the installed Inspect reads.

What maps to what (docs/exports.md has the table): an architecture is an eval (task
"archbench/<suite>", model "archbench/<architecture>", the role models in `model_roles`);
an episode a sample (id: the task id, epoch: the seed's place among the run's seeds + 1);
its trace the sample's messages (the question as the user message, each model call an
assistant message with its tool calls, each tool result a tool message); `correct` and
`supported` its scores (1.0 / 0.0, with accuracy per log); tokens and cost its
`model_usage` and `role_usage`. Timestamps are the simulated clock on `clock.EPOCH`, ids
are derived from the run, and logs are written as JSON: the same run exports to the same
logs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.export.clock import at_iso
from harness.export.optional import fresh, need
from harness.export.source import RunSource
from harness.trace import EpisodeResult

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog, EvalSample
    from inspect_ai.model import ChatMessage, ModelUsage

SCORES = ("correct", "supported")


def write_inspect(run: RunSource, out: Path) -> list[Path]:
    """Write one `<architecture>.json` eval log per architecture into the directory `out`."""
    need("inspect_ai.log", "inspect", "--format inspect")
    from inspect_ai.log import write_eval_log

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for arch in run.architectures:
        log = eval_log(run, arch)
        path = out / log_name(log.eval.task, arch, log.eval.eval_id)
        write_eval_log(log, str(fresh(path)), format="json")
        written.append(path)
    return written


def log_name(task: str, arch: str, eval_id: str) -> str:
    """Inspect's file name pattern (`<timestamp>_<task>_<id>.json`): `inspect view` and
    `list_eval_logs` only list JSON logs named so. The architecture is part of the task
    part, spelt as a file name may (a user's file may name a design any way)."""
    stamp = at_iso(0).replace(":", "-")
    label = re.sub(r"[^A-Za-z0-9.-]", "-", f"{task}-{arch}").strip(".-") or "archbench"
    return f"{stamp}_{label}_{eval_id}.json"


def _id(*parts: object) -> str:
    """A short id that depends on nothing but `parts` (Inspect's own are random)."""
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:22]


def eval_log(run: RunSource, arch: str) -> EvalLog:
    """The eval log of one architecture of `run`."""
    from inspect_ai.log import (
        EvalConfig,
        EvalDataset,
        EvalLog,
        EvalMetric,
        EvalPlan,
        EvalResults,
        EvalScore,
        EvalSpec,
        EvalStats,
    )
    from inspect_ai.model import ModelConfig

    from harness.compare import archbench_version

    results = [r for r in run.results if r.architecture == arch]
    samples = [sample(run, r) for r in results]
    suite = str(run.config.get("suite", "suite"))
    run_id = _id(suite, run.config.get("suite_sha256"), run.config.get("tasks"))
    roles = run.config.get("roles", {}).get(arch, {})
    seeds = [int(s) for s in run.config.get("seeds", [])] or sorted({r.seed for r in results})
    n = len(results)
    scores = [
        EvalScore(
            name=name,
            scorer=name,
            scored_samples=n,
            unscored_samples=0,
            metrics={
                "accuracy": EvalMetric(
                    name="accuracy",
                    value=sum(getattr(r, name) for r in results) / n if n else 0.0,
                )
            },
        )
        for name in SCORES
    ]
    spec = EvalSpec(
        eval_id=_id(run_id, arch),
        run_id=run_id,
        created=at_iso(0),
        task=f"archbench/{suite}",
        task_id=_id(run_id, "task"),
        task_version=int(run.config.get("sim_version", 1)),
        task_attribs={},
        task_args={},
        solver=arch,
        dataset=EvalDataset(
            name=suite,
            samples=len({r.task_id for r in results}),
            sample_ids=list(dict.fromkeys(r.task_id for r in results)),
        ),
        model=f"archbench/{arch}",
        model_roles={role: ModelConfig(model=str(m)) for role, m in sorted(roles.items())},
        config=EvalConfig(epochs=len(seeds) or 1),
        packages={"archbench": str(run.config.get("archbench_version", archbench_version()))},
        metadata={
            "archbench": {
                "architecture": arch,
                "params": run.config.get("params", {}).get(arch, {}),
                "limits": run.config.get("limits", {}),
                "seeds": seeds,
                "worlds": run.config.get("worlds", 1),
                "run_format": run.config.get("format_version"),
                "sim_version": run.config.get("sim_version"),
            }
        },
    )
    finished = (run.dir / "summary.json").exists()
    return EvalLog(
        status="success" if finished else "cancelled",
        eval=spec,
        plan=EvalPlan(name=arch),
        results=EvalResults(total_samples=n, completed_samples=n, scores=scores),
        stats=EvalStats(
            started_at=at_iso(0),
            completed_at=at_iso(max((r.latency_s for r in results), default=0.0)),
            model_usage=_usage(results, "by_model"),
            role_usage=_usage(results, "by_role"),
        ),
        samples=samples,
    )


def _usage(results: Iterable[EpisodeResult], field: str) -> dict[str, ModelUsage]:
    """Tokens and cost summed per model (or role) over `results`."""
    from inspect_ai.model import ModelUsage

    sums: dict[str, list[Any]] = {}
    for r in results:
        for name, t in getattr(r, field).items():
            acc = sums.setdefault(name, [0, 0, 0, 0, 0.0])
            acc[0] += t.input_tokens
            acc[1] += t.output_tokens
            acc[2] += t.cached_input_tokens
            acc[3] += t.reasoning_tokens
            acc[4] = None if acc[4] is None or t.cost_usd is None else acc[4] + t.cost_usd
    return {
        name: ModelUsage(
            input_tokens=a[0],
            output_tokens=a[1],
            total_tokens=a[0] + a[1],
            input_tokens_cache_read=a[2],
            reasoning_tokens=a[3],
            total_cost=a[4],
        )
        for name, a in sorted(sums.items())
    }


def sample(run: RunSource, r: EpisodeResult) -> EvalSample:
    """One episode as an Inspect sample."""
    from inspect_ai._util.error import EvalError
    from inspect_ai.log import EvalSample
    from inspect_ai.model import ChatCompletionChoice, ChatMessageAssistant, ModelOutput
    from inspect_ai.scorer import Score

    task = run.tasks.get(r.task_id)
    question = task.question if task else r.task_id
    messages = transcript(question, run.steps(r))
    last = next((m for m in reversed(messages) if isinstance(m, ChatMessageAssistant)), None)
    seeds = [int(s) for s in run.config.get("seeds", [])]
    explanation = f"outcome: {r.outcome}" + (f" ({r.error})" if r.error else "")
    return EvalSample(
        id=r.task_id,
        epoch=seeds.index(r.seed) + 1 if r.seed in seeds else r.seed + 1,
        input=question,
        target=task.answer if task else "",
        messages=messages,
        output=ModelOutput(
            model=last.model or "" if last else "",
            choices=[ChatCompletionChoice(message=last, stop_reason="stop")] if last else [],
            completion=r.answer or "",
        ),
        scores={
            name: Score(
                value=1.0 if getattr(r, name) else 0.0,
                answer=r.answer or None,
                explanation=explanation,
            )
            for name in SCORES
        },
        metadata={
            "architecture": r.architecture,
            "family": r.family,
            "seed": r.seed,
            "world": r.world,
            "outcome": r.outcome,
            "citations": list(r.citations),
            "cost_usd": r.totals.cost_usd,
            "latency_s": r.latency_s,
            "steps": r.totals.steps,
            "tool_calls": r.totals.tool_calls,
            "tool_errors": r.tool_errors,
            "events": dict(r.events),
        },
        model_usage=_usage([r], "by_model"),
        role_usage=_usage([r], "by_role"),
        started_at=at_iso(0),
        completed_at=at_iso(r.latency_s),
        total_time=r.latency_s,
        working_time=r.latency_s,
        uuid=_id(r.architecture, r.task_id, r.seed, r.world),
        error=EvalError(message=r.error or r.outcome, traceback="", traceback_ansi="")
        if r.outcome == "error"
        else None,
    )


def transcript(question: str, steps: list[dict[str, Any]]) -> list[ChatMessage]:
    """The question, then every model call (an assistant message with its tool calls,
    labelled with node, branch, role and purpose) and each tool's result, in step order."""
    from inspect_ai.model import ChatMessageAssistant, ChatMessageTool, ChatMessageUser
    from inspect_ai.tool import ToolCall, ToolCallError

    messages: list[ChatMessage] = [ChatMessageUser(id="m0", content=question, source="input")]
    for s in steps:
        i = s.get("index", len(messages))
        tools = s.get("tools") or []
        calls = [
            ToolCall(
                id=f"call-{i}-{j}", function=str(t.get("name")), arguments=t.get("arguments") or {}
            )
            for j, t in enumerate(tools)
        ]
        messages.append(
            ChatMessageAssistant(
                id=f"m{i}",
                content=str(s.get("content", "")),
                source="generate",
                model=str(s.get("model", "")),
                tool_calls=calls or None,
                metadata={
                    k: s.get(k)
                    for k in (
                        "node",
                        "branch",
                        "role",
                        "purpose",
                        "category",
                        "start_s",
                        "latency_s",
                        "cost_usd",
                    )
                },
            )
        )
        for j, t in enumerate(tools):
            messages.append(
                ChatMessageTool(
                    id=f"m{i}-{j}",
                    content=str(t.get("result", "")),
                    tool_call_id=f"call-{i}-{j}",
                    function=str(t.get("name")),
                    error=ToolCallError("unknown", str(t.get("result", "")))
                    if t.get("error")
                    else None,
                )
            )
    return messages
