"""The `mock` provider: simulated models by preset name, tuned by query options."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from harness.errors import UnknownNameError
from harness.model_api import ModelId, Provider
from harness.sim.model import SimulatedModel
from harness.sim.profiles import PRESETS

if TYPE_CHECKING:
    from harness.training.policy import Policy


def check(mid: ModelId) -> None:
    if mid.name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        close = difflib.get_close_matches(mid.name, list(PRESETS), n=1)
        hint = f"did you mean 'mock/{close[0]}'? " if close else ""
        raise UnknownNameError(f"unknown simulated model 'mock/{mid.name}' ({hint}known: {known})")
    options, _ = split_policy(mid)
    PRESETS[mid.name].with_overrides(options, where=f"model mock/{mid.name}")


def create(mid: ModelId) -> SimulatedModel:
    options, policy = split_policy(mid)
    profile = PRESETS[mid.name].with_overrides(options, where=f"model mock/{mid.name}")
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return SimulatedModel(mid.full + suffix, profile, policy)


def split_policy(mid: ModelId) -> tuple[dict[str, str], Policy | None]:
    """`?policy=PATH`: a trained strategy policy (harness/training/policy.py) on top of
    the preset; the other options are profile overrides. The file is read (and refused
    with one line naming it and the field) when the id is checked."""
    options = dict(mid.options)
    path = options.pop("policy", None)
    if path is None:
        return options, None
    from harness.training.policy import cached_policy

    return options, cached_policy(path)


PROVIDER = Provider(
    name="mock",
    description="simulated models driven by documented profiles (no network)",
    create=create,
    check=check,
    models=lambda: sorted(PRESETS),
)
