"""Study `equal-budget`: a single agent against a multi-agent system at equal thinking budgets.

Published (Tran & Kiela, "Single-Agent LLMs Outperform Multi-Agent Systems on Multi-Hop
Reasoning Under Equal Thinking Token Budgets", arXiv 2604.02460, 2026): with the same
model and the same budget of reasoning ("thinking") tokens, a single agent matches or
beats multi-agent systems on multi-hop QA; reported multi-agent gains are partly
artifacts of the multi-agent system spending more thinking tokens.

How thinking tokens act in archbench, and what that makes of the comparison: a simulated
call bills `reasoning_tokens` (the profile's mean, x1.5 for plans and write-ups, ±25%) as
output, and no simulated decision reads them (`SimulatedModel.generate`): more thinking
per call buys nothing. What buys accuracy is calls: the step budget (`max_steps`; on its
last step the agent must answer), which leaves room to recover from wrong moves. The only
documented way to give an agent a thinking budget is therefore a step budget, at the
model's mean reasoning per call. The study measures both: whether thinking tokens buy
accuracy at all (they do not, by construction: the row says so), and the comparison at a
step budget matched to the multi-agent system's thinking spend.

Recipe, fixed before running: the deep suite's multi-hop tasks (4-8 hop chains); one
model everywhere, mock/claude-sonnet-4 (as Tran & Kiela compare one model's single and
multi-agent use). Multi: orchestrator-workers (lead and workers on that model). Single:
kimi-researcher's loop on it. Run 1: multi, single at its own budget (30 steps), single
with 4x the reasoning tokens per call. B = multi's mean reasoning tokens per episode; r =
the single agent's mean reasoning tokens per call (run 1); run 2: single with
`max_steps = round(B / r)` (equal budget) and `round(B / r / 4)` (a quarter of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.loader import load_architecture
from harness.sim.profiles import PRESETS
from harness.spec import ArchitectureSpec, ParamSpec
from harness.studies import measure as m
from harness.studies.framework import (
    FULL_SEEDS,
    NOT,
    SIZE,
    Row,
    RunPlan,
    Study,
    StudyResult,
    execute,
    explain,
    study_command,
    verdict,
)
from harness.trace import EpisodeResult

NAME = "equal-budget"
VERSION = 1
SOURCE = "Tran & Kiela, arXiv 2604.02460 (2026)"
MODEL = "mock/claude-sonnet-4"
MULTI = "orchestrator-workers"
SINGLE = "kimi-researcher"
THINK_MORE = 4
"""The extra-thinking arm: this many times the model's reasoning tokens per call."""
SHORT = 4
"""The unequal arm: the single agent gets 1/SHORT of the matched budget."""
FULL_TASKS = 8
QUICK_TASKS = 4


@dataclass(frozen=True)
class MultiHopPlan(RunPlan):
    """A RunPlan over the deep suite's multi-hop tasks only (Tran & Kiela: multi-hop QA)."""

    @property
    def tasks(self) -> list[str] | None:
        n = QUICK_TASKS if self.quick else FULL_TASKS
        return [f"deep-multi_hop-{i:02d}" for i in range(1, n + 1)]

    @property
    def seeds(self) -> int:
        return 1 if self.quick else FULL_SEEDS


def single_spec(name: str, model: str, max_steps: int | None = None) -> ArchitectureSpec:
    """kimi-researcher's loop bound to `model`, optionally with another step budget."""
    spec = load_architecture(SINGLE)
    params = dict(spec.params)
    if max_steps is not None:
        params["max_steps"] = ParamSpec(default=max_steps, description="matched step budget")
    return spec.model_copy(
        update={
            "name": name,
            "description": f"kimi-researcher's single loop on {model}",
            "roles": {"agent": model},
            "params": params,
        }
    )


def _acc(r: EpisodeResult) -> float:
    return float(r.correct)


def _reasoning(r: EpisodeResult) -> float:
    return float(r.totals.reasoning_tokens)


def run(quick: bool, out: Path, workers: int | None) -> StudyResult:
    preset = PRESETS[MODEL.removeprefix("mock/")].reasoning_tokens
    think = f"{MODEL}?reasoning_tokens={THINK_MORE * preset}"
    first = MultiHopPlan(
        "budget",
        (MULTI, single_spec("single", MODEL), single_spec("single-think", think)),
        quick,
        models=((f"{MULTI}:lead", MODEL), (f"{MULTI}:worker", MODEL)),
    )
    r1 = execute(first, out, workers)
    g = r1.by_arch()
    multi, single, thinker = g[MULTI], g["single"], g["single-think"]
    budget = sum(map(_reasoning, multi)) / len(multi)
    per_call = sum(map(_reasoning, single)) / max(sum(r.totals.steps for r in single), 1)
    matched = max(1, round(budget / per_call))
    short = max(1, round(budget / per_call / SHORT))
    second = MultiHopPlan(
        f"matched-{matched}-{short}",
        (
            single_spec("single-matched", MODEL, matched),
            single_spec("single-short", MODEL, short),
        ),
        quick,
    )
    r2 = execute(second, out, workers)
    g2 = r2.by_arch()
    eq, low = g2["single-matched"], g2["single-short"]

    d_think = m.difference(thinker, single, _acc, f"{NAME}|think")
    d_eq = m.difference(eq, multi, _acc, f"{NAME}|equal")
    d_low = m.difference(low, multi, _acc, f"{NAME}|short")
    spend = m.ratio(eq, multi, _reasoning, f"{NAME}|spend")
    v_think = verdict(d_think, None, null=0.0, side=1)
    v_eq = verdict(d_eq, 0.0, null=0.0, side=1)
    v_low = verdict(d_low, None, null=0.0, side=-1)
    acc_low = sum(map(_acc, low)) / len(low)
    acc_multi = sum(map(_acc, multi)) / len(multi)
    by_cell = {(r.world, r.task_id, r.seed): r.answer for r in single}
    same = sum(by_cell.get((r.world, r.task_id, r.seed)) == r.answer for r in thinker)
    eq_steps = sum(r.totals.steps for r in eq) / len(eq)
    hit_cap = sum(r.totals.steps >= matched for r in eq)
    rows = (
        Row(
            "thinking_buys_accuracy",
            "more thinking tokens per call raise a single agent's multi-hop accuracy (the "
            "premise of budget matching)",
            SOURCE,
            "more thinking > less (direction only)",
            m.fmt(d_think, " pts", 100) + f" accuracy, {THINK_MORE}x reasoning tokens - preset",
            d_think,
            v_think,
            explain(
                v_think,
                "no simulated decision reads a call's reasoning tokens: they are billed as "
                "output and buy nothing, so only a step budget can stand for a thinking budget",
            ),
            r1.command,
        ),
        Row(
            "single_minus_multi_equal_budget",
            "at equal thinking budgets a single agent matches or beats a multi-agent system "
            "on multi-hop tasks",
            SOURCE,
            "≥ 0 pts (0 = matches, > 0 = beats)",
            m.fmt(d_eq, " pts", 100)
            + f" accuracy, single at {matched} steps ({budget:,.0f} thinking tokens) - multi",
            d_eq,
            v_eq,
            explain(
                v_eq,
                "the multi-agent system is ahead: its lead's re-plans recover chains the "
                "single loop loses",
                "a single agent beats the multi-agent system: the lead's plan, hand-offs and "
                "write-up add errors of their own (every role errs with its model's skill), "
                "not a budget effect",
            ),
            r2.command,
        ),
        Row(
            "single_short_minus_multi",
            "with a smaller thinking budget than the multi-agent system, the single agent "
            "falls behind (multi-agent gains are partly budget artifacts)",
            SOURCE,
            "single at less budget < multi (direction only)",
            m.fmt(d_low, " pts", 100) + f" accuracy, single at {short} steps - multi",
            d_low,
            v_low,
            explain(
                v_low,
                f"at {short} steps the single agent scores {acc_low:.0%} against the "
                f"multi-agent system's {acc_multi:.0%}: a chain's search and read per hop fit, "
                "and a tighter budget costs less than the lead's coordination errors",
            ),
            r2.command,
        ),
    )
    notes = (
        f"Run directories: {r1.dir}, {r2.dir} ({len(r1.results) + len(r2.results)} episodes; "
        "multi-hop tasks only).",
        f"Budget: the multi-agent system spends {budget:,.0f} reasoning tokens per episode; the "
        f"single agent {per_call:,.0f} per call, so the equal budget is {matched} steps and a "
        f"quarter of it {short}.",
        f"At the equal budget the single agent used {eq_steps:.1f} steps per episode "
        f"({hit_cap} of {len(eq)} episodes reached the cap) and spent "
        f"{m.fmt(spend, 'x', digits=2).removeprefix('predicted ')} the multi-agent system's "
        "thinking tokens: the budget "
        "is a cap; a single agent answers once its chain is read.",
        f"Extra thinking ({THINK_MORE}x reasoning tokens per call): {same} of {len(thinker)} "
        "episodes give the same answer as at the preset; only output tokens and cost differ.",
        "Differences are paired by (world, task, seed) across the two runs: the simulated "
        "draws depend on the cell, not on the run or the other designs in it.",
    )
    return StudyResult(NAME, VERSION, quick, study_command(NAME, quick, out, workers), rows, notes)


QUICK_VERDICTS: dict[str, str] = {
    "thinking_buys_accuracy": NOT,
    "single_minus_multi_equal_budget": SIZE,
    "single_short_minus_multi": NOT,
}

STUDY = Study(
    name=NAME,
    version=VERSION,
    claim="Tran & Kiela: at equal thinking-token budgets a single agent matches or beats "
    "multi-agent systems on multi-hop reasoning",
    source=SOURCE,
    published="single ≥ multi at equal budgets",
    run=run,
    quick_verdicts=QUICK_VERDICTS,
)
