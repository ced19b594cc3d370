"""How much a study's verdicts rest on the assumed preset parameters.

`archbench study run NAME --sensitivity` reruns the study once per shift: each listed
behavioural parameter of every simulated model the study binds is moved up, then down, by
a stated amount (`harness.studies.perturb`), and each row reports whether its verdict
flips. Any study gets this without code of its own: the shift is applied where
`framework.execute` plans its runs.

The default amounts, stated before any study was run with them: ±0.05 for skill (the gap
between adjacent presets the article ranks, e.g. Sonnet 4 0.88 and Opus 4 0.93),
±0.1 for persistence, summary fidelity and degradation (assumptions with no published
figure behind them), ±0.02 for hallucination (presets span 0.01-0.06).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from harness.errors import ConfigError
from harness.selection import split_assignment
from harness.studies.framework import Sensitivity, Study, StudyResult
from harness.studies.perturb import Perturbation, active

DEFAULT_SHIFTS: tuple[tuple[str, float], ...] = (
    ("skill", 0.05),
    ("persistence", 0.1),
    ("hallucination", 0.02),
    ("summary_fidelity", 0.1),
    ("degradation", 0.1),
)


def parse_shifts(raw: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """`--vary PARAM=AMOUNT` values, checked (a user error names the flag)."""
    out: list[tuple[str, float]] = []
    for item in raw:
        key, value = split_assignment(item, "--vary")
        try:
            amount = float(value)
        except ValueError:
            raise ConfigError(f"--vary {key}: the amount must be a number, got '{value}'") from None
        Perturbation(key, amount)  # checks the name and the amount
        if any(k == key for k, _ in out):
            raise ConfigError(f"--vary {key} is given twice")
        out.append((key, abs(amount)))
    return tuple(out)


def run_sensitivity(
    study: Study,
    base: StudyResult,
    quick: bool,
    out: Path,
    workers: int | None,
    shifts: Sequence[tuple[str, float]] = DEFAULT_SHIFTS,
) -> StudyResult:
    """`base` (the unshifted result) with its sensitivity table: the study rerun at
    +amount and -amount of each shift, into run directories of their own under `out`."""
    columns: list[str] = []
    verdicts: list[dict[str, str]] = []
    for param, amount in shifts:
        for sign in (1.0, -1.0):
            p = Perturbation(param, sign * amount)
            with active(p):
                shifted = study.run(quick, out, workers)
            columns.append(p.label)
            verdicts.append(shifted.verdicts())
    table = Sensitivity(tuple(shifts), tuple(columns), tuple(verdicts), base.verdicts())
    return dataclasses.replace(base, sensitivity=table)
