"""A study-wide shift of one behavioural parameter of every simulated model a study binds.

Why a shift of the *bound* presets, applied where a study's runs are planned: every
figure of a study rests on assumed preset parameters (docs/simulation.md: skill,
persistence and the rest are assumptions, not measurements). Sensitivity asks whether a
verdict survives when one of them is moved by a stated amount in every role of every
design at once. `execute` (framework.py) calls `perturbed(plan)` for each run it plans:
while a `Perturbation` is active (`active`), each role's model id gains
`?PARAM=VALUE` (the preset's value, or the id's own override, plus the shift, clipped to
[0, 1]) and the run goes to its own directory (`NAME@PARAM+0.05`), so the unshifted runs
are reused and a shifted run resumes like any other. Studies need no code for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from harness.errors import ConfigError
from harness.registry import parse_model_id
from harness.sim.profiles import _SHARES, PRESETS

if TYPE_CHECKING:
    from harness.studies.framework import RunPlan

SHIFTABLE = _SHARES
"""Only parameters that are shares (0-1) can be shifted by an amount."""


@dataclass(frozen=True)
class Perturbation:
    param: str
    delta: float

    def __post_init__(self) -> None:
        if self.param not in SHIFTABLE:
            raise ConfigError(
                f"--vary: unknown model parameter '{self.param}' (a share: {', '.join(SHIFTABLE)})"
            )
        if not 0.0 < abs(self.delta) <= 0.5:
            raise ConfigError(
                f"--vary {self.param}: the amount must be above 0 and at most 0.5, "
                f"got {abs(self.delta):g}"
            )

    @property
    def label(self) -> str:
        return f"{self.param}{self.delta:+g}"


_ACTIVE: ContextVar[Perturbation | None] = ContextVar("study_perturbation", default=None)


@contextlib.contextmanager
def active(p: Perturbation | None) -> Iterator[None]:
    token = _ACTIVE.set(p)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def shift_model(model_id: str, p: Perturbation) -> str:
    """`model_id` with `p` applied; ids that are not simulated presets stay as they are."""
    mid = parse_model_id(model_id)
    if mid.provider != "mock" or mid.name not in PRESETS:
        return model_id
    opts = dict(mid.options)
    base = float(opts.get(p.param, getattr(PRESETS[mid.name], p.param)))
    value = min(1.0, max(0.0, round(base + p.delta, 6)))
    opts[p.param] = f"{value:g}"
    return f"mock/{mid.name}?{urlencode(sorted(opts.items()))}"


def perturbed(plan: RunPlan) -> RunPlan:
    """`plan` under the active perturbation (unchanged when none is): every role of every
    design bound to its shifted model, in a run directory of its own."""
    p = _ACTIVE.get()
    if p is None:
        return plan
    from harness.selection import prepare

    compiled = prepare(list(plan.archs), dict(plan.models) or None, dict(plan.params) or None)
    models = tuple(
        (f"{c.name}:{role}", shift_model(model, p))
        for c in compiled
        for role, model in sorted(c.roles.items())
    )
    return dataclasses.replace(plan, name=f"{plan.name}@{p.label}", models=models)
