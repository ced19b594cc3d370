"""The fitted-profile file: versioned JSON that `mock/profile?file=PATH` runs as a model.

    {"format": "archbench-profile", "version": 1,
     "parameters": {"skill": 0.8, ..., "price_input": 0.6, ...},
     "intervals": {"skill": [0.76, 0.84], ...},     # 95% bootstrap, null if not fitted
     "identified": {"skill": true, ...},             # false: the base value was kept
     "source": {"run_dir", "config_sha256", "role", "models", "episodes", ...}}

Reading is strict: a field missing or of the wrong type or range is one line naming the
file and the field (a ConfigError: exit 2), never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.sim.profiles import _SHARES, ModelProfile
from harness.usage import Price

FORMAT = "archbench-profile"
VERSION = 1
INTS = ("reasoning_tokens", "context_window")
FLOATS = (
    "skill",
    "degradation",
    "persistence",
    "hallucination",
    "summary_fidelity",
    "compliance",
    "corroboration",
    "conformity",
    "ttft_s",
    "tokens_per_s",
    "price_input",
    "price_cached_input",
    "price_output",
)
PARAMETERS = (*FLOATS[:8], *INTS, *FLOATS[8:])


def parameters_of(p: ModelProfile) -> dict[str, float | int]:
    """A profile's parameters as the file spells them."""
    out: dict[str, float | int] = {k: getattr(p, k) for k in PARAMETERS if hasattr(p, k)}
    out["price_input"] = p.price.input
    out["price_cached_input"] = p.price.cached_input
    out["price_output"] = p.price.output
    return {k: out[k] for k in PARAMETERS}


def write_profile(path: Path | str, doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"-o '{path}' cannot be written: {exc.strerror}") from None


def read_profile(path: Path | str) -> tuple[ModelProfile, dict[str, Any]]:
    """The profile a file describes, and the whole document; ConfigError on any bad field."""
    where = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"profile file '{where}' cannot be read: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"profile file '{where}' is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"profile file '{where}': not a JSON object")
    if doc.get("format") != FORMAT:
        raise ConfigError(f"profile file '{where}': field 'format' must be '{FORMAT}'")
    if doc.get("version") != VERSION:
        raise ConfigError(
            f"profile file '{where}': field 'version' must be {VERSION}, got {doc.get('version')!r}"
        )
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise ConfigError(f"profile file '{where}': field 'parameters' missing or not an object")
    values: dict[str, Any] = {}
    for key in PARAMETERS:
        if key not in params:
            raise ConfigError(f"profile file '{where}': field 'parameters.{key}' is missing")
        v = params[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ConfigError(f"profile file '{where}': field 'parameters.{key}' must be a number")
        if key in _SHARES and not 0.0 <= v <= 1.0:
            raise ConfigError(
                f"profile file '{where}': field 'parameters.{key}' must be between 0 and 1"
            )
        if v < 0 or (key in ("tokens_per_s", "context_window") and v <= 0):
            raise ConfigError(f"profile file '{where}': field 'parameters.{key}' must be positive")
        values[key] = int(v) if key in INTS else float(v)
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise ConfigError(f"profile file '{where}': unknown field 'parameters.{unknown[0]}'")
    price = Price(
        values.pop("price_input"), values.pop("price_cached_input"), values.pop("price_output")
    )
    raw_source = doc.get("source")
    source: dict[str, Any] = raw_source if isinstance(raw_source, dict) else {}
    label = f"fitted profile ({Path(path).name})"
    origin = (
        f"fitted by archbench fit from {source.get('run_dir', '?')} role {source.get('role', '?')}"
    )
    return ModelProfile(price=price, label=label, source=origin, **values), doc
