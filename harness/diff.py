"""Two runs of the same tasks and seeds, compared episode by episode (`archbench diff`).

The question is the one a change raises: a new prompt, another model, a fixed bug — did it
make this design better, or only different? Two separate summaries cannot say: their
intervals overlap long before a real change is ruled out. Run B is paired with run A on
each (world, task, seed) instead, exactly as `compare --baseline` pairs two designs in
one run, so the difficulty of each task cancels out.

Nothing is re-implemented: each architecture's episodes become the same cells
`harness.compare` keeps (`harness.cells.cells_of`), and the difference B - A is
`harness.stats.compare_pair`, the function behind `Comparison.paired_differences`. The
replicates are drawn under the label of the pair in run order (run A's architectures,
then run B's), so diffing a run against itself with `pairs={"X": "Y"}` gives the very
numbers `compare --baseline X` printed for Y.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import runpaths
from harness.bootstrap import DEFAULT_REPS, Cell, Estimate
from harness.cells import cells_of
from harness.errors import ConfigError
from harness.rundir import CONFIG_FILE, RESULTS_FILE, RUN_FILES, SUMMARY_FILE
from harness.sim_stamp import mismatch_label, stamped
from harness.stats import PAIRED_METRICS, PairedComparison, compare_pair, verdict
from harness.trace import EpisodeResult

__all__ = ["DIFF_FORMAT_VERSION", "ArchDiff", "Flip", "RunDiff", "diff_runs", "verdict"]

DIFF_FORMAT_VERSION = 1
"""The shape of `archbench diff --json` (`RunDiff.to_json`)."""


@dataclass(frozen=True)
class Flip:
    """One episode (same world, task and seed) right in one run and wrong in the other."""

    world: int
    task_id: str
    seed: int
    family: str
    correct_a: bool
    answer_a: str | None
    answer_b: str | None

    @property
    def correct_b(self) -> bool:
        return not self.correct_a

    def as_dict(self) -> dict[str, Any]:
        return {
            "world": self.world,
            "task_id": self.task_id,
            "seed": self.seed,
            "family": self.family,
            "correct_a": self.correct_a,
            "correct_b": self.correct_b,
            "answer_a": self.answer_a,
            "answer_b": self.answer_b,
        }


@dataclass(frozen=True)
class ArchDiff:
    """Architecture `a` of run A against `b` of run B (the same name unless paired
    across designs), on the episodes both runs hold."""

    a: str
    b: str
    paired: PairedComparison
    """B minus A, as `compare` gives it: `.a` is `b` (the changed one), `.b` is `a`."""
    accuracy_a: float
    accuracy_b: float
    """Accuracy of each run on the paired episodes only."""
    lost: tuple[Flip, ...]
    """Correct in A, wrong in B (in world, task, seed order)."""
    gained: tuple[Flip, ...]
    """Wrong in A, correct in B."""
    only_a: tuple[Cell, ...]
    """(world, task, seed) run in A only: left out of the pairing."""
    only_b: tuple[Cell, ...]

    @property
    def label(self) -> str:
        return self.a if self.a == self.b else f"{self.a} -> {self.b}"

    @property
    def pairs(self) -> int:
        return self.paired.pairs

    def metric(self, name: str) -> Estimate | None:
        """B - A of one of `harness.stats.PAIRED_METRICS` (None: a cost is unknown)."""
        return self.paired.metric(name)

    def verdicts(self) -> dict[str, str]:
        """Each metric's word, as `compare` prints it ("unknown" for an unknown cost)."""
        out: dict[str, str] = {}
        for name in PAIRED_METRICS:
            est = self.metric(name)
            out[name] = "unknown" if est is None else verdict(est)
        return out

    def as_dict(self, show: int | None = None) -> dict[str, Any]:
        """For JSON; flips and one-sided episodes listed up to `show` each (all: None)."""
        differences: dict[str, Any] = {}
        for name, word in self.verdicts().items():
            est = self.metric(name)
            differences[name] = (
                None
                if est is None
                else {**est.as_dict(), "within_noise": est.within_noise, "verdict": word}
            )

        def cells(keys: Sequence[Cell]) -> list[dict[str, Any]]:
            return [{"world": w, "task_id": t, "seed": s} for w, t, s in keys[:show]]

        return {
            "a": self.a,
            "b": self.b,
            "pairs": self.pairs,
            "accuracy_a": self.accuracy_a,
            "accuracy_b": self.accuracy_b,
            "differences": differences,
            "flips": {
                "correct_in_a_only": len(self.lost),
                "correct_in_b_only": len(self.gained),
                "lost": [f.as_dict() for f in self.lost[:show]],
                "gained": [f.as_dict() for f in self.gained[:show]],
            },
            "only_in_a": {"count": len(self.only_a), "episodes": cells(self.only_a)},
            "only_in_b": {"count": len(self.only_b), "episodes": cells(self.only_b)},
        }


@dataclass(frozen=True)
class RunDiff:
    """Run B minus run A, architecture by architecture (`diff_runs`)."""

    run_a: Path
    run_b: Path
    architectures: tuple[ArchDiff, ...]
    not_compared_a: tuple[str, ...]
    """Architectures of run A left out (not in run B, or not selected)."""
    not_compared_b: tuple[str, ...]
    notes: tuple[str, ...]
    """What a reader should know: interrupted runs, other suites or simulated behaviour."""
    reps: int = DEFAULT_REPS
    seed: int = 0

    def to_json(self, show: int | None = None) -> dict[str, Any]:
        """What `--json` writes (format `DIFF_FORMAT_VERSION`); flips and one-sided
        episodes listed up to `show` per architecture, with their counts."""
        return {
            "format_version": DIFF_FORMAT_VERSION,
            "run_a": str(self.run_a),
            "run_b": str(self.run_b),
            "difference": "B - A, paired on (world, task, seed); 95% clustered bootstrap",
            "reps": self.reps,
            "seed": self.seed,
            "notes": list(self.notes),
            "not_compared": {"a": list(self.not_compared_a), "b": list(self.not_compared_b)},
            "architectures": [d.as_dict(show) for d in self.architectures],
        }


@dataclass(frozen=True)
class _Run:
    path: Path
    config: dict[str, Any]
    """config.json ({} when the run has none)."""
    order: list[str]
    """Architectures in run order: config.json's, then any other a result names."""
    results: dict[str, dict[Cell, EpisodeResult]]
    notes: list[str]


def _read_run(path: Path, which: str) -> _Run:
    """A finished or interrupted compare run; a missing, damaged or empty one is a
    `ConfigError` naming it (`which`: "run A" or "run B")."""
    from harness.report.jsonl import JsonLines
    from harness.report.load import parse_result

    where = f"{which} '{path}'"
    if not path.exists():
        raise ConfigError(f"{where} does not exist")
    if not path.is_dir():
        raise ConfigError(f"{where} is not a directory; give a run directory (--out of a run)")
    if (path / "sweep.json").exists() or (path / "cells").is_dir():
        raise ConfigError(f"{where} is a sweep; give one of its cells (a directory in cells/)")
    runpaths.check_all(path, RUN_FILES)  # a received run: no link out of it is followed
    if not (path / RESULTS_FILE).is_file():
        raise ConfigError(
            f"{where} holds no results ({RESULTS_FILE}); write a run with "
            "'archbench compare --out DIR'"
        )
    notes: list[str] = []
    config = _config(path, where, notes)
    order = [a for a in config.get("architectures", []) if isinstance(a, str)]
    lines = JsonLines(path / RESULTS_FILE)
    results: dict[str, dict[Cell, EpisodeResult]] = {}
    for number, obj in lines:
        r, _ = parse_result(obj)
        if r is None:
            raise ConfigError(f"{where}: {RESULTS_FILE} line {number} is not an episode result")
        # a line written twice (a resumed writer): keep the first, as the report does
        results.setdefault(r.architecture, {}).setdefault((r.world, r.task_id, r.seed), r)
    damage = lines.strict_error()
    if damage is not None:
        raise ConfigError(f"{where} is damaged: {damage}")
    if lines.torn:
        notes.append(f"{which}: the last line of {RESULTS_FILE} is cut short and was skipped")
    if not results:
        raise ConfigError(f"{where} holds no finished episode")
    if config and not (path / SUMMARY_FILE).exists():
        notes.append(f"{which} did not finish (no {SUMMARY_FILE}): its saved episodes are used")
    order += [a for a in results if a not in order]
    return _Run(path, config, order, results, notes)


def _config(path: Path, where: str, notes: list[str]) -> dict[str, Any]:
    """config.json, for the order of architectures and what the two runs share; a run
    without one (an old or hand-made directory) is read from its results alone."""
    if not (path / CONFIG_FILE).exists():
        notes.append(f"{where} has no {CONFIG_FILE}: architectures in the order results name")
        return {}
    try:
        config = json.loads(runpaths.read_bytes(path, CONFIG_FILE))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where} is damaged: {CONFIG_FILE} cannot be read ({exc})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{where} is damaged: {CONFIG_FILE} is not a JSON object")
    return config


def _selection(
    a: _Run, b: _Run, archs: Sequence[str] | None, pairs: Mapping[str, str] | None
) -> list[tuple[str, str]]:
    """(name in A, name in B) for each comparison: the named architectures and pairs, or
    every architecture of both runs."""
    if not archs and not pairs:
        common = [(n, n) for n in a.order if n in b.results]
        if not common:
            raise ConfigError(
                f"run A ({', '.join(a.order)}) and run B ({', '.join(b.order)}) share no "
                "architecture; pair two with --pair A_NAME=B_NAME"
            )
        return common
    chosen: list[tuple[str, str]] = []
    for name in archs or []:
        missing = [w for w, run in (("A", a), ("B", b)) if name not in run.results]
        if missing:
            known = ", ".join(n for n in a.order if n in b.results) or "none"
            raise ConfigError(
                f"--arch '{name}' is not an architecture of run {' or '.join(missing)} "
                f"(in both runs: {known})"
            )
        chosen.append((name, name))
    for name_a, name_b in (pairs or {}).items():
        for name, run, side in ((name_a, a, "A"), (name_b, b, "B")):
            if name not in run.results:
                raise ConfigError(
                    f"--pair '{name_a}={name_b}': '{name}' is not an architecture of run "
                    f"{side} ({', '.join(run.order)})"
                )
        chosen.append((name_a, name_b))
    return list(dict.fromkeys(chosen))


def _flip(key: Cell, ra: EpisodeResult, rb: EpisodeResult) -> Flip:
    return Flip(key[0], key[1], key[2], ra.family, ra.correct, ra.answer, rb.answer)


def _arch_diff(
    a: _Run, b: _Run, name_a: str, name_b: str, order: list[str], reps: int, seed: int
) -> ArchDiff:
    ea, eb = a.results[name_a], b.results[name_b]
    ca = cells_of(ea.values())[name_a]  # the cells compare keeps for the same episodes
    cb = cells_of(eb.values())[name_b]
    paired = compare_pair(name_b, name_a, cb.mapping, ca.mapping, order=order, reps=reps, seed=seed)
    common = sorted(ea.keys() & eb.keys())
    flips = [_flip(k, ea[k], eb[k]) for k in common if ea[k].correct != eb[k].correct]
    n = len(common) or 1
    return ArchDiff(
        name_a,
        name_b,
        paired,
        accuracy_a=round(sum(ea[k].correct for k in common) / n, 6),
        accuracy_b=round(sum(eb[k].correct for k in common) / n, 6),
        lost=tuple(f for f in flips if f.correct_a),
        gained=tuple(f for f in flips if not f.correct_a),
        only_a=tuple(sorted(ea.keys() - eb.keys())),
        only_b=tuple(sorted(eb.keys() - ea.keys())),
    )


def _shared_notes(a: _Run, b: _Run) -> list[str]:
    """Differences between the runs' settings that make a pairing mean less."""
    if not a.config or not b.config:
        return []
    notes: list[str] = []
    label = mismatch_label({stamped(a.config), stamped(b.config)})
    if label is not None:
        notes.append(f"{label}: its numbers follow that version's rules")
    if a.config.get("suite_sha256") != b.config.get("suite_sha256"):
        notes.append(
            "the runs' suites differ: a task id in both may not name the same task "
            f"(A: {a.config.get('suite')}, B: {b.config.get('suite')})"
        )
    return notes


def diff_runs(
    a: Path | str,
    b: Path | str,
    *,
    archs: Sequence[str] | None = None,
    pairs: Mapping[str, str] | None = None,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
) -> RunDiff:
    """Run `b` minus run `a` (two `compare --out` directories), paired on (world, task,
    seed): accuracy, cost, tokens and latency per episode with `compare --baseline`'s
    interval, the episodes that flipped, and those only one run holds (left out).

    `archs`: only these architectures (present in both runs); `pairs`: {name in A: name
    in B}, to set one design against another; neither: every architecture of both runs.
    A missing or damaged run, an unknown name or nothing to pair is a `ConfigError`."""
    run_a, run_b = _read_run(Path(a), "run A"), _read_run(Path(b), "run B")
    chosen = _selection(run_a, run_b, archs, pairs)
    order = run_a.order + [n for n in run_b.order if n not in run_a.order]
    diffs = [_arch_diff(run_a, run_b, x, y, order, reps, seed) for x, y in chosen]
    notes = run_a.notes + run_b.notes + _shared_notes(run_a, run_b)
    empty = [d for d in diffs if d.pairs == 0]
    if len(empty) == len(diffs):
        raise ConfigError(
            f"run A '{run_a.path}' and run B '{run_b.path}' have no episode in common "
            "(same world, task and seed): nothing to pair"
        )
    if empty and (archs or pairs):
        raise ConfigError(f"'{empty[0].label}': no episode in common between the runs")
    for d in empty:  # found by default: say so, and compare the others
        notes.append(f"{d.label}: no episode in common between the runs; left out")
    kept = [d for d in diffs if d.pairs]
    for d in kept:
        if d.only_a or d.only_b:
            notes.append(
                f"{d.label}: {len(d.only_a)} episode(s) only in run A and {len(d.only_b)} "
                "only in run B are left out of the pairing"
            )
    used_a = {d.a for d in kept}
    used_b = {d.b for d in kept}
    return RunDiff(
        run_a.path,
        run_b.path,
        tuple(kept),
        tuple(n for n in run_a.order if n not in used_a),
        tuple(n for n in run_b.order if n not in used_b),
        tuple(notes),
        reps,
        seed,
    )
