"""The `mock` provider: simulated models by preset name, tuned by query options."""

from __future__ import annotations

import difflib

from harness.errors import ConfigError, UnknownNameError
from harness.model_api import ModelId, Provider
from harness.sim.model import SimulatedModel
from harness.sim.profiles import PRESETS, ModelProfile


def check(mid: ModelId) -> None:
    if mid.name == "profile":
        fitted_profile(mid)
        return
    if mid.name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        close = difflib.get_close_matches(mid.name, list(PRESETS), n=1)
        hint = f"did you mean 'mock/{close[0]}'? " if close else ""
        raise UnknownNameError(f"unknown simulated model 'mock/{mid.name}' ({hint}known: {known})")
    PRESETS[mid.name].with_overrides(dict(mid.options), where=f"model mock/{mid.name}")


def create(mid: ModelId) -> SimulatedModel:
    if mid.name == "profile":
        profile = fitted_profile(mid)
    else:
        profile = PRESETS[mid.name].with_overrides(
            dict(mid.options), where=f"model mock/{mid.name}"
        )
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return SimulatedModel(mid.full + suffix, profile)


def fitted_profile(mid: ModelId) -> ModelProfile:
    """`mock/profile?file=PATH[&param=value...]`: a profile file written by `archbench fit`
    (docs/fitting.md), its parameters overridable like a preset's."""
    from harness.fitting.profile_file import read_profile

    options = dict(mid.options)
    path = options.pop("file", None)
    if not path:
        raise ConfigError("model mock/profile needs ?file=PROFILE (a file from archbench fit)")
    profile, _ = read_profile(path)
    return profile.with_overrides(options, where=f"model mock/profile?file={path}")


PROVIDER = Provider(
    name="mock",
    description="simulated models driven by documented profiles (no network)",
    create=create,
    check=check,
    models=lambda: sorted(PRESETS),
)
