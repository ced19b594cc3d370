"""The parametric strategy policy: logistic choices over what the agent has seen.

For each strategy decision (`harness.sim.strategy.DECISIONS`) the policy holds a bias and
one weight per feature; the decision's logit is `logit(base) + bias + w . phi` for a
decision with a base probability in the profile (persistence), `bias + w . phi` for a move
only a policy makes. phi is `harness.sim.moves.features` of the request, each divided by a
fixed scale so that weights are comparable; it is computed from the messages and brief
alone, never from the hidden solution.

A decision whose bias is `None` is off: a move only a policy makes is never taken, a
decision with a base keeps the profile's probability. The default policy (`Policy.default`)
has persistence at offset 0 and the new moves (stop, corroborate, summarise) off, so it
reproduces the base preset exactly (same draws, same results). A file that names only some
decisions (one written before `summarise` was added) loads with the others off.

The file (`policy.json`) is versioned: {"format": "archbench-policy", "version": 1,
"sim_version", "base_model", "role", "features": [names], "params": {decision: {"bias",
"weights"}}, "trained": {...}}. A malformed file is refused with one line naming the file
and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.messages import ModelRequest
from harness.sim.moves import Features, features
from harness.sim.strategy import DECISIONS
from harness.sim.version import SIM_VERSION

FORMAT = "archbench-policy"
VERSION = 1

FEATURE_SCALES: dict[str, float] = {
    "steps_used": 10.0,
    "last_step": 1.0,
    "context_tokens": 10_000.0,
    "pages_read": 5.0,
    "searches": 5.0,
    "failed_searches": 2.0,
    "conflicting_pages": 1.0,
    "reports": 3.0,
    "question_words": 30.0,
    "follow_plan": 1.0,
    "min_reads": 3.0,
    "hinted": 1.0,
}
"""Every feature a policy may use, with the scale it is divided by (about its usual size)."""

assert set(FEATURE_SCALES) == {f.name for f in fields(Features)}

DEFAULT_FEATURES: tuple[str, ...] = tuple(FEATURE_SCALES)


@dataclass
class Policy:
    """A strategy policy: per decision a bias (None: off) and weights over `feature_names`."""

    feature_names: tuple[str, ...] = DEFAULT_FEATURES
    biases: dict[str, float | None] = field(default_factory=dict)
    weights: dict[str, list[float]] = field(default_factory=dict)
    base_model: str = ""
    role: str = ""
    trained: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for d in DECISIONS:
            self.biases.setdefault(d, None)
            self.weights.setdefault(d, [0.0] * len(self.feature_names))
        self._scales = tuple(FEATURE_SCALES[n] for n in self.feature_names)

    @classmethod
    def default(cls, base_model: str = "", role: str = "") -> Policy:
        """The untrained policy: the preset's own behaviour."""
        return cls(biases={"persist": 0.0}, base_model=base_model, role=role)

    # -- what the simulation calls (harness.sim.strategy.StrategyPolicy) --

    def active(self, decision: str) -> bool:
        return self.biases[decision] is not None

    def vector(self, seen: Features) -> tuple[float, ...]:
        return tuple(
            float(getattr(seen, n)) / s
            for n, s in zip(self.feature_names, self._scales, strict=True)
        )

    def prob(
        self, decision: str, base: float | None, phi: tuple[float, ...]
    ) -> tuple[float, float]:
        bias = self.biases[decision]
        if bias is None:
            return (base or 0.0), 0.0
        z = bias + sum(w * x for w, x in zip(self.weights[decision], phi, strict=True))
        if base is not None:
            if not 0.0 < base < 1.0:
                return base, 0.0  # a certainty in the profile: nothing for strategy to shift
            if z == 0.0:
                return base, base * (1.0 - base)
            z += math.log(base / (1.0 - base))
        p = _sigmoid(z)
        return p, p * (1.0 - p)

    def request_vector(self, request: ModelRequest) -> tuple[float, ...]:
        """The feature vector of a request (computed from its messages and brief)."""
        return self.vector(features(request))

    # -- parameters as one vector (the trainer's view) --

    def trainable(self) -> list[str]:
        return [d for d in DECISIONS if self.biases[d] is not None]

    def to_vector(self) -> list[float]:
        out: list[float] = []
        for d in DECISIONS:
            b = self.biases[d]
            out += [0.0 if b is None else b, *self.weights[d]]
        return out

    def with_vector(self, theta: list[float], trained: dict[str, Any] | None = None) -> Policy:
        """A copy with parameters `theta`; decisions that are off stay off."""
        k = 1 + len(self.feature_names)
        biases: dict[str, float | None] = {}
        weights: dict[str, list[float]] = {}
        for i, d in enumerate(DECISIONS):
            chunk = [float(x) for x in theta[i * k : (i + 1) * k]]
            biases[d] = None if self.biases[d] is None else chunk[0]
            weights[d] = chunk[1:] if self.biases[d] is not None else list(self.weights[d])
        return Policy(self.feature_names, biases, weights, self.base_model, self.role, trained)

    # -- the file --

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "sim_version": SIM_VERSION,
            "base_model": self.base_model,
            "role": self.role,
            "features": list(self.feature_names),
            "params": {
                d: {"bias": self.biases[d], "weights": list(self.weights[d])} for d in DECISIONS
            },
            "trained": self.trained,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def load_policy(path: Path | str) -> Policy:
    """Read a policy file; anything wrong is one `ConfigError` naming the file and field."""
    path = Path(path)
    where = f"policy file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot be read ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: not JSON (line {exc.lineno}: {exc.msg})") from None
    return policy_from_json(data, where)


def policy_from_json(data: Any, where: str) -> Policy:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    if data.get("format") != FORMAT:
        raise ConfigError(f"{where}: field 'format' must be {FORMAT!r}, got {data.get('format')!r}")
    if data.get("version") != VERSION:
        raise ConfigError(
            f"{where}: field 'version' must be {VERSION}, got {data.get('version')!r} "
            "(made by another archbench?)"
        )
    sim = data.get("sim_version", SIM_VERSION)
    if sim != SIM_VERSION:
        raise ConfigError(
            f"{where}: field 'sim_version' is {sim!r}, but this archbench simulates version "
            f"{SIM_VERSION}; retrain the policy"
        )
    names = data.get("features")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where}: field 'features' must be a list of feature names")
    for n in names:
        if n not in FEATURE_SCALES:
            known = ", ".join(FEATURE_SCALES)
            raise ConfigError(f"{where}: field 'features': unknown feature {n!r} (known: {known})")
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: field 'features' names a feature twice")
    params = data.get("params")
    if not isinstance(params, dict):
        raise ConfigError(f"{where}: field 'params' must be an object of decisions")
    for d in params:
        if d not in DECISIONS:
            raise ConfigError(
                f"{where}: field 'params': unknown decision {d!r} (known: {', '.join(DECISIONS)})"
            )
    biases: dict[str, float | None] = {}
    weights: dict[str, list[float]] = {}
    for d, entry in params.items():
        at = f"{where}: field 'params.{d}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at}' must be an object with 'bias' and 'weights'")
        bias = entry.get("bias")
        if bias is not None and not _finite(bias):
            raise ConfigError(f"{at}.bias' must be a number or null, got {bias!r}")
        w = entry.get("weights", [0.0] * len(names))
        if not isinstance(w, list) or not all(_finite(x) for x in w):
            raise ConfigError(f"{at}.weights' must be a list of numbers")
        if len(w) != len(names):
            raise ConfigError(f"{at}.weights' has {len(w)} numbers for {len(names)} features")
        biases[d] = None if bias is None else float(bias)
        weights[d] = [float(x) for x in w]
    for key in ("base_model", "role"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{where}: field '{key}' must be a string")
    trained = data.get("trained")
    if trained is not None and not isinstance(trained, dict):
        raise ConfigError(f"{where}: field 'trained' must be an object or null")
    return Policy(
        tuple(names),
        biases,
        weights,
        str(data.get("base_model", "")),
        str(data.get("role", "")),
        trained,
    )


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


_CACHE: dict[str, tuple[tuple[int, int], Policy]] = {}


def cached_policy(path: str) -> Policy:
    """`load_policy`, remembered per file while it is unchanged (a run makes a model per
    role once, a sweep many times)."""
    try:
        st = Path(path).stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        return load_policy(path)
    hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    policy = load_policy(path)
    _CACHE[path] = (stamp, policy)
    return policy
