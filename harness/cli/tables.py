"""The tables `archbench compare` prints: the summary, accuracy by task family, and the
paired differences against a baseline. Names in them come from files and plug-ins, so
every one goes through `shown` (never read as markup, control characters made visible);
the summary's `errors` column counts episodes whose run failed (`harness.cli.failures`)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from harness.cli.failures import errors_of
from harness.cli.text import shown
from harness.compare import Comparison
from harness.stats import PAIRED_METRICS, PairedComparison, verdict


def _money(v: float | None) -> str:
    return "unknown" if v is None else f"{v:.4f}"


def _seeds(seeds: list[int]) -> str:
    """A run's seeds for a title: all of a short list, the ends of a long one."""
    if len(seeds) <= 8:
        return str(seeds)
    return f"[{seeds[0]}, {seeds[1]}, ..., {seeds[-1]}] ({len(seeds):,} seeds)"


def render_table(result: Comparison) -> Table:
    config = result.config
    worlds = int(config.get("worlds", 1))
    suite = f"{config['suite']} ({worlds} worlds)" if worlds > 1 else config["suite"]
    t = Table(title=shown(f"archbench compare: suite {suite}, seeds {_seeds(config['seeds'])}"))
    for col in (
        "architecture",
        "episodes",
        "errors",
        "accuracy",
        "95% CI",
        "steps",
        "tool calls",
        "input tok",
        "output tok",
        "coord. tok",
        "cost $",
        "latency s",
    ):
        if col == "architecture":
            t.add_column(col, no_wrap=True, min_width=20)
        else:
            t.add_column(col, justify="right")
    for s in result.summaries:
        lo, hi = s.accuracy_ci95
        errors = errors_of(s)
        t.add_row(
            shown(s.architecture),
            str(s.episodes),
            Text(str(errors), style="bold red" if errors else ""),
            f"{s.accuracy:.1%}",
            f"{lo:.0%}-{hi:.0%}",
            f"{s.mean_steps:.1f}",
            f"{s.mean_tool_calls:.1f}",
            f"{s.mean_input_tokens:,.0f}",
            f"{s.mean_output_tokens:,.0f}",
            f"{s.mean_coordination_tokens:,.0f}",
            _money(s.mean_cost_usd),
            f"{s.mean_latency_s:.1f}",
        )
    return t


def render_families(result: Comparison) -> Table:
    families = sorted({f for s in result.summaries for f in s.by_family})
    failed = any(errors_of(s) for s in result.summaries)
    title = "accuracy / mean latency s / mean cost $" + (" / errors" if failed else "")
    t = Table(title=f"{title} by task family")
    t.add_column("architecture", no_wrap=True, min_width=20)
    for f in families:
        t.add_column(shown(f), justify="right")
    for s in result.summaries:
        cells = []
        for f in families:
            fs = s.by_family.get(f)
            if fs is None:
                cells.append("-")
                continue
            cell = f"{fs.accuracy:.0%} / {fs.mean_latency_s:.0f} / {_money(fs.mean_cost_usd)}"
            cells.append(cell + (f" / {errors_of(fs)}" if failed else ""))
        t.add_row(shown(s.architecture), *cells)
    return t


_PAIRED_UNITS = {
    "accuracy": ("accuracy", "pts", 100.0, "{:+.1f}"),
    "cost": ("cost", "$", 1.0, "{:+.4f}"),
    "tokens": ("tokens", "tok", 1.0, "{:+,.0f}"),
    "latency": ("latency", "s", 1.0, "{:+.1f}"),
}


def render_paired(pairs: list[PairedComparison], baseline: str) -> Table:
    """Each architecture minus the baseline, one row per metric: the mean difference per
    episode, its 95% interval and whether these tasks can tell it from none."""
    t = Table(
        title=shown(
            f"paired differences against {baseline} (same world, task and seed; "
            "95% clustered bootstrap)"
        )
    )
    t.add_column("architecture", no_wrap=True, min_width=20)
    t.add_column("pairs", justify="right")
    t.add_column("metric", no_wrap=True)
    t.add_column("difference", justify="right")
    t.add_column("95% CI", justify="right")
    t.add_column("verdict", no_wrap=True)
    for p in pairs:
        for i, metric in enumerate(PAIRED_METRICS):
            name, unit, scale, fmt = _PAIRED_UNITS[metric]
            est = p.metric(metric)
            first = i == 0
            if est is None:
                cells = ["unknown", "", ""]
            else:
                lo, hi = fmt.format(est.lo * scale), fmt.format(est.hi * scale)
                cells = [f"{fmt.format(est.mean * scale)} {unit}", f"{lo} to {hi}", verdict(est)]
            t.add_row(
                shown(p.a) if first else "",
                str(p.pairs) if first else "",
                name,
                *cells,
                end_section=i == len(PAIRED_METRICS) - 1,
            )
    return t
