"""The likelihood of a role's classified decisions as a function of its profile.

Each decision's probability is written from the documented rule that produces it
(docs/simulation.md), with `S = skill x max(0, 1 - degradation x context/100k)` and
`H = hallucination x (1 - corroboration)^corroborated`:

- research step, facts missing: right move `(1-H) S` (times the brief-bent persistence
  `P` at a first dead end), wrong move `(1-H)(1-S)`, answer: `H + (1-H) S (1-P)` at a
  dead end (its text, "unknown" or a guess, adds a factor `1-H` or `H` on the give-up
  path), `H` elsewhere;
- a planner's split of one entity right `S`;
- re-check of the k-th decoy belief `(1-S)^k S`, none `(1-S)^n`;
- a conflict settled right `1 - (1-S)(1-corroboration)^(agree-1)`;
- a forced answer a guess `H`; reading on as asked `compliance x strength`.

Skill and degradation interact, so the behavioural parameters are fitted together
numerically (SLSQP on the summed log-likelihood, weighted by how often a bootstrap
resample holds each episode); `summary_fidelity` is a Bernoulli rate and has its closed
form. A parameter the run does not identify is held at its base value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from harness.fitting.classify import (
    ANS_ANY,
    ANS_GUESS,
    ANS_UNKNOWN,
    RIGHT,
    WRONG,
    Decisions,
)
from harness.fitting.right_move import NO_MOVES, REPLAN_NEW

Array = NDArray[np.float64]
NUMERIC = ("skill", "degradation", "hallucination", "persistence", "corroboration", "compliance")
_EPS = 1e-9


@dataclass
class Tables:
    """The decisions as arrays (one dict of columns per kind)."""

    act: dict[str, Array]
    verify: dict[str, Array]
    coord: dict[str, Array]
    conflict: dict[str, Array]
    guess: dict[str, Array]
    comply: dict[str, Array]
    facts: dict[str, Array]
    calls: dict[str, Array]
    act_by_obs: dict[int, dict[str, Array]] = field(default_factory=dict)
    act_index: dict[int, NDArray[np.int64]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """The research steps split by what the model did: each outcome's probability is
        then computed only on its own rows."""
        if not _n(self.act):
            return
        for obs in (RIGHT, WRONG, ANS_GUESS, ANS_UNKNOWN, ANS_ANY):
            idx = np.flatnonzero(self.act["obs"] == obs)
            if len(idx):
                self.act_index[obs] = idx
                self.act_by_obs[obs] = {k: v[idx] for k, v in self.act.items()}

    @classmethod
    def of(cls, d: Decisions) -> Tables:
        def arr(t: dict[str, list[float]]) -> dict[str, Array]:
            return {k: np.asarray(v, dtype=np.float64) for k, v in t.items()}

        return cls(
            arr(d.act),
            arr(d.verify),
            arr(d.coord),
            arr(d.conflict),
            arr(d.guess),
            arr(d.comply),
            arr(d.facts),
            arr(d.calls),
        )


def _n(t: dict[str, Array]) -> int:
    return len(t["ep"]) if "ep" in t else 0


def _log(x: Array) -> Array:
    return np.log(np.clip(x, _EPS, 1.0))


def neg_loglik(theta: dict[str, float], t: Tables, w: dict[str, Array]) -> float:
    """Minus the weighted log-likelihood of every behavioural decision at `theta`."""
    s, d, h = theta["skill"], theta["degradation"], theta["hallucination"]
    p, c, comp = theta["persistence"], theta["corroboration"], theta["compliance"]
    total = 0.0
    for obs, a in t.act_by_obs.items():
        sk = s * np.maximum(0.0, 1.0 - d * a["ctx"] / 100_000)
        he = h * (1.0 - c) ** a["ncorr"] if c > 0 else h * np.ones_like(sk)
        kind = a["kind"]
        if obs == WRONG:
            prob = (1 - he) * (1 - sk)
        else:
            cc = comp * a["strength"]
            pb = np.where(a["hint"] > 0, p + (1 - p) * cc, p)
            pb = np.where(a["follow"] > 0, pb * (1 - cc), pb)
            if obs == RIGHT:
                prob = (1 - he) * sk * np.where(kind == REPLAN_NEW, pb, 1.0)
            else:
                giveup = np.where(kind == REPLAN_NEW, 1 - pb, np.where(kind == NO_MOVES, 1.0, 0.0))
                if obs == ANS_GUESS:
                    prob = he + (1 - he) * sk * giveup * he
                elif obs == ANS_UNKNOWN:
                    prob = (1 - he) * sk * giveup * (1 - he)
                else:
                    prob = he + (1 - he) * sk * giveup
        total += float(np.sum(w["act"][t.act_index[obs]] * _log(prob)))
    if _n(t.verify):
        v = t.verify
        sk = s * np.maximum(0.0, 1.0 - d * v["ctx"] / 100_000)
        prob = np.where(v["k"] >= 0, (1 - sk) ** np.maximum(v["k"], 0) * sk, (1 - sk) ** v["n"])
        total += float(np.sum(w["verify"] * _log(prob)))
    if _n(t.coord):
        q = t.coord
        sk = s * np.maximum(0.0, 1.0 - d * q["ctx"] / 100_000)
        total += float(np.sum(w["coord"] * _log(np.where(q["right"] > 0, sk, 1 - sk))))
    if _n(t.conflict):
        k = t.conflict
        sk = s * np.maximum(0.0, 1.0 - d * k["ctx"] / 100_000)
        pr = 1 - (1 - sk) * (1 - c) ** np.maximum(0.0, k["agree"] - 1)
        prob = np.where(k["right"] > 0, pr, 1 - pr)
        total += float(np.sum(w["conflict"] * _log(prob)))
    if _n(t.guess):
        g = t.guess
        he = h * (1.0 - c) ** g["ncorr"]
        total += float(np.sum(w["guess"] * _log(np.where(g["guessed"] > 0, he, 1 - he))))
    if _n(t.comply):
        m = t.comply
        pc = comp * m["strength"]
        total += float(np.sum(w["comply"] * _log(np.where(m["obs"] > 0, pc, 1 - pc))))
    return -total


def fit_numeric(
    t: Tables, w: dict[str, Array], free: list[str], base: dict[str, float], start: dict[str, float]
) -> dict[str, float]:
    """The maximum-likelihood values of the `free` parameters, the others at `base`."""
    theta = dict(base)
    if not free:
        return theta

    def f(x: Array) -> float:
        theta.update(zip(free, (float(v) for v in x), strict=True))
        return neg_loglik(theta, t, w)

    x0 = np.array([min(0.98, max(0.02, start[k])) for k in free])
    bounds = [(0.0, 1.0) if k == "degradation" else (1e-4, 1 - 1e-4) for k in free]
    # SLSQP: far less overhead per iteration than L-BFGS-B here (measured, docs/fitting.md)
    res = minimize(f, x0, method="SLSQP", bounds=bounds, options={"maxiter": 200, "ftol": 1e-9})
    theta.update(zip(free, (float(v) for v in res.x), strict=True))
    return theta


def fidelity(t: Tables, w: dict[str, Array]) -> float | None:
    """Closed form: the share of facts kept, weighted."""
    if not _n(t.facts):
        return None
    n = float(np.sum(w["facts"]))
    return float(np.sum(w["facts"] * t.facts["kept"]) / n) if n > 0 else None


def timing(t: Tables, w: dict[str, Array]) -> dict[str, float | None]:
    """Reasoning tokens per call (the simulator draws `int(R x factor x U[0.75,1.25])`,
    so the mean is R x factor - 0.5), and `latency = ttft + output / tokens_per_s` by
    weighted least squares."""
    out: dict[str, float | None] = {"reasoning_tokens": None, "ttft_s": None, "tokens_per_s": None}
    if not _n(t.calls):
        return out
    c, wc = t.calls, w["calls"]
    n = float(np.sum(wc))
    if n <= 0:
        return out
    out["reasoning_tokens"] = float(np.sum(wc * c["reasoning"]) / n) + 0.5
    x, y = c["output"], c["latency"]
    mx, my = np.sum(wc * x) / n, np.sum(wc * y) / n
    var = float(np.sum(wc * (x - mx) ** 2))
    if var > 0:
        slope = float(np.sum(wc * (x - mx) * (y - my)) / var)
        if slope > 0:
            out["tokens_per_s"] = 1.0 / slope
            out["ttft_s"] = max(0.0, float(my - slope * mx))
    return out


def weights(t: Tables, counts: Array) -> dict[str, Array]:
    """Per-decision weights from per-episode resample counts."""
    out: dict[str, Array] = {}
    for name in ("act", "verify", "coord", "conflict", "guess", "comply", "facts", "calls"):
        table = getattr(t, name)
        out[name] = counts[table["ep"].astype(np.int64)] if _n(table) else np.zeros(0)
    return out


def bootstrap(
    episodes: int, reps: int, seed: int, one: Callable[[Array], dict[str, float | None]]
) -> list[dict[str, float | None]]:
    """`one` on `reps` resamples of the episodes (with replacement), deterministic for a
    seed: the interval of a parameter is the spread of its refits."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = []
    for _ in range(reps):
        idx = rng.integers(0, episodes, size=episodes)
        out.append(one(np.bincount(idx, minlength=episodes).astype(np.float64)))
    return out
