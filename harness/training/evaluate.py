"""Before/after evaluation of a trained policy, on tasks it never trained on.

The suites: `heldout` (generated worlds from their own seed, `HELDOUT_SEED`), and the
built-in `default`, `article` and `deep` suites. Training worlds come from a reserved seed
range (`TRAIN_SEED_BASE`), so no training task is in any of them (tests/test_training.py
checks it). Both arms are ordinary comparisons (`harness.compare`) of the design with the
trained role bound to the base model ("before") and to `BASE?policy=DIR/policy.json`
("after"): the trained policy is evaluated as the model any comparison would use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.task import TaskSuite
from harness.training.config import HELDOUT_SEED, TrainConfig
from harness.training.rollout import compile_for
from harness.worlds import SuiteRecipe


def heldout_recipe(cfg: TrainConfig) -> SuiteRecipe:
    return SuiteRecipe(seed=HELDOUT_SEED, per_family=cfg.per_family, name="heldout")


def suite_tasks(cfg: TrainConfig, name: str) -> list[TaskSuite]:
    """The worlds an evaluation suite runs (for the no-overlap check)."""
    from harness.suites import load_suite

    if name == "heldout":
        recipe = heldout_recipe(cfg)
        return [recipe.generate(w) for w in range(cfg.heldout_worlds)]
    return [load_suite(name)]


def evaluate_model(
    cfg: TrainConfig, model_id: str, *, workers: int = 1, executor: str = "process"
) -> dict[str, Any]:
    """Accuracy (with its 95% interval), mean steps and tokens of the design with the
    trained role bound to `model_id`, per evaluation suite."""
    from harness.compare import compare

    models = {**dict(cfg.models), cfg.role: model_id}
    kind = "ray" if executor == "ray" else ("processes" if workers > 1 else None)
    out: dict[str, Any] = {}
    for name in cfg.eval_suites:
        suite: str | SuiteRecipe = heldout_recipe(cfg) if name == "heldout" else name
        worlds = cfg.heldout_worlds if name == "heldout" else 1
        result = compare(
            [cfg.arch],
            suite=suite,
            seeds=cfg.eval_seeds,
            worlds=worlds,
            models=models,
            params=dict(cfg.params) or None,
            cache=False,
            workers=workers if kind else None,
            executor=kind,
            keep_results=False,
        )
        s = result.summaries[0]
        out[name] = {
            "episodes": s.episodes,
            "accuracy": round(s.accuracy, 6),
            "accuracy_ci95": [round(x, 6) for x in s.accuracy_ci95],
            "mean_steps": round(s.mean_steps, 4),
            "mean_tokens": round(s.mean_input_tokens + s.mean_output_tokens, 1),
            "mean_cost_usd": None if s.mean_cost_usd is None else round(s.mean_cost_usd, 8),
        }
    return out


def evaluate_run(
    cfg: TrainConfig, out: Path, *, workers: int = 1, executor: str = "process"
) -> dict[str, Any]:
    """eval.json: the base model and the trained policy on every evaluation suite."""
    _, base = compile_for(cfg)
    trained = f"{base}{'&' if '?' in base else '?'}policy={out / 'policy.json'}"
    before = evaluate_model(cfg, base, workers=workers, executor=executor)
    after = evaluate_model(cfg, trained, workers=workers, executor=executor)
    data = {
        "architecture": cfg.arch,
        "role": cfg.role,
        "before": {"model": base, "suites": before},
        "after": {"model": trained, "suites": after},
        "seeds": cfg.eval_seeds,
        "heldout_worlds": cfg.heldout_worlds,
    }
    (out / "eval.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data
