"""The `mock` provider: simulated models by preset name, tuned by query options."""

from __future__ import annotations

import difflib

from harness.errors import UnknownNameError
from harness.model_api import ModelId, Provider
from harness.sim.model import SimulatedModel
from harness.sim.profiles import PRESETS


def check(mid: ModelId) -> None:
    if mid.name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        close = difflib.get_close_matches(mid.name, list(PRESETS), n=1)
        hint = f"did you mean 'mock/{close[0]}'? " if close else ""
        raise UnknownNameError(f"unknown simulated model 'mock/{mid.name}' ({hint}known: {known})")
    PRESETS[mid.name].with_overrides(dict(mid.options), where=f"model mock/{mid.name}")


def create(mid: ModelId) -> SimulatedModel:
    profile = PRESETS[mid.name].with_overrides(dict(mid.options), where=f"model mock/{mid.name}")
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return SimulatedModel(mid.full + suffix, profile)


PROVIDER = Provider(
    name="mock",
    description="simulated models driven by documented profiles (no network)",
    create=create,
    check=check,
    models=lambda: sorted(PRESETS),
)
