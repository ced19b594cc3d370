"""`archbench report DIR` on a training run (`archbench train --out DIR`): what training did.

A training run directory is not a comparison: it holds the trainer's configuration
(`train.json`), the trained policy (`policy.json`), one line per batch of training
(`curve.jsonl`: reward, accuracy, mean steps, tokens) and the before/after evaluation
(`eval.json`). The report of such a directory shows, on one self-contained page:

- the learning curves, reward, accuracy, mean steps and tokens per episode against the
  episodes trained (matplotlib, the same style and deterministic SVG as every report
  figure), each batch as a faint line and a running mean over about a tenth of training
  as a bold one: a batch is noisy, and the trend is what training is judged by;
- the before/after evaluation as the trainer measured it, suite by suite;
- the policy's parameters (bias and feature weights per decision);
- one evaluation task played by the base policy and by the trained policy side by side,
  from an ordinary run directory (`harness.report.training_pair`), with links to the
  full trace page of each.

Like the run report, it renders what it can: a part that cannot be read or drawn becomes a
note at the top, never a traceback. Only a directory that is not a training run is an
error (the CLI then reads it as a comparison).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

from harness import runlock, runpaths
from harness.errors import ConfigError
from harness.report.files import ReportFiles
from harness.report.load import Note
from harness.report.pages import environment
from harness.report.plots import PALETTE, RC, Plot, _figure, _finish
from harness.rundir import REPORT_DIR

CONFIG = "train.json"
CURVE = "curve.jsonl"
POLICY = "policy.json"
EVAL = "eval.json"

METRICS: tuple[tuple[str, str], ...] = (
    ("reward", "Reward per episode"),
    ("accuracy", "Accuracy"),
    ("mean_steps", "Mean steps per episode"),
    ("tokens", "Tokens per episode"),
)
"""The curve.jsonl fields drawn, in panel order, with their titles."""


def is_training_dir(path: Path | str) -> bool:
    """True for a directory `archbench train` wrote (its config and its curve)."""
    d = Path(path)
    return (d / CONFIG).is_file() and ((d / CURVE).is_file() or (d / POLICY).is_file())


@dataclass
class TrainingRun:
    """What the report reads of a training run directory."""

    dir: Path
    config: dict[str, Any]
    curve: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    evaluation: dict[str, Any] | None = None
    notes: list[Note] = field(default_factory=list)
    torn: int = 0

    @property
    def episodes(self) -> int:
        """Episodes trained: the sum of the batches' (a line holds its own batch's)."""
        done = [x for x in trained_so_far(self.curve) if x is not None]
        return int(done[-1]) if done else 0


def _json(path: Path, notes: list[Note], what: str) -> dict[str, Any] | None:
    if not path.is_file():
        notes.append(Note("warn", f"{path.name} is missing: no {what}"))
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        notes.append(Note("warn", f"{path.name} cannot be read ({type(exc).__name__}): no {what}"))
        return None
    if not isinstance(data, dict):
        notes.append(Note("warn", f"{path.name} is not a JSON object: no {what}"))
        return None
    return data


def load_training(path: Path | str) -> TrainingRun:
    """Read a training run directory; `ConfigError` when it is not one."""
    d = Path(path)
    if not d.is_dir():
        raise ConfigError(f"'{d}' is not a directory")
    if not is_training_dir(d):
        raise ConfigError(f"'{d}' is not a training run (no {CONFIG} with {CURVE})")
    notes: list[Note] = []
    saved = _json(d / CONFIG, notes, "configuration") or {}
    # the trainer writes {"config": {...}, "sim_version": N}; a bare config reads the same
    inner = saved.get("config")
    config = (
        {**inner, "sim_version": saved.get("sim_version")} if isinstance(inner, dict) else saved
    )
    run = TrainingRun(d, config, notes=notes)
    run.policy = _json(d / POLICY, notes, "trained policy (an interrupted run?)")
    run.evaluation = _json(d / EVAL, notes, "before/after evaluation (an interrupted run?)")
    if (d / CURVE).is_file():
        for line in (d / CURVE).read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                run.torn += 1
                continue
            if isinstance(row, dict):
                run.curve.append(row)
            else:
                run.torn += 1
    if run.torn:
        notes.append(Note("warn", f"{CURVE}: {run.torn} unreadable line(s) skipped"))
    if not run.curve:
        notes.append(Note("warn", f"{CURVE} holds no batch: no learning curves"))
    return run


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v) if math.isfinite(v) else None


def running_mean(values: Sequence[float], window: int) -> list[float]:
    """The mean of the last `window` values at each point (fewer at the start)."""
    out: list[float] = []
    total = 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def trained_so_far(curve: Sequence[Mapping[str, Any]]) -> list[float | None]:
    """Episodes trained by the end of each batch: a curve line holds its own batch's
    episode count, so the x axis is their running sum (None once a line has none)."""
    out: list[float | None] = []
    total: float | None = 0.0
    for r in curve:
        n = _number(r.get("episodes"))
        total = None if total is None or n is None else total + n
        out.append(total)
    return out


def curve_plot(curve: Sequence[Mapping[str, Any]]) -> Plot | None:
    """Four panels (reward, accuracy, mean steps, tokens per episode) against the episodes
    trained; None when no batch has any of them."""
    xs = trained_so_far(curve)
    if not curve or all(x is None for x in xs):
        return None
    window = max(1, len(curve) // 10)
    with matplotlib.rc_context(RC):
        fig = _figure(8.4, 5.4)
        axes = fig.subplots(2, 2, sharex=True)
        drawn = 0
        for ax, (key, title) in zip(axes.flat, METRICS, strict=True):
            pts = [
                (x, y)
                for x, r in zip(xs, curve, strict=True)
                if x is not None and (y := _number(r.get(key))) is not None
            ]
            ax.set_title(title)
            if not pts:
                ax.text(0.5, 0.5, "not recorded", ha="center", va="center", transform=ax.transAxes)
                continue
            drawn += 1
            px, py = [p[0] for p in pts], [p[1] for p in pts]
            ax.plot(px, py, color=PALETTE[0], alpha=0.3, linewidth=0.8, label="per batch")
            ax.plot(
                px,
                running_mean(py, window),
                color=PALETTE[0],
                linewidth=2,
                label=f"mean of {window} batch{'es' if window > 1 else ''}",
            )
            if key == "accuracy":
                ax.set_ylim(-0.02, 1.02)
        for ax in axes[1]:
            ax.set_xlabel("episodes trained")
        axes[0][0].legend(loc="best")
        if not drawn:
            return None
    return _finish(fig, "training_curves", "Learning curves")


def eval_rows(evaluation: Mapping[str, Any] | None) -> list[tuple[str, str, Any, Any]]:
    """(suite, metric, before, after) for every number both sides report, from the
    trainer's eval.json: {"before": {"model", "suites": {suite: {metric: value}}},
    "after": {...}}."""
    if not evaluation:
        return []

    def suites(side: str) -> Mapping[str, Any]:
        entry = evaluation.get(side)
        got = entry.get("suites") if isinstance(entry, Mapping) else None
        return got if isinstance(got, Mapping) else {}

    before, after = suites("before"), suites("after")
    rows: list[tuple[str, str, Any, Any]] = []
    for suite, b_metrics in before.items():
        a_metrics = after.get(suite)
        if not isinstance(b_metrics, Mapping) or not isinstance(a_metrics, Mapping):
            continue
        for metric, b in b_metrics.items():
            a = a_metrics.get(metric)
            if _number(b) is not None and _number(a) is not None:
                rows.append((str(suite), str(metric), b, a))
    return rows


def policy_rows(
    policy: Mapping[str, Any] | None,
) -> tuple[list[str], list[tuple[str, Any, list[Any]]]]:
    """The policy's feature names and (decision, bias, weights) per decision; a decision
    that is off has bias None."""
    if not policy:
        return [], []
    names = [str(n) for n in policy.get("features") or []]
    params = policy.get("params")
    rows: list[tuple[str, Any, list[Any]]] = []
    if isinstance(params, Mapping):
        for d, entry in params.items():
            if isinstance(entry, Mapping):
                w = entry.get("weights")
                rows.append((str(d), entry.get("bias"), list(w) if isinstance(w, list) else []))
    return names, rows


def write_training_report(run_dir: Path | str, out: Path | str | None = None) -> Path:
    """Write the report of the training run in `run_dir` to `out` (default
    RUN_DIR/report/) and return the path of its index.html."""
    from harness.report.training_pair import PairView, pair_view

    run = load_training(run_dir)
    if out is None:
        held = runlock.lock(run.dir, "archbench report")
        try:
            out_dir = runpaths.check(run.dir, REPORT_DIR)
        except BaseException:
            held.release()
            raise
    else:
        held, out_dir = runlock.lock(Path(out), "archbench report --out"), Path(out)
    with held:
        files = ReportFiles(out_dir)
        files.clear()
        env = environment()
        plot = None
        try:
            plot = curve_plot(run.curve)
        except Exception as exc:  # noqa: BLE001 - a report renders what it can
            run.notes.append(Note("warn", f"the learning curves could not be drawn: {exc}"))
        if plot is not None:
            files.write(f"img/{plot.name}.svg", plot.svg)
            files.write(f"img/{plot.name}.png", plot.png)
        pair: PairView | None = None
        try:
            pair = pair_view(run, env, files)
        except ConfigError as exc:
            run.notes.append(Note("warn", f"no before/after traces: {exc}"))
        except Exception as exc:  # noqa: BLE001
            msg = f"the before/after traces could not be run: {type(exc).__name__}: {exc}"
            run.notes.append(Note("warn", msg))
        names, params = policy_rows(run.policy)
        page = env.get_template("training.html.j2").render(
            title=f"archbench training report: {run.dir.name}",
            run=run,
            notes=run.notes,
            settings=[(k, json.dumps(v)) for k, v in run.config.items()],
            curves=plot,
            last=run.curve[-1] if run.curve else None,
            evaluation=eval_rows(run.evaluation),
            features=names,
            params=params,
            trained=(run.policy or {}).get("trained") or {},
            pair=pair,
            img_prefix="",
        )
        index = files.write("index.html", page)
        files.finish()
    return index
