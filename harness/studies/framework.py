"""Studies: a published finding, the recipe that measures it in archbench, and a verdict.

A study is a plain Python function with a name and a version (`Study`). Its `run` plans
ordinary `harness.compare` runs, each written to its own run directory under `out/runs/`
(so a study is parallel with `workers`, and an interrupted or repeated study resumes and
reuses those runs like any run), reads them back, and returns a `StudyResult`: one `Row`
per published figure with archbench's figure, its 95% interval, a verdict and the exact
`archbench compare` command whose run directory the number was read from.

Why verdicts come from intervals and nothing else: a study must not be tuned to agree.
`verdict` is mechanical: "reproduced in size" when the published figure lies inside
archbench's interval; "reproduced in direction" when the interval excludes the no-effect
value (0 for a difference, 1 for a ratio, an even split for a share) on the published
side; otherwise "not reproduced". A figure of one system that a committed calibration
fitted (harness/studies/calibration.py, on other tasks) is labelled "calibrated"; every
other figure, and every comparison between designs, is "predicted" and never tuned.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.bootstrap import Estimate
from harness.compare import compare
from harness.errors import ConfigError
from harness.rerun import resume
from harness.spec import ArchitectureSpec
from harness.studies.perturb import perturbed
from harness.trace import EpisodeResult
from harness.usage import UsageLimits

if TYPE_CHECKING:
    from harness.studies.sensitivity import Sensitivity

SIZE = "reproduced in size"
DIRECTION = "reproduced in direction"
NOT = "not reproduced"
NO_FIGURE = "no published figure here"
VERDICTS = (SIZE, DIRECTION, NOT, NO_FIGURE)
PREDICTED = "predicted"
CALIBRATED = "calibrated"

SUITE = "deep"
"""Every study runs on the deep suite: web-length pages and long chains, where context
management and fan-out matter (docs/suites.md)."""
FAMILIES = ("lookup", "multi_hop", "breadth", "conflict", "dead_end")
QUICK_PER_FAMILY = 2
FULL_SEEDS = 5
"""Fixed before any study was run: 40 tasks x 5 seeds per design (the bootstrap clusters
by task, so tasks, not seeds, bound the intervals)."""


def verdict(
    est: Estimate | None,
    published: float | None,
    null: float | None = None,
    side: int = 0,
) -> str:
    """The verdict of one row (see the module docstring). `null` is the no-effect value;
    `side` (+1/-1) the published direction when the source gives no number."""
    if est is None:
        return NOT
    if published is not None and est.lo <= published <= est.hi:
        return SIZE
    if null is None:
        return NOT if published is not None else NO_FIGURE
    want = side or (0 if published is None else (1 if published > null else -1))
    if (want > 0 and est.lo > null) or (want < 0 and est.hi < null):
        return DIRECTION
    return NOT


def verdict_range(est: Estimate | None, lo: float, hi: float) -> str:
    """The verdict of a figure published as a range ("3-10 calls"): in size when
    archbench's interval meets the range, not reproduced otherwise (no direction: a range
    of one system's figure has no no-effect value)."""
    if est is None or est.hi < lo or est.lo > hi:
        return NOT
    return SIZE


def explain(v: str, why_not: str, why_size: str = "") -> str:
    """The one line a verdict carries: nothing when reproduced in size; for a direction
    only, why the size differs (nothing for a claim of direction only); otherwise why the
    finding does not reproduce."""
    if v == SIZE:
        return ""
    return why_size if v == DIRECTION else why_not


@dataclass(frozen=True)
class Row:
    """One published figure beside archbench's."""

    id: str
    claim: str
    source: str
    published: str
    figure: str
    """archbench's figure as printed, starting with its label."""
    estimate: Estimate | None
    verdict: str
    why: str
    """One line: which mechanism or assumption makes the difference (empty when it holds)."""
    command: str
    label: str = PREDICTED
    """"predicted", or "calibrated" for a figure of one system that a committed
    calibration (harness/studies/calibration.py) fitted on other tasks."""
    target: float | None = None
    """The published figure on the estimate's scale, when it is one number (the page's
    figure draws it)."""
    null: float | None = None
    """The no-effect value of a direction claim, on the estimate's scale."""
    target_range: tuple[float, float] | None = None
    """A figure published as a range ("3-10 calls"), on the estimate's scale."""

    def as_dict(self) -> dict[str, Any]:
        est = None if self.estimate is None else self.estimate.as_dict()
        return {
            "id": self.id,
            "claim": self.claim,
            "source": self.source,
            "published": self.published,
            "archbench": self.figure,
            "estimate": est,
            "verdict": self.verdict,
            "why": self.why,
            "command": self.command,
            "label": self.label,
        }


COLUMNS = ("claim", "source", "published", "archbench (95% interval)", "verdict", "command")


SHORT = {SIZE: "size", DIRECTION: "direction", NOT: "not", NO_FIGURE: "n/a"}


@dataclass(frozen=True)
class StudyResult:
    """What `archbench study run` prints and writes (study.json, study.md)."""

    study: str
    version: int
    quick: bool
    command: str
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    sensitivity: Sensitivity | None = None
    """Set by `archbench study run --sensitivity` (harness.studies.sensitivity)."""

    def verdicts(self) -> dict[str, str]:
        return {r.id: r.verdict for r in self.rows}

    def as_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "version": self.version,
            "quick": self.quick,
            "command": self.command,
            "columns": list(COLUMNS),
            "rows": [r.as_dict() for r in self.rows],
            "notes": list(self.notes),
            "sensitivity": None if self.sensitivity is None else self.sensitivity.as_dict(),
        }

    def markdown(self) -> str:
        """The table (a verdict not reproduced carries its one-line why), the commands it
        refers to by number, and the notes."""
        mode = "quick" if self.quick else "full"
        commands = list(dict.fromkeys(r.command for r in self.rows))
        lines = [
            f"### {self.study} (v{self.version}, {mode})",
            "",
            f"`{self.command}`",
            "",
            "| " + " | ".join(COLUMNS) + " |",
            "|" + "---|" * len(COLUMNS),
        ]
        for r in self.rows:
            v = f"**{r.verdict}**" + (f": {r.why}" if r.why else "")
            ref = f"[{commands.index(r.command) + 1}]"
            cells = (r.claim, r.source, r.published, r.figure, v, ref)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines += ["", "Commands:", "", *(f"- [{i}] `{c}`" for i, c in enumerate(commands, 1)), ""]
        lines += ["Notes:", "", *(f"- {n}" for n in self.notes)] if self.notes else []
        if self.sensitivity is not None:
            lines += ["", *self.sensitivity.markdown(self.rows)]
        return "\n".join(lines).rstrip() + "\n"

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"
        (out / "study.json").write_text(text, encoding="utf-8")
        (out / "study.md").write_text(self.markdown(), encoding="utf-8")
        from harness.report.study_page import study_html  # matplotlib: only when written

        (out / "study.html").write_text(study_html(self), encoding="utf-8")


RunFn = Callable[[bool, Path, int | None], StudyResult]


@dataclass(frozen=True)
class Study:
    """A named, versioned recipe. Bump `version` whenever the recipe (designs, tasks,
    seeds, metrics, mapping) changes: a figure is only comparable within one version."""

    name: str
    version: int
    claim: str
    source: str
    published: str
    run: RunFn
    quick_verdicts: Mapping[str, str] = field(default_factory=dict)
    """The verdicts `--quick` gives, committed: a change fails tests/test_studies.py."""


# --- runs -----------------------------------------------------------------------------

Arch = str | ArchitectureSpec


@dataclass(frozen=True)
class RunPlan:
    """One `harness.compare` run of a study: written to out/runs/<name>."""

    name: str
    archs: tuple[Arch, ...]
    quick: bool
    models: tuple[tuple[str, str], ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    max_tokens: int | None = None
    """A per-episode token cap (`--max-tokens`), for studies that compare at matched tokens."""

    @property
    def tasks(self) -> list[str] | None:
        if not self.quick:
            return None
        n = range(1, QUICK_PER_FAMILY + 1)
        return [f"deep-{f}-{i:02d}" for f in FAMILIES for i in n]

    @property
    def seeds(self) -> int:
        return 1 if self.quick else FULL_SEEDS


@dataclass
class Run:
    """A finished run: its results, its command, and its traces when read."""

    plan: RunPlan
    dir: Path
    results: list[EpisodeResult]
    config: dict[str, Any]
    command: str

    def by_arch(self) -> dict[str, list[EpisodeResult]]:
        out: dict[str, list[EpisodeResult]] = {}
        for r in self.results:
            out.setdefault(r.architecture, []).append(r)
        return out

    def traces(self) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
        """Steps of every episode, keyed (architecture, task, seed), from traces.jsonl
        (worker processes do not ship steps back, the run directory has them all)."""
        out: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        with (self.dir / "traces.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line)
                out[(t["architecture"], t["task_id"], t["seed"])] = t["steps"]
        return out


def _arg(a: Arch, specs: Path) -> str:
    """A design as the CLI names it: a built-in by name, a spec object by the file the
    study wrote it to (so the printed command runs exactly that design)."""
    if isinstance(a, str):
        return a
    specs.mkdir(parents=True, exist_ok=True)
    path = specs / f"{a.name}.json"
    path.write_text(a.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return str(path)


def command_of(plan: RunPlan, archs: Sequence[str], run_dir: Path) -> str:
    parts = ["archbench", "compare"]
    for a in archs:
        parts += ["-a", a]
    parts += ["--suite", SUITE, "--seeds", str(plan.seeds)]
    for t in plan.tasks or []:
        parts += ["-t", t]
    for k, v in plan.models:
        parts += ["-m", f"{k}={v}"]
    for k, v in plan.params:
        parts += ["-s", f"{k}={v}"]
    if plan.max_tokens is not None:
        parts += ["--max-tokens", str(plan.max_tokens)]
    parts += ["--out", str(run_dir)]
    return shlex.join(parts)


def execute(plan: RunPlan, out: Path, workers: int | None, *, executor: str | None = None) -> Run:
    """Run `plan` into out/runs/<name>, or finish or reuse the run already there. A run
    directory planned otherwise (a quick run where a full one is asked for) is refused:
    its numbers would be read as the other plan's. Under a sensitivity shift
    (`harness.studies.perturb`) the plan's models are shifted and it runs in a directory
    of its own. `executor` (default: the one
    `executing` set, else local or worker processes) only says where episodes run."""
    plan = perturbed(plan)
    executor = executor or _EXECUTOR.get()
    run_dir = out / "runs" / plan.name
    archs = [_arg(a, out / "specs") for a in plan.archs]
    command = command_of(plan, archs, run_dir)
    if (run_dir / "config.json").exists():
        saved = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        names = [a if isinstance(a, str) else a.name for a in plan.archs]
        planned = (names, plan.tasks, [plan.seeds], plan.max_tokens)
        found = (
            saved.get("architectures"),
            saved.get("tasks") if plan.tasks else None,
            [len(saved.get("seeds", []))],
            (saved.get("limits") or {}).get("max_tokens"),
        )
        if saved.get("suite") != SUITE or planned != found:
            raise ConfigError(
                f"--out '{out}': {run_dir} holds a run of another plan "
                f"({'full' if plan.quick else 'quick'}?); choose a new --out"
            )
        comparison = resume(run_dir, workers=workers, executor=executor)
    else:
        comparison = compare(
            archs,
            suite=SUITE,
            seeds=plan.seeds,
            tasks=plan.tasks,
            models=dict(plan.models) or None,
            params=dict(plan.params) or None,
            limits=None if plan.max_tokens is None else UsageLimits(max_tokens=plan.max_tokens),
            out=run_dir,
            workers=workers,
            executor=executor,
        )
    return Run(plan, run_dir, list(comparison.results), dict(comparison.config), command)


_EXECUTOR: ContextVar[str | None] = ContextVar("study_executor", default=None)


@contextmanager
def executing(executor: str | None) -> Iterator[None]:
    """Every `execute` inside runs its episodes on `executor` ("ray": a Ray cluster), so
    `archbench study run --executor ray` reaches every study's runs without a parameter
    in each recipe. Results are the executor's to place, not to change."""
    token = _EXECUTOR.set(executor)
    try:
        yield
    finally:
        _EXECUTOR.reset(token)


def study_command(name: str, quick: bool, out: Path, workers: int | None) -> str:
    parts = ["archbench", "study", "run", name, *(["--quick"] if quick else [])]
    parts += ["--out", str(out), *(["--workers", str(workers)] if workers else [])]
    return shlex.join(parts)
