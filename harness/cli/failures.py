"""Episodes that ended in `error`: counted, shown, and turned into the exit code.

Why: a run whose every episode failed (a wrong base URL, an expired key, a server down)
exited 0 and printed "0.0%" — indistinguishable from a design that answers everything
wrong, and invisible to a script or CI job. Now every summary table has an `errors`
column, `--json` counts them, and a run with any episode in `error` exits 1 with one line
saying how many and where they are, unless `--max-errors N` allows up to N of them.

Only `error` is a failure: `context_overflow`, `budget_exhausted` and `no_answer` are
results (what the design did within its limits), counted as wrong answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.console import Console

from harness.cli.console import say
from harness.metrics import Summary

FAILED = "error"
"""The one outcome that means the run, not the design, failed."""


def errors_of(summary: Summary) -> int:
    return summary.outcomes.get(FAILED, 0)


def count_errors(summaries: Iterable[Summary]) -> tuple[int, int]:
    """(episodes in error, episodes) over `summaries`."""
    errors = episodes = 0
    for s in summaries:
        errors += errors_of(s)
        episodes += s.episodes
    return errors, episodes


def check_errors(
    err: Console,
    errors: int,
    episodes: int,
    max_errors: int,
    where: Sequence[Path] | str = (),
) -> None:
    """Say how many episodes ended in error and where their reasons are (`where`: the
    results.jsonl files that hold them, or where else to look); exit with code 1 when
    more than `max_errors`."""
    if errors == 0:
        return
    plural = "episode" if episodes == 1 else "episodes"
    what = f"{errors} of {episodes} {plural} ended in error"
    if isinstance(where, str):
        at = f"; {where}"
    elif where:
        files = ", ".join(str(p) for p in where[:3])
        more = f" and {len(where) - 3} more" if len(where) > 3 else ""
        at = f'; their reasons are in {files}{more} (outcome "error")'
    else:
        at = "; pass --out DIR to keep each episode's reason"
    hint = "; -v shows retries and their reasons"
    if errors > max_errors:
        allowed = f" (--max-errors allows {max_errors})" if max_errors else ""
        say(err, f"archbench: {what}{allowed}{at}{hint}")
        raise SystemExit(1)
    say(err, f"archbench: note: {what}, within --max-errors {max_errors}{at}")
