"""A run directory as the drawings read it: which architectures it ran, their specs as
the run saved them, its config.json (read strictly), and a design compiled with the run's
roles and parameters.

Apart from `overlay.py` (the sums an overlay draws) because these are about files, and
the report reads a run's configuration through them too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness import runpaths
from harness.errors import ConfigError, UserError
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import load_architecture
from harness.rundir import saved_specs
from harness.spec import ArchitectureSpec


def run_architectures(run_dir: str | Path) -> list[str]:
    """The names of the architectures a run directory holds, in the run's order."""
    d = Path(run_dir)
    names = [str(a) for a in read_config(d).get("architectures", [])]
    if not names:
        raise ConfigError(f"run directory '{d}' ran no architectures")
    return names


def run_spec(run_dir: Path, name: str) -> ArchitectureSpec:
    """The spec of architecture `name` as the run in `run_dir` saved it (architectures.json:
    a design loaded from a user's file is drawn without that file), else the installed
    one of that name."""
    try:
        saved = saved_specs(run_dir).get(name)
    except (OSError, ValueError, UserError):
        saved = None  # unreadable: the installed design, if there is one
    return saved if saved is not None else load_architecture(name)


def read_config(d: Path) -> dict[str, Any]:
    """config.json of the run directory `d`, read strictly (a `ConfigError` for anything
    but a run directory with a readable config.json and a results.jsonl; neither may be
    a link, see `harness.runpaths`)."""
    if not d.is_dir():
        raise ConfigError(f"run directory '{d}' does not exist")
    runpaths.check_all(d, ("config.json", "results.jsonl", "traces.jsonl"))
    path = d / "config.json"
    if not path.is_file() or not (d / "results.jsonl").is_file():
        raise ConfigError(
            f"'{d}' is not a run directory (no config.json/results.jsonl); write one with "
            "'archbench compare --out DIR'"
        )
    try:
        data = json.loads(runpaths.read_bytes(d, "config.json"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"run directory '{d}': config.json cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"run directory '{d}': config.json is not a JSON object")
    return data


def compile_as_run(
    d: Path, spec: ArchitectureSpec, config: Mapping[str, Any]
) -> CompiledArchitecture:
    roles = config.get("roles", {}).get(spec.name, {})
    params = config.get("params", {}).get(spec.name, {})
    try:
        return compile_architecture(
            spec,
            {str(k): _param_text(v) for k, v in params.items()},
            {str(k): str(v) for k, v in roles.items()},
        )
    except UserError as exc:
        raise ConfigError(
            f"run directory '{d}' does not match architecture '{spec.name}': {exc}"
        ) from None


def _param_text(v: object) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)
