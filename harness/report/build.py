"""Building the report: numbers from `analysis`, figures from `plots`, pages from the Jinja2
templates. `harness.report.write_report` is the entry point; this module is imported only
when a report is written, so the CLI starts without loading matplotlib."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from harness import runlock, runpaths
from harness.errors import ArchbenchError
from harness.report.analysis import (
    ArchRow,
    CellView,
    analyse_cell,
    curves,
    event_totals,
    taxonomy_totals,
)
from harness.report.episodes import Episode
from harness.report.files import ReportFiles
from harness.report.fold import cell_overlay
from harness.report.load import CellRun, Key, Note, RunData, load_run
from harness.report.pages import environment, render_trace_page, trace_file
from harness.report.plots import (
    Plot,
    colours,
    cost_split_plot,
    curve_plot,
    family_plot,
    latency_tokens_plot,
    pareto_plot,
    taxonomy_plot,
)
from harness.rundir import REPORT_DIR
from harness.taxonomy import MODES

T = TypeVar("T")


def build_report(
    run_dir: Path | str,
    out: Path | str | None = None,
    *,
    max_traces: int | None,
    reps: int,
    seed: int,
) -> Path:
    """See `harness.report.write_report`."""
    run = load_run(run_dir, traces=max_traces, overlay=True)
    return write_run(run, out, reps=reps, seed=seed)


def write_run(
    run: RunData,
    out: Path | str | None = None,
    *,
    reps: int,
    seed: int,
) -> Path:
    """The report of a run already read by `load_run(..., traces=N, overlay=True)`, with
    trace pages for the `run.paged` episodes (the CLI reads the run first to print its
    notes: reading it a second time doubled the time)."""
    held, out_dir = _claim(run.dir, out)
    with held:
        files = ReportFiles(out_dir)
        files.clear()
        index = _Builder(run, files, reps=reps, seed=seed).write()
        files.finish()
    return index


def _claim(run_dir: Path, out: Path | str | None) -> tuple[runlock.RunLock, Path]:
    """The lock of the directory the report is written in (the run directory's own when
    the report goes to RUN_DIR/report, which must not be a link), and that report folder."""
    if out is None:
        held = runlock.lock(run_dir, "archbench report")
        try:
            return held, runpaths.check(run_dir, REPORT_DIR)
        except BaseException:
            held.release()
            raise
    return runlock.lock(Path(out), "archbench report --out"), Path(out)


def check_report_dir(run_dir: Path, out: Path | str | None) -> None:
    """Refuse now, in one line, a report whose directory another process is writing or
    that is a link (the CLI asks before it prints what it found in the run; `write_run`
    takes the lock for the writing itself)."""
    held, out_dir = _claim(run_dir, out)
    with held:
        ReportFiles(out_dir).check()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


class _Builder:
    def __init__(self, run: RunData, files: ReportFiles, *, reps: int, seed: int) -> None:
        self.run = run
        self.files = files
        self.env = environment()
        self.notes: list[Note] = run.all_notes()
        self.palette = colours(run.architectures)
        self.sweep = run.kind == "sweep"
        self.views: list[CellView] = [
            v
            for c in run.cells
            if (v := self._guard(f"cell {c.id}", analyse_cell, c, reps=reps, seed=seed))
        ]
        self.links: dict[tuple[str, str, str, int], str] = {}

    def _guard(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run one section; a failure becomes a note and the rest of the report goes on."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a report renders what it can
            self.notes.append(
                Note("warn", f"{what} could not be drawn: {type(exc).__name__}: {exc}")
            )
            return None

    def _plot(
        self, prefix: str, fn: Callable[..., Plot | None], *args: Any, **kwargs: Any
    ) -> Plot | None:
        """Draw a figure (guarded), name it with `prefix` and write its PNG and SVG."""
        plot = self._guard("a figure", fn, *args, **kwargs)
        if plot is None:
            return None
        if prefix:
            plot = Plot(f"{prefix}_{plot.name}", plot.title, plot.svg, plot.png)
        self.files.write(f"img/{plot.name}.svg", plot.svg)
        self.files.write(f"img/{plot.name}.png", plot.png)
        return plot

    def write(self) -> Path:
        # chosen as the run was read (only these steps were kept); a cell that could not
        # be analysed has no pages, and its share is not handed to the others
        ids = {v.cell.id for v in self.views}
        paged = [(c, k) for c, k in self.run.paged if c.id in ids]
        for cell, key in paged:
            self.links[(cell.id, *key)] = trace_file(cell, key)
        context = self._index_context()
        if self.sweep:
            for v in self.views:
                self._guard(f"the page of cell {v.cell.id}", self._cell_page, v)
        self._traces()
        context["notes"] = self.notes
        page = self.env.get_template("index.html.j2").render(**context)
        return self.files.write("index.html", page)

    # --- sections --------------------------------------------------------------------

    def _rows(self) -> list[ArchRow]:
        return [r for v in self.views for r in v.rows]

    def _index_context(self) -> dict[str, Any]:
        run = self.run
        rows = self._rows()
        sweep_plots = []
        for axis in run.varying:
            key = str(axis["key"])
            title, spend = _axis_title(key)
            lines = curves(run, self.views, axis)
            name = f"sweep_{_slug(key)}"
            plot = self._plot(
                "", curve_plot, lines, axis, self.palette, name=name, title=title, spend=spend
            )
            if plot is not None:
                sweep_plots.append((key, plot))
        steps_axis = any(
            _axis_title(str(a["key"]))[0].startswith("Accuracy vs step") for a in run.varying
        )
        budget_axis = any(str(a["key"]).startswith("budget_") for a in run.varying)
        all_results = {a: [r for v in self.views for r in v.cell.of(a)] for a in run.architectures}
        counts = taxonomy_totals(self.views)
        split_rows = rows if len(rows) <= 24 else rows[: len(run.architectures)]
        first = self.views[0].families if self.views and not self.sweep else None
        return {
            "title": f"archbench report: {run.dir.name}",
            "run": run,
            "sweep": self.sweep,
            "rows": rows,
            "views": self.views,
            "view": self.views[0] if self.views and not self.sweep else None,
            "palette": self.palette,
            "pareto": self._plot("", pareto_plot, rows, self.palette, self.sweep),
            "sweep_plots": sweep_plots,
            "steps_axis": steps_axis,
            "budget_axis": budget_axis,
            "latency": self._plot("", latency_tokens_plot, all_results, self.palette),
            "cost_split": self._plot("", cost_split_plot, split_rows, self.sweep),
            "families": None
            if first is None
            else self._plot("", family_plot, first, run.architectures),
            "taxonomy": self._plot("", taxonomy_plot, counts, self.palette),
            "counts": counts,
            "modes": MODES,
            "events": event_totals(self.views),
            "drawings": self._drawings(),
            "links": self.links,
            "settings": _settings(run),
            "fixed": [a for a in run.axes if len(a.get("values", [])) == 1],
            "img_prefix": "",
            "cell_page": False,
        }

    def _cell_page(self, v: CellView) -> None:
        cell = v.cell
        prefix = f"cell_{cell.id}"
        results = {a: cell.of(a) for a in cell.architectures}
        context = {
            "title": f"archbench report: {self.run.dir.name}, cell {cell.id} ({cell.label})",
            "run": self.run,
            "view": v,
            "cell": cell,
            "notes": [n for n in self.notes if n.text.startswith(f"cell {cell.id} ")],
            "families": self._plot(prefix, family_plot, v.families, cell.architectures),
            "latency": self._plot(prefix, latency_tokens_plot, results, self.palette),
            "cost_split": self._plot(prefix, cost_split_plot, v.rows, False),
            "taxonomy": self._plot(prefix, taxonomy_plot, v.taxonomy, self.palette),
            "counts": v.taxonomy,
            "modes": MODES,
            "palette": self.palette,
            "links": {k: "../" + p for k, p in self.links.items()},
            "img_prefix": "../",
            "cell_page": True,
        }
        page = self.env.get_template("cell.html.j2").render(**context)
        self.files.write(f"cells/{cell.id}.html", page)

    def _traces(self) -> None:
        by_id = {v.cell.id: v for v in self.views}
        results: dict[str, dict[Key, Episode]] = {}
        for cid, arch, task, seed in sorted(self.links):
            v = by_id[cid]
            if cid not in results:  # once per cell, not once per page
                results[cid] = {x.key: x for x in v.cell.results}
            r = results[cid][(arch, task, seed)]
            back = f"../cells/{cid}.html" if self.sweep else "../index.html"
            title = f"{arch} on {task}, seed {seed}"
            diagnosis = v.diagnoses.get((arch, task, seed))
            what = f"the trace page of {arch} {task}@{seed}"
            page = self._guard(what, render_trace_page, self.env, v.cell, r, diagnosis, back, title)
            if page is not None:
                self.files.write(self.links[(cid, arch, task, seed)], page)

    def _drawings(self) -> list[tuple[str, str, str]]:
        """(architecture, caption, SVG data URI) for each design, as the run bound it,
        with the run's cost (or token) footprint overlaid when traces allow."""
        if not self.views:
            return []
        cell = self.views[0].cell
        out: list[tuple[str, str, str]] = []
        for arch in cell.architectures:
            drawn = self._guard(f"the drawing of {arch}", _drawing, cell, arch)
            if drawn is not None:
                out.append((arch, drawn[0], drawn[1]))
        return out


def _drawing(cell: CellRun, arch: str) -> tuple[str, str]:
    import base64

    from harness.drawing import draw, figure
    from harness.drawing.overlay import run_spec

    try:
        overlay = cell_overlay(cell, arch)
        fig = figure(None, overlay)
        caption = f"as this run bound it; colour shows where the {overlay.default_metric()} went"
    except ArchbenchError:  # a partial or older run: draw the design itself
        fig = figure([run_spec(cell.dir, arch)])
        caption = "with its default bindings (the run's could not be read back)"
    svg = draw(fig, "svg", on_fallback=lambda _msg: None)
    return caption, "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _axis_title(key: str) -> tuple[str, str]:
    name = key.rpartition(":")[2]
    if name in ("max_steps", "budget_steps"):
        return "Accuracy vs step budget", "cost"
    if name == "budget_tokens":
        return "Accuracy at a matched token budget", "tokens"
    if name == "budget_usd":
        return "Accuracy at a matched cost budget", "cost"
    return f"Accuracy vs {key}", "cost"


def _settings(run: RunData) -> list[tuple[str, str]]:
    """The run's fixed configuration, for the overview."""
    cfg = run.cells[0].config if run.cells else {}
    out: list[tuple[str, str]] = []
    if run.kind == "sweep":
        m = run.meta
        out.append(("architectures", ", ".join(m.get("architectures", [])) or "?"))
        out.append(("seeds", ", ".join(map(str, m.get("seeds", []))) or "?"))
        out.append(("suite", str(m.get("suite", "?"))))
        if isinstance(m.get("worlds"), int) and m["worlds"] > 1:
            out.append(("worlds", str(m["worlds"])))
        if m.get("families"):
            out.append(("families", ", ".join(m["families"])))
        out.append(("cells", f"{len(run.cells)} of {len(m.get('cells', [])) or '?'} ran"))
    else:
        out.append(("suite", str(cfg.get("suite", "unknown"))))
        if isinstance(cfg.get("worlds"), int) and cfg["worlds"] > 1:
            out.append(("worlds", str(cfg["worlds"])))
        out.append(("seeds", ", ".join(map(str, cfg.get("seeds", []))) or "unknown"))
        out.append(("tasks", str(len(cfg.get("tasks", []))) if cfg.get("tasks") else "unknown"))
        lim = cfg.get("limits") or {}
        caps = [f"{k}={v}" for k, v in lim.items() if v is not None]
        out.append(("episode budget", ", ".join(caps) or "none"))
    version = run.meta.get("archbench_version", cfg.get("archbench_version", "unknown"))
    out.append(("archbench version", str(version)))
    return out
