"""Upper (and lower) bounds on what a run may ask for, checked before anything runs.

Why: every count a user types becomes memory, processes or hours. `--seeds
99999999999999999999` once built a list of seeds until the machine ran out of memory, and
`-w 1000` started a thousand processes for one episode. Each limit here is far above the
largest experiment archbench ships (a sweep of 7 cells, 417 seeds for 100,000 episodes,
10 worlds, `-j 64` against a server), so a real experiment never meets one; a typo or a
runaway script gets one line naming the flag, the value and the allowed range, and exit
code 2, before a file is written.

`harness.compare`, `harness.sweep_plan`, `harness.worlds` and `harness.usage` call these
checks, so the Python API keeps the same promises as the CLI.
"""

from __future__ import annotations

import math
import os

from harness.errors import ConfigError

MAX_SEEDS = 10_000
"""Seeds per task: 10,000 x 60 tasks x 4 designs is 2.4 million episodes."""
MAX_SEED = 2**31 - 1
"""The largest seed value: seeds are stored as 64-bit integers and sent to servers that
take 32-bit ones."""
MAX_WORLDS = 200
"""Generated worlds of one suite: each is a corpus of ~430 pages made before the run."""
MAX_CONCURRENCY = 1024
"""Episodes in flight on one event loop (`-j`): far more than any server's rate limit."""
MAX_FORCED_WORKERS = 1024
"""Worker processes with `--force-workers`; without it, at most the machine's CPUs."""
MAX_CELLS = 1000
"""Cells of a sweep grid: the largest shipped sweep has 7."""

TASK_RANGES: dict[str, tuple[float, float]] = {
    "hops": (2, 4),
    "breadth": (2, 10),
    "distractors": (0, 10),
    "per_family": (1, 100),
    "alias_rate": (0.0, 1.0),
}
"""What the task generator can honour: its worlds have chains of 2 to 4 hops (a value
outside was silently replaced by the nearest one), a breadth task needs that many distinct
candidates, and 100 tasks per family already make a corpus of ~3,400 pages."""


def _n(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def check_seeds(seeds: list[int] | range, flag: str = "--seeds") -> None:
    """A run's seeds: at most `MAX_SEEDS` of them, each within 0..`MAX_SEED`, none twice."""
    if len(seeds) > MAX_SEEDS:
        raise ConfigError(
            f"{flag}: {len(seeds):,} seeds per task is more than the {MAX_SEEDS:,} allowed"
        )
    seen: set[int] = set()
    for s in seeds:
        if not 0 <= s <= MAX_SEED:
            raise ConfigError(f"seed {s} is out of range: seeds are 0 to {MAX_SEED:,}")
        if s in seen:
            raise ConfigError(f"seed {s} is given twice: its episodes would count twice")
        seen.add(s)


def seed_range(first: int, count: int) -> range:
    """`count` seeds from `first`, checked before the list is made (the count alone could
    exhaust memory)."""
    if count < 1:
        raise ConfigError(f"--seeds must be at least 1, got {count}")
    if count > MAX_SEEDS:
        raise ConfigError(
            f"--seeds {count:,} is more than the {MAX_SEEDS:,} seeds per task allowed"
        )
    if not 0 <= first <= MAX_SEED or first + count - 1 > MAX_SEED:
        raise ConfigError(
            f"--seed {first} with --seeds {count} is out of range: seeds are 0 to {MAX_SEED:,}"
        )
    return range(first, first + count)


def check_world_count(count: int) -> None:
    if count > MAX_WORLDS:
        raise ConfigError(f"--worlds {count:,} is more than the {MAX_WORLDS} allowed")


def check_concurrency(concurrency: int) -> None:
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ConfigError(f"--concurrency must be 1 to {MAX_CONCURRENCY:,}, got {concurrency:,}")


def cpu_count() -> int:
    return os.cpu_count() or 1


def check_workers(workers: int | None, executor: str | None, force: bool) -> None:
    """Local worker processes: at most one per CPU unless `force` (then at most
    `MAX_FORCED_WORKERS`): more only share the same cores and each costs memory. A Ray
    cluster's size is not this machine's, so `--executor ray` has no limit here."""
    if workers is None or executor == "ray":
        return
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    cpus = cpu_count()
    if force:
        if workers > MAX_FORCED_WORKERS:
            raise ConfigError(
                f"--workers {workers:,} is more than the {MAX_FORCED_WORKERS:,} allowed "
                "even with --force-workers"
            )
        return
    if workers > cpus:
        raise ConfigError(
            f"--workers {workers:,} is more than this machine's {cpus} CPUs; more processes "
            "only share them (pass --force-workers to start them anyway)"
        )


def check_cells(counts: list[int]) -> None:
    """A grid of axes with these numbers of values, counted before any cell is made."""
    cells = math.prod(counts)
    if cells > MAX_CELLS:
        product = f"{' x '.join(f'{c:,}' for c in counts)} = " if len(counts) > 1 else ""
        raise ConfigError(
            f"sweep grid: {product}{cells:,} cells is more than the {MAX_CELLS:,} allowed; "
            "sweep fewer values"
        )


def check_task_setting(key: str, name: str, low: float, high: float) -> None:
    """A task-generator setting (a number, or both ends of a range) within what the
    generator honours."""
    lo, hi = TASK_RANGES[name]
    for v in (low, high):
        if not (lo <= v <= hi):  # NaN fails too
            raise ConfigError(
                f"sweep grid '{key}': {name} must be within {_n(lo)} to {_n(hi)}, got {_n(v)}"
            )
    if low > high:
        raise ConfigError(f"sweep grid '{key}': a range LOW-HIGH needs LOW <= HIGH")


def check_budget(flag: str, value: float | None, *, positive: bool = False) -> None:
    """An episode budget: a finite number, not negative (positive where asked)."""
    if value is None:
        return
    if not math.isfinite(value):
        raise ConfigError(f"{flag} must be a finite number, got {value}")
    if value < 0 or (positive and value == 0):
        raise ConfigError(
            f"{flag} must be {'positive' if positive else 'at least 0'}, got {_n(value)}"
        )
