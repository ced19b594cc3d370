"""`archbench run`: one episode, its trace printed step by step."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.markup import escape

from harness.cli.console import stdout_console
from harness.cli.options import (
    MaxCostOpt,
    MaxStepsOpt,
    MaxTokensOpt,
    ModelOpt,
    SetOpt,
    SuiteOpt,
    assignments,
    limits,
)
from harness.compare import prepare, select_tasks
from harness.corpus import Corpus
from harness.runtime import run_episode
from harness.suites import load_suite


def run_command(
    arch: Annotated[str, typer.Argument(help="Architecture name or file.")],
    task: Annotated[str, typer.Option("--task", "-t", help="The task id to run.")],
    suite: SuiteOpt = "default",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the episode.")] = 0,
    model: ModelOpt = None,
    set_: SetOpt = None,
    max_steps: MaxStepsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
) -> None:
    """Run ARCH on one task and print every step: model, tokens, cost, tool calls."""
    compiled = prepare([arch], assignments(model, "--model"), assignments(set_, "--set"))[0]
    suite_obj = load_suite(suite)
    (task_obj,) = select_tasks(suite_obj, [task])
    episode = asyncio.run(
        run_episode(
            compiled,
            task_obj,
            Corpus(suite_obj.documents),
            seed=seed,
            limits=limits(max_steps, max_tokens, max_cost),
        )
    )
    c = stdout_console(highlight=False)
    c.print(f"[bold]{compiled.name}[/] on [bold]{task_obj.id}[/] ({task_obj.family}), seed {seed}")
    c.print(f"question: {escape(task_obj.question)}")
    for s in episode.steps:
        cost = "cost unknown" if s.cost_usd is None else f"${s.cost_usd:.5f}"
        c.print(
            f"[cyan]#{s.index:<3}[/] t={s.start_s:7.1f}s  {s.branch:<14} {s.node:<10} "
            f"{s.role:<9} {escape(s.model):<22} {s.purpose:<9} in={s.input_tokens:>6} "
            f"(cached {s.cached_input_tokens:>6}) out={s.output_tokens:>5} {cost}"
        )
        if s.content and not s.tools:
            c.print(f"      {escape(s.content.splitlines()[0][:110])}")
        for t in s.tools:
            args = json.dumps(t.arguments, ensure_ascii=False)[:100]
            c.print(f"      -> {t.name}({escape(args)})")
            first = t.result.splitlines()[0][:100] if t.result else ""
            c.print(
                f"      <- {'[red]' if t.error else ''}{escape(first)}{'[/]' if t.error else ''}"
            )
    if episode.events:
        c.print("events (what the design did that no model call shows):")
    for e in episode.events:
        c.print(
            f"[yellow]![/]    t={e.clock_s:7.1f}s  {e.branch:<14} {e.node:<10} {e.kind:<16} "
            f"{escape(e.detail)}"
        )
    r = episode.result
    verdict = "[green]correct[/]" if r.correct else "[red]wrong[/]"
    c.print(
        f"outcome: {r.outcome}  answer: {escape(str(r.answer))}  gold: {escape(task_obj.answer)}  "
        f"{verdict}  cited support: {r.supported}"
    )
    cost = "unknown" if r.totals.cost_usd is None else f"${r.totals.cost_usd:.4f}"
    c.print(
        f"steps {r.totals.steps}, tool calls {r.totals.tool_calls}, tokens in "
        f"{r.totals.input_tokens:,} (cached {r.totals.cached_input_tokens:,}) out "
        f"{r.totals.output_tokens:,}, coordination tokens {r.coordination.total_tokens:,}, "
        f"cost {cost}, latency {r.latency_s:.1f}s"
    )
    if r.error:
        c.print(f"[red]{escape(r.error)}[/]")
