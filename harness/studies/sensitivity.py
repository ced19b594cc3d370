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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.selection import split_assignment
from harness.studies.framework import SHORT, Row, Study, StudyResult
from harness.studies.perturb import Perturbation, active

DEFAULT_SHIFTS: tuple[tuple[str, float], ...] = (
    ("skill", 0.05),
    ("persistence", 0.1),
    ("hallucination", 0.02),
    ("summary_fidelity", 0.1),
    ("degradation", 0.1),
)


@dataclass(frozen=True)
class Sensitivity:
    """Every row's verdict again with one preset parameter of every bound model shifted
    (harness.studies.sensitivity): a verdict that flips under a shift as small as the
    uncertainty of the assumption rests on that assumption."""

    shifts: tuple[tuple[str, float], ...]
    """(parameter, amount) as asked; each is run at +amount and -amount."""
    columns: tuple[str, ...]
    """One per run: `skill+0.05`, `skill-0.05`, ..."""
    verdicts: tuple[Mapping[str, str], ...]
    """Per column: row id -> verdict."""
    base: Mapping[str, str]

    def flips(self, row_id: str) -> list[str]:
        """The columns whose verdict for `row_id` differs from the unshifted one."""
        return [
            c
            for c, v in zip(self.columns, self.verdicts, strict=True)
            if v.get(row_id) != self.base.get(row_id)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "shifts": [{"param": p, "amount": a} for p, a in self.shifts],
            "columns": list(self.columns),
            "rows": {
                r: {
                    "verdict": v,
                    "shifted": {
                        c: s.get(r) for c, s in zip(self.columns, self.verdicts, strict=True)
                    },
                    "flips": self.flips(r),
                }
                for r, v in self.base.items()
            },
        }

    def markdown(self, rows: Sequence[Row]) -> list[str]:
        """A second table: per row, each shifted verdict ("=" when unchanged)."""
        head = ["row", "verdict", *self.columns, "flips"]
        lines = [
            "Sensitivity (every bound preset shifted; "
            + ", ".join(f"{p} ±{a:g}" for p, a in self.shifts)
            + "):",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head),
        ]
        for r in rows:
            cells = [
                "=" if v.get(r.id) == r.verdict else SHORT.get(v.get(r.id, ""), "?")
                for v in self.verdicts
            ]
            flips = self.flips(r.id)
            tail = f"**{len(flips)} of {len(self.columns)}**" if flips else "none"
            lines.append("| " + " | ".join([r.id, SHORT[r.verdict], *cells, tail]) + " |")
        return lines


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
