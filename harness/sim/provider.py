"""The `mock` provider: simulated models by preset name, tuned by query options."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from harness.errors import ConfigError, UnknownNameError
from harness.model_api import ModelId, Provider
from harness.sim.model import SimulatedModel
from harness.sim.profiles import PRESETS, ModelProfile

if TYPE_CHECKING:
    from harness.training.policy import Policy


def check(mid: ModelId) -> None:
    if mid.name == "profile":
        fitted_profile(split_policy(mid)[0])
        return
    if mid.name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        close = difflib.get_close_matches(mid.name, list(PRESETS), n=1)
        hint = f"did you mean 'mock/{close[0]}'? " if close else ""
        raise UnknownNameError(f"unknown simulated model 'mock/{mid.name}' ({hint}known: {known})")
    options, _ = split_policy(mid)
    PRESETS[mid.name].with_overrides(options, where=f"model mock/{mid.name}")


def create(mid: ModelId) -> SimulatedModel:
    options, policy = split_policy(mid)
    if mid.name == "profile":
        profile = fitted_profile(options)
    else:
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


def fitted_profile(options: dict[str, str]) -> ModelProfile:
    """`mock/profile?file=PATH[&param=value...]`: a profile file written by `archbench fit`
    (docs/fitting.md), its parameters overridable like a preset's (`options`: the id's
    options but `policy`, which `split_policy` takes)."""
    from harness.fitting.profile_file import read_profile

    options = dict(options)
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
