"""`archbench run`: one episode, its trace printed step by step.

Everything in a trace came from a model or a file (tool names, answers, task ids, a
server's error), so every piece goes through `shown`: a line is assembled from `Text`
pieces, never by formatting model output into markup, and control characters (a model's
ANSI or OSC escapes) print as visible stand-ins instead of reaching the terminal.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from harness.bounds import check_seeds
from harness.cli.console import stdout_console
from harness.cli.design import print_warnings, warning_lines
from harness.cli.failures import check_errors
from harness.cli.logs import LogLevelOpt, VerboseOpt, logging_to
from harness.cli.logs import log_level as log_level_of
from harness.cli.options import (
    MaxCostOpt,
    MaxErrorsOpt,
    MaxStepsOpt,
    MaxTokensOpt,
    ModelOpt,
    SetOpt,
    SuiteOpt,
    assignments,
    limits,
)
from harness.cli.text import shown
from harness.compare import prepare, select_tasks
from harness.corpus import Corpus
from harness.runtime import run_episode
from harness.suites import load_suite


def _pad(text: object, width: int, style: str = "") -> Text:
    """A column of a step line: `text` shown, left-aligned to `width`."""
    t = shown(text, style)
    t.pad_right(max(0, width - t.cell_len))
    return t


def run_command(
    arch: Annotated[str, typer.Argument(help="Architecture name or file.")],
    task: Annotated[
        str, typer.Option("--task", "-t", metavar="TASK_ID", help="The task id to run.")
    ],
    suite: SuiteOpt = "default",
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the episode.")] = 0,
    model: ModelOpt = None,
    set_: SetOpt = None,
    max_steps: MaxStepsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_errors: MaxErrorsOpt = 0,
    verbose: VerboseOpt = False,
    log_level: LogLevelOpt = None,
) -> None:
    """Run ARCH on one task and print every step: model, tokens, cost, tool calls."""
    level = log_level_of(verbose, log_level)
    check_seeds([seed], "--seed")
    budget = limits(max_steps, max_tokens, max_cost)
    compiled = prepare([arch], assignments(model, "--model"), assignments(set_, "--set"))[0]
    suite_obj = load_suite(suite)
    (task_obj,) = select_tasks(suite_obj, [task])
    err = Console(stderr=True)
    print_warnings(err, warning_lines([compiled]))
    with logging_to(err, level):
        episode = asyncio.run(
            run_episode(
                compiled,
                task_obj,
                Corpus.of_suite(suite_obj),
                seed=seed,
                limits=budget,
            )
        )
    c = stdout_console(highlight=False)
    c.print(
        Text.assemble(
            shown(compiled.name, "bold"),
            " on ",
            shown(task_obj.id, "bold"),
            " (",
            shown(task_obj.family),
            f"), seed {seed}",
        )
    )
    c.print(Text.assemble("question: ", shown(task_obj.question)))
    for s in episode.steps:
        cost = "cost unknown" if s.cost_usd is None else f"${s.cost_usd:.5f}"
        c.print(
            Text.assemble(
                (f"#{s.index:<3}", "cyan"),
                f" t={s.start_s:7.1f}s  ",
                _pad(s.branch, 14),
                " ",
                _pad(s.node, 10),
                " ",
                _pad(s.role, 9),
                " ",
                _pad(s.model, 22),
                " ",
                _pad(s.purpose, 9),
                f" in={s.input_tokens:>6} (cached {s.cached_input_tokens:>6}) "
                f"out={s.output_tokens:>5} {cost}",
            )
        )
        if s.content and not s.tools:
            c.print(Text.assemble("      ", shown(s.content.splitlines()[0][:110])))
        for t in s.tools:
            args = json.dumps(t.arguments, ensure_ascii=False)[:100]
            c.print(Text.assemble("      -> ", shown(t.name), "(", shown(args), ")"))
            first = t.result.splitlines()[0][:100] if t.result else ""
            c.print(Text.assemble("      <- ", shown(first, "red" if t.error else "")))
    if episode.events:
        c.print("events (what the design did that no model call shows):")
    for e in episode.events:
        c.print(
            Text.assemble(
                ("!", "yellow"),
                f"    t={e.clock_s:7.1f}s  ",
                _pad(e.branch, 14),
                " ",
                _pad(e.node, 10),
                " ",
                _pad(e.kind, 16),
                " ",
                shown(e.detail),
            )
        )
    r = episode.result
    verdict = ("correct", "green") if r.correct else ("wrong", "red")
    c.print(
        Text.assemble(
            f"outcome: {r.outcome}  answer: ",
            shown(r.answer),
            "  gold: ",
            shown(task_obj.answer),
            "  ",
            verdict,
            f"  cited support: {r.supported}",
        )
    )
    cost = "unknown" if r.totals.cost_usd is None else f"${r.totals.cost_usd:.4f}"
    c.print(
        f"steps {r.totals.steps}, tool calls {r.totals.tool_calls}, tokens in "
        f"{r.totals.input_tokens:,} (cached {r.totals.cached_input_tokens:,}) out "
        f"{r.totals.output_tokens:,}, coordination tokens {r.coordination.total_tokens:,}, "
        f"cost {cost}, latency {r.latency_s:.1f}s",
        markup=False,
    )
    if r.error:
        c.print(shown(r.error, "red"))
    check_errors(err, int(r.outcome == "error"), 1, max_errors, "its reason is printed above")
