"""The studies page: a study's table, its figure and its sensitivity table as one
self-contained HTML file (DIR/study.html), next to study.json and study.md.

It reuses the run report's machinery (harness.report.pages' Jinja environment and base
template, harness.report.plots' deterministic matplotlib SVG), so the page looks like the
report and the same result gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import matplotlib

from harness.report.pages import environment
from harness.report.plots import PALETTE, RC, Plot, _figure, _finish
from harness.studies.framework import SHORT, Row, StudyResult

VERDICT_CLASS = {
    "reproduced in size": "good",
    "reproduced in direction": "warn",
    "not reproduced": "bad",
    "no published figure here": "",
}
_COLOUR = {"good": PALETTE[2], "warn": PALETTE[4], "bad": PALETTE[1], "": "#888888"}


def study_plot(result: StudyResult) -> Plot | None:
    """One panel per row with an estimate (rows have their own units, so each its own
    x axis): the interval, the point, the published figure and the no-effect value."""
    rows = [r for r in result.rows if r.estimate is not None]
    if not rows:
        return None
    with matplotlib.rc_context(RC):
        fig = _figure(7.0, 0.62 * len(rows) + 0.5)
        axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
        for ax, r in zip(axes, rows, strict=True):
            _panel(ax, r)
    return _finish(fig, f"study-{result.study}", f"{result.study}: archbench's figures")


def _panel(ax: Any, r: Row) -> None:
    est = r.estimate
    assert est is not None
    colour = _COLOUR[VERDICT_CLASS.get(r.verdict, "")]
    xs = [est.lo, est.hi]
    if r.target_range is not None:
        ax.axvspan(*r.target_range, color="#1d232b", alpha=0.12, linewidth=0)
        xs += list(r.target_range)
    elif r.target is not None:
        ax.plot([r.target], [0], "D", color="#1d232b", markersize=6, fillstyle="none")
        xs.append(r.target)
    ax.plot([est.lo, est.hi], [0, 0], color=colour, linewidth=5, solid_capstyle="butt")
    ax.plot([est.mean], [0], "o", color="#1d232b", markersize=4)
    if r.null is not None:
        ax.axvline(r.null, color="#888888", linestyle=":", linewidth=1)
        xs.append(r.null)
    lo, hi = min(xs), max(xs)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_yticks([])
    ax.set_ylim(-1, 1)
    ax.set_title(f"{r.id} ({r.label})", loc="left", fontsize=8.5, fontweight="normal")
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)


def study_html(result: StudyResult) -> str:
    """The page as text (self-contained: the figure is embedded as a data URI)."""
    commands = list(dict.fromkeys(r.command for r in result.rows))
    ref = {r.id: commands.index(r.command) + 1 for r in result.rows}
    sens = result.sensitivity
    shifts = "" if sens is None else ", ".join(f"{p} ±{a:g}" for p, a in sens.shifts)
    context: dict[str, Any] = {
        "title": f"Study {result.study} (v{result.version})",
        "mode": "quick" if result.quick else "full",
        "s": result,
        "rows": list(result.rows),
        "ref": ref,
        "commands": commands,
        "plot": study_plot(result),
        "sens": sens,
        "shifts": shifts,
        "short": SHORT,
        "verdict_class": VERDICT_CLASS,
    }
    return environment().get_template("study.html.j2").render(**context)
