"""`fit_profile`: a run directory and a role in, a profile document out.

Why "identified" is decided by counting decisions: a parameter acts only at its own
kind of decision (persistence at a first dead end, degradation on decisions made in a
long context, ...). With fewer than `MIN_DECISIONS` of that kind, the run says little
about it, so its base value is kept and the file says so; a bootstrap interval is still
given for every parameter fitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from harness.errors import ConfigError
from harness.fitting import likelihood as lk
from harness.fitting.classify import classify_run
from harness.fitting.profile_file import FORMAT, VERSION, parameters_of
from harness.fitting.right_move import REPLAN_NEW
from harness.fitting.runs import load_run
from harness.registry import parse_model_id
from harness.sim.profiles import PRESETS, ModelProfile

MIN_DECISIONS = 15
LONG_CONTEXT = 20_000
"""Decisions at or above this context length inform degradation (it cuts skill there by
at least a fifth of its value)."""
DEFAULT_BASE = "mock/kimi-k2"
DEFAULT_REPS = 100
MAX_SPREAD = 0.6
"""A share whose 95% interval is wider than this (of its 0-1 range) was not pinned down by
the run, however many decisions of its kind it holds: it is marked not identified."""


def base_profile(model_id: str) -> ModelProfile:
    mid = parse_model_id(model_id)
    if mid.provider != "mock" or mid.name not in PRESETS:
        raise ConfigError(f"--base '{model_id}': must be a simulated preset, e.g. {DEFAULT_BASE}")
    return PRESETS[mid.name].with_overrides(dict(mid.options), where=f"--base {model_id}")


def counts(t: lk.Tables) -> dict[str, int]:
    """How many decisions of the kind each parameter acts on."""
    a, v, k, g, m = t.act, t.verify, t.conflict, t.guess, t.comply
    n = lk._n
    act_ctx = a["ctx"] if n(a) else np.zeros(0)
    long = int(np.sum(act_ctx >= LONG_CONTEXT))
    long += int(np.sum(v["ctx"] >= LONG_CONTEXT)) if n(v) else 0
    long += int(np.sum(k["ctx"] >= LONG_CONTEXT)) if n(k) else 0
    long += int(np.sum(t.coord["ctx"] >= LONG_CONTEXT)) if n(t.coord) else 0
    dead_end = int(np.sum(a["kind"] == REPLAN_NEW)) if n(a) else 0
    bent = int(np.sum((a["kind"] == REPLAN_NEW) & ((a["hint"] + a["follow"]) > 0))) if n(a) else 0
    # corroboration acts directly only on a conflict with a second agreeing source; its
    # effect through hallucination (rare events) is too weak to identify it
    corr = int(np.sum(k["agree"] >= 2)) if n(k) else 0
    calls = n(t.calls)
    return {
        "skill": n(a) + n(v) + n(k) + n(t.coord),
        "degradation": long,
        "hallucination": n(a) + n(g),
        "persistence": dead_end,
        "corroboration": corr,
        "compliance": n(m) + bent,
        "summary_fidelity": n(t.facts),
        "reasoning_tokens": calls,
        "ttft_s": calls,
        "tokens_per_s": calls,
    }


def _estimate(
    t: lk.Tables,
    w: dict[str, lk.Array],
    free: list[str],
    base: dict[str, float],
    start: dict[str, float],
) -> dict[str, float | None]:
    theta = lk.fit_numeric(t, w, free, base, start)
    est: dict[str, float | None] = dict(theta)
    est["summary_fidelity"] = lk.fidelity(t, w)
    est.update(lk.timing(t, w))
    return est


def _fit(
    t: lk.Tables, episodes: int, free: list[str], base: dict[str, float], reps: int, seed: int
) -> tuple[dict[str, float | None], list[dict[str, float | None]]]:
    """The point estimate and its bootstrap refits (started from it)."""
    point = _estimate(t, lk.weights(t, np.ones(episodes)), free, base, base)
    start = {k: float(v) for k, v in point.items() if v is not None and k in lk.NUMERIC}
    refits = lk.bootstrap(
        episodes, reps, seed, lambda c: _estimate(t, lk.weights(t, c), free, base, start)
    )
    return point, refits


def _spread(refits: list[dict[str, float | None]], k: str) -> float:
    draws = np.array([r[k] for r in refits if r.get(k) is not None], dtype=np.float64)
    if not len(draws):
        return 0.0
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(hi - lo)


def fit_profile(
    run_dir: Path | str,
    role: str,
    *,
    base: str = DEFAULT_BASE,
    seed: int = 0,
    reps: int = DEFAULT_REPS,
) -> dict[str, Any]:
    """Fit `role`'s model in a recorded run; the profile document (`profile_file`)."""
    run = load_run(run_dir)
    roles = run.config.get("roles") or {}
    models = {a: r[role] for a, r in sorted(roles.items()) if isinstance(r, dict) and role in r}
    if not models:
        known = sorted({k for r in roles.values() if isinstance(r, dict) for k in r})
        raise ConfigError(
            f"fit: run '{run_dir}' has no role '{role}' (its roles: {', '.join(known) or 'none'})"
        )
    prior = base_profile(base)
    decisions = classify_run(run, role)
    if decisions.episodes == 0:
        raise ConfigError(f"fit: role '{role}' made no recorded call in '{run_dir}'")
    t = lk.Tables.of(decisions)
    n = counts(t)
    ident = {k: v >= MIN_DECISIONS for k, v in n.items()}
    ident["degradation"] = ident["degradation"] and ident["skill"]
    base_vals = {k: float(getattr(prior, k)) for k in lk.NUMERIC}
    free = [k for k in lk.NUMERIC if ident.get(k)]
    point, reps_out = _fit(t, decisions.episodes, free, base_vals, reps, seed)
    flat = [k for k in free if _spread(reps_out, k) > MAX_SPREAD]
    uninformed: set[str] = set()
    if flat:  # the decisions did not pin these down: keep the base, refit the rest
        uninformed = set(flat)
        for k in flat:
            ident[k] = False
        free = [k for k in free if k not in uninformed]
        point, reps_out = _fit(t, decisions.episodes, free, base_vals, reps, seed)
    params: dict[str, float | int] = parameters_of(prior)
    intervals: dict[str, list[float] | None] = {k: None for k in params}
    identified: dict[str, bool] = {k: False for k in params}
    fitted = [*free, "summary_fidelity", "reasoning_tokens", "ttft_s", "tokens_per_s"]
    for k in fitted:
        value = point.get(k)
        if value is None or not ident.get(k, False):
            continue
        draws = np.array([r[k] for r in reps_out if r.get(k) is not None], dtype=np.float64)
        identified[k] = True
        params[k] = int(round(value)) if k == "reasoning_tokens" else round(float(value), 6)
        if len(draws):
            lo, hi = np.percentile(draws, [2.5, 97.5])
            intervals[k] = [round(float(lo), 6), round(float(hi), 6)]
    inputs = t.calls["input"] if lk._n(t.calls) else np.zeros(0)
    observed_max = int(inputs.max()) if len(inputs) else 0
    if observed_max:
        intervals["context_window"] = [float(observed_max), None]  # type: ignore[list-item]
    return {
        "format": FORMAT,
        "version": VERSION,
        "parameters": params,
        "intervals": intervals,
        "identified": identified,
        "decisions": {k: n.get(k, 0) for k in params if k in n},
        "classes": dict(sorted(decisions.classes.items())),
        "source": {
            "run_dir": str(run_dir),
            "config_sha256": run.config_sha,
            "role": role,
            "models": models,
            "episodes": decisions.episodes,
            "loops_not_classified": decisions.skipped_loops,
            "base": base,
            "seed": seed,
            "bootstrap": reps,
            "min_decisions": MIN_DECISIONS,
            "too_wide": sorted(uninformed),
        },
    }
