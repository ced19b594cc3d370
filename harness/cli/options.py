"""Options shared by several subcommands, and the parsing of their NAME=VALUE forms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from harness.bounds import (
    MAX_CONCURRENCY,
    MAX_FORCED_WORKERS,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WORLDS,
    check_budget,
)
from harness.compare import split_assignment
from harness.errors import ConfigError
from harness.usage import UsageLimits

ModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        metavar="ROLE=ID",
        help="Bind a role to a model, e.g. worker=mock/kimi-k2, "
        "minimax-hybrid:external=mock/o3, or *=mock/kimi-k2 for every role (repeatable).",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        metavar="PARAM=VALUE",
        help="Set an architecture parameter, e.g. max_steps=10 (repeatable; ARCH:PARAM=V "
        "for one architecture).",
    ),
]
ArchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--arch",
        "-a",
        metavar="ARCH",
        help="Architecture name or file (repeatable; default: the article's four; "
        "'all': every built-in).",
    ),
]
SeedsOpt = Annotated[
    int,
    typer.Option(
        "--seeds", min=1, metavar="N", help=f"How many seeds per task (at most {MAX_SEEDS:,})."
    ),
]
SeedOpt = Annotated[
    int, typer.Option("--seed", metavar="N", help=f"The first seed (0 to {MAX_SEED:,}).")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
SuiteOpt = Annotated[
    str,
    typer.Option(
        "--suite",
        metavar="SUITE",
        help="A built-in suite (default, article, deep) or a suite file.",
    ),
]
WorldsOpt = Annotated[
    int,
    typer.Option(
        "--worlds",
        metavar="N",
        help="Run N task worlds of a generated suite (world w: generator seed + w); "
        f"intervals cluster by world (at most {MAX_WORLDS}).",
    ),
]
MaxStepsOpt = Annotated[
    int | None, typer.Option("--max-steps", min=1, metavar="N", help="Episode budget: model calls.")
]
MaxTokensOpt = Annotated[
    int | None,
    typer.Option("--max-tokens", min=1, metavar="N", help="Episode budget: input+output tokens."),
]
MaxCostOpt = Annotated[
    float | None,
    typer.Option("--max-cost", min=0.0, metavar="USD", help="Episode budget: US dollars."),
]


WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        metavar="N",
        help="Run simulated episodes in N worker processes (at most one per CPU unless "
        "--force-workers).",
    ),
]
ForceWorkersOpt = Annotated[
    bool,
    typer.Option(
        "--force-workers",
        help=f"Allow --workers beyond this machine's CPUs (up to {MAX_FORCED_WORKERS}).",
    ),
]
ConcurrencyOpt = Annotated[
    int,
    typer.Option(
        "--concurrency",
        "-j",
        min=1,
        metavar="N",
        help=f"Episodes in flight at once (real models; at most {MAX_CONCURRENCY}).",
    ),
]
MaxErrorsOpt = Annotated[
    int,
    typer.Option(
        "--max-errors",
        min=0,
        metavar="N",
        help="Exit 0 even if up to N episodes end in error (default 0: any error exits 1).",
    ),
]
ExecutorOpt = Annotated[
    str | None,
    typer.Option(
        "--executor",
        metavar="local|processes|ray",
        help="Where episodes run (default: local, or processes with --workers).",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        metavar="ADDRESS",
        help="Ray cluster for --executor ray ('auto', 'ray://host:10001'; "
        "default: RAY_ADDRESS or a local instance).",
    ),
]


def assignments(values: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values or []:
        key, value = split_assignment(raw, flag)
        if key in out:
            raise ConfigError(f"{flag} '{key}' is given twice")
        out[key] = value
    return out


def limits(max_steps: int | None, max_tokens: int | None, max_cost: float | None) -> UsageLimits:
    check_budget("--max-cost", max_cost)  # NaN and inf pass click's range check
    return UsageLimits(max_steps=max_steps, max_tokens=max_tokens, max_cost_usd=max_cost)


def check_output_file(path: Path | None, flag: str) -> None:
    """Can `path` be written? Checked before the run, so a typo in a path costs one line,
    not a run whose summary is lost at the end. Nothing is created."""
    if path is None or str(path) == "-":
        return
    if path.is_dir():
        raise ConfigError(f"{flag} '{path}' is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists():
        ok = os.access(path, os.W_OK)
    elif not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise ConfigError(f"{flag} '{path}' cannot be written: '{parent}' {what}")
    else:
        ok = os.access(parent, os.W_OK | os.X_OK)
    if not ok:
        raise ConfigError(f"{flag} '{path}' cannot be written: permission denied")
