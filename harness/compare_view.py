"""How a `Comparison` shows itself: a one-line repr, an HTML table for notebooks, and a
pandas DataFrame of its episodes.

Why: the dataclass repr printed every result and summary (1.3 MB for a default run in a
notebook cell); a comparison is read through its summaries, so it shows those, briefly.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.compare import Comparison
    from harness.trace import EpisodeResult


def _cost(value: float | None) -> str:
    return "cost unknown" if value is None else f"${value:.4f}/episode"


def summary_line(c: Comparison) -> str:
    """`Comparison(suite 'default', 2 architectures, 96 episodes: a 62% $0.0123/episode,
    b 40% ...; run_dir '...')`."""
    archs = "; ".join(
        f"{s.architecture} {s.accuracy:.0%} {_cost(s.mean_cost_usd)}" for s in c.summaries
    )
    where = "" if c.run_dir is None else f"; run_dir '{c.run_dir}'"
    return f"Comparison({_head(c)}: {archs or 'none'}{where})"


def _head(c: Comparison) -> str:
    episodes = sum(s.episodes for s in c.summaries)
    suite = c.config.get("suite", "?")
    return f"suite {suite!r}, {len(c.summaries)} architecture(s), {episodes} episode(s)"


def summary_html(c: Comparison) -> str:
    """The summaries as a small HTML table (what a notebook shows)."""
    head = (
        "architecture",
        "episodes",
        "accuracy",
        "95% CI",
        "supported",
        "steps",
        "tokens",
        "cost $/episode",
        "latency s",
    )
    rows = []
    for s in c.summaries:
        lo, hi = s.accuracy_ci95
        tokens = s.mean_input_tokens + s.mean_output_tokens
        cells = (
            s.architecture,
            str(s.episodes),
            f"{s.accuracy:.1%}",
            f"{lo:.0%}–{hi:.0%}",
            f"{s.supported_rate:.1%}",
            f"{s.mean_steps:.1f}",
            f"{tokens:,.0f}",
            "unknown" if s.mean_cost_usd is None else f"{s.mean_cost_usd:.4f}",
            f"{s.mean_latency_s:.1f}",
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in cells) + "</tr>")
    caption = html.escape(f"Comparison({_head(c)})")
    return (
        f"<table><caption>{caption}</caption><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def episodes_frame(c: Comparison) -> Any:
    """A pandas DataFrame, one row per episode (columns: `harness.export.tables.
    EPISODE_COLUMNS`), from the results kept in memory or, for a comparison that kept
    none (`keep_results=False`, the CLI's runs), from its run directory."""
    from harness.export.optional import need
    from harness.export.tables import episodes_frame as frame

    need("pandas", "parquet", "Comparison.to_pandas()")  # before a run directory is read
    results: list[EpisodeResult] = list(c.results)
    if not results and c.run_dir is not None and (Path(c.run_dir) / "results.jsonl").exists():
        from harness.export.source import read_run

        results = read_run(c.run_dir).results
    return frame(results)
