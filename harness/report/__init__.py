"""`archbench report RUN_DIR`: one self-contained HTML report of a run or a sweep.

    from harness.report import write_report
    index = write_report("runs/first")   # runs/first/report/index.html

The report opens from disk with no server and no network: styles are inline, figures are
embedded as data URIs (and also written as PNG and SVG to report/img/ for papers and
slides), and every link is relative. A sweep gets an index of the cross-cell figures plus a
page per cell; every selected episode gets a trace page.

Whatever the run directory holds, the report renders what it can and says at the top what
it found (an interrupted run, an older format, missing traces); a section that cannot be
drawn becomes a note, never a traceback. Only a directory that does not exist, or holds no
run, is an error (`ConfigError`).
"""

from __future__ import annotations

from pathlib import Path

from harness.report.load import load_run
from harness.stats import DEFAULT_REPS

__all__ = ["DEFAULT_TRACES", "load_run", "write_report"]

DEFAULT_TRACES = 300
"""Trace pages written by default: all episodes of a run up to this many, else the failed
ones first (a 20-cell sweep has ~15,000 episodes)."""


def write_report(
    run_dir: Path | str,
    out: Path | str | None = None,
    *,
    max_traces: int | None = DEFAULT_TRACES,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
) -> Path:
    """Write the report of the run (or sweep) in `run_dir` to `out` (default
    RUN_DIR/report/) and return the path of its index.html. `max_traces=None` writes a
    trace page for every episode; `reps` and `seed` set the bootstrap."""
    from harness.report.build import build_report

    return build_report(run_dir, out, max_traces=max_traces, reps=reps, seed=seed)
