"""`archbench train`: train one role's strategy policy with REINFORCE (harness.training).

A thin layer: flags become a `TrainConfig`; the run directory resumes when the same
command is given again; a progress bar on stderr shows the current batch's mean reward.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.cli.console import stdout_console
from harness.cli.options import ModelOpt, SetOpt, assignments
from harness.training import TrainConfig, train
from harness.training.config import EVAL_SUITES


def train_command(
    arch: Annotated[str, typer.Argument(help="Architecture whose role is trained.")],
    role: Annotated[str, typer.Option("--role", metavar="ROLE", help="The role to train.")],
    model: ModelOpt = None,
    set_: SetOpt = None,
    episodes: Annotated[int, typer.Option("--episodes", metavar="N")] = 2000,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Run directory.")] = Path(
        "runs/train"
    ),
    seed: Annotated[int, typer.Option("--seed", metavar="N")] = 0,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N")] = 64,
    learning_rate: Annotated[float, typer.Option("--learning-rate", metavar="X")] = 0.05,
    gamma: Annotated[
        float, typer.Option("--gamma", metavar="X", help="Reward decay per step.")
    ] = 0.98,
    format_penalty: Annotated[float, typer.Option("--format-penalty", metavar="X")] = 0.1,
    negative_weight: Annotated[
        float,
        typer.Option(
            "--negative-weight",
            metavar="X",
            help="Weight of negative-advantage trajectories (1: no negative-sample control).",
        ),
    ] = 0.5,
    token_cost: Annotated[
        float, typer.Option("--token-cost", metavar="X", help="Reward lost per 1,000 tokens.")
    ] = 0.0,
    eval_: Annotated[
        list[str] | None,
        typer.Option(
            "--eval",
            metavar="SUITE",
            help=f"Evaluation suites ({', '.join(EVAL_SUITES)}); 'none' for none.",
        ),
    ] = None,
    eval_seeds: Annotated[int, typer.Option("--eval-seeds", metavar="N")] = 2,
    workers: Annotated[int, typer.Option("--workers", metavar="N")] = 1,
    executor: Annotated[
        str, typer.Option("--executor", metavar="NAME", help="process (default) or ray.")
    ] = "process",
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    suites = tuple(eval_) if eval_ else EVAL_SUITES
    if suites == ("none",):
        suites = ()
    config = TrainConfig(
        arch=arch,
        role=role,
        models=tuple(sorted(assignments(model, "--model").items())),
        params=tuple(sorted(assignments(set_, "--set").items())),
        episodes=episodes,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        gamma=gamma,
        format_penalty=format_penalty,
        negative_weight=negative_weight,
        token_cost=token_cost,
        eval_suites=suites,
        eval_seeds=eval_seeds,
    )
    config.check()
    err = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
        auto_refresh=False,
    )
    task = bar.add_task("batches", total=config.batches)
    shown = [0.0]

    def progress(done: int, total: int, reward: float) -> None:
        bar.update(task, completed=done, total=total, description=f"reward {reward:+.3f}")
        now = time.monotonic()
        if now - shown[0] >= 0.1 or done == total:
            shown[0] = now
            bar.refresh()

    with bar:
        result = train(config, out, workers=workers, executor=executor, progress=progress)
    console = stdout_console()
    last = result.curve[-1] if result.curve else None
    console.print(f"policy: {result.policy_path}", markup=False, highlight=False)
    if last:
        console.print(
            f"last batch: reward {last['reward']:.3f}, accuracy {last['accuracy']:.3f}, "
            f"mean steps {last['mean_steps']:.2f}, tokens {last['tokens']:.0f}",
            markup=False,
            highlight=False,
        )
    for name, after in (result.evaluation or {}).get("after", {}).get("suites", {}).items():
        before = result.evaluation["before"]["suites"][name] if result.evaluation else {}
        console.print(
            f"{name}: accuracy {before['accuracy']:.3f} -> {after['accuracy']:.3f}, "
            f"mean steps {before['mean_steps']:.2f} -> {after['mean_steps']:.2f}",
            markup=False,
            highlight=False,
        )
