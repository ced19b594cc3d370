"""Study `kimi-rl`: does end-to-end RL, run inside archbench, do what Kimi-Researcher reports?

Published (Moonshot AI, Kimi-Researcher technical report, 2025-06): REINFORCE, on-policy,
with negative-sample control, a correctness reward, a format penalty and a gamma decay;
HLE pass@1 from 8.6% to 26.9% "almost entirely" from end-to-end RL, and 23 reasoning steps
per task on average after training; an end-to-end trained single agent against
hand-built multi-agent workflows.

Recipe (committed before the study first ran; nothing changed after): every design's every
role is bound to the same base model, `mock/kimi-k2`. `harness.training.train` trains, with
the reward pinned in `kimi_rl_runs.REWARD` (gamma 0.98, format penalty 0.1 per fault,
negative samples weighted 0.5, no token cost; Adam at 0.05), at each training seed:
the single agent's `agent` role (`kimi-researcher`, arm `e2e`); the `worker` role of
`manus-workflow` with the workflow's end reward (arm `component`); and three ablations of
`e2e` (no gamma decay: gamma 1; no format penalty: 0; no negative-sample control:
negative_weight 1). Every trained policy is then evaluated with its base model in one
comparison on the deep suite (40 tasks x 5 seeds, the studies' scale), and the single
agent against both workflows in a second comparison at a matched token cap. Rows:

- (a) accuracy and mean steps during training (the curve: last tenth of batches minus
  first tenth, over training seeds) and after it (deep suite, trained minus base);
  the trained agent's mean steps against the published 23;
- (b) the trained single agent minus manus-workflow and minus orchestrator-workers, all on
  kimi-k2, every episode capped at `MATCHED_TOKENS`;
- (c) end-to-end against component training: the single agent's gain from training minus
  the workflow's gain from training its workers (same base, same episodes, same seeds),
  and the two trained designs' accuracy;
- (d) ablations: mean steps without gamma decay, format faults without the format penalty,
  and the variance of the batch reward across training seeds without negative-sample
  control, each minus the full recipe.

A trained arm's value in a cell (task, evaluation seed) is the mean over its training
seeds, so intervals (harness.stats' clustered bootstrap over tasks) carry the spread of
both evaluation and training seeds; the curve rows use a t interval over training seeds.
Verdicts use the framework's rule; the claims are directions (the published figures are on
HLE, not the deep suite), so "reproduced in direction" reads "consistent with Kimi's
claim": consistent, not proof, since the simulator's optimum decides what training finds.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from harness.bootstrap import Cell, Estimate
from harness.stats import bootstrap, paired
from harness.studies import measure as m
from harness.studies.framework import (
    NOT,
    Row,
    RunPlan,
    Study,
    StudyResult,
    execute,
    explain,
    study_command,
    verdict,
)
from harness.studies.kimi_rl_measure import (
    Value,
    change,
    correct,
    faults_of,
    mean_bias,
    mean_of,
    over_seeds,
    pooled,
    same_policies,
    seed_variance,
    steps_of,
)
from harness.studies.kimi_rl_runs import (
    Arm,
    curve,
    design,
    train_arm,
    train_command,
)
from harness.trace import EpisodeResult

NAME = "kimi-rl"
VERSION = 1
SOURCE = "Moonshot AI, Kimi-Researcher technical report, 2025-06"
BASE = "mock/kimi-k2"
SINGLE, WORKFLOW, ORCHESTRATOR = "kimi-researcher", "manus-workflow", "orchestrator-workers"
E2E = Arm("e2e", SINGLE, "agent")
COMPONENT = Arm("component", WORKFLOW, "worker")
ABLATIONS = (
    Arm("no-gamma", SINGLE, "agent", (("gamma", 1.0),)),
    Arm("no-format", SINGLE, "agent", (("format_penalty", 0.0),)),
    Arm("no-negative-control", SINGLE, "agent", (("negative_weight", 1.0),)),
)
FULL_SEEDS, FULL_EPISODES, FULL_BATCH = (0, 1, 2), 2000, 64
QUICK_SEEDS, QUICK_EPISODES, QUICK_BATCH = (0, 1), 32, 8
MATCHED_TOKENS = 24_000
"""The per-episode cap of (b): findings.md (e)'s middle cap, where the multi-agent designs
still finish some tasks and the single agent most."""
PUBLISHED_STEPS = 23.0


def run(quick: bool, out: Path, workers: int | None) -> StudyResult:
    seeds = QUICK_SEEDS if quick else FULL_SEEDS
    episodes = QUICK_EPISODES if quick else FULL_EPISODES
    batch = QUICK_BATCH if quick else FULL_BATCH
    arms = (E2E, COMPONENT, *ABLATIONS)
    dirs = {
        (a.name, s): train_arm(
            a, s, out, base=BASE, episodes=episodes, batch_size=batch, workers=workers
        )
        for a in arms
        for s in seeds
    }

    def trained(arm: Arm) -> list[str]:
        return [f"{arm.arch}-{arm.name}-s{s}" for s in seeds]

    specs = [design(SINGLE, f"{SINGLE}-k2", BASE), design(WORKFLOW, f"{WORKFLOW}-k2", BASE)]
    specs += [
        design(a.arch, f"{a.arch}-{a.name}-s{s}", BASE, {a.role: dirs[(a.name, s)]})
        for a in arms
        for s in seeds
    ]
    ev = execute(RunPlan("kimi-rl-eval", tuple(specs), quick), out, workers)
    capped_specs = [s for s in specs if s.name in trained(E2E)]
    capped_specs += [design(WORKFLOW, f"{WORKFLOW}-k2", BASE)]
    capped_specs += [design(ORCHESTRATOR, f"{ORCHESTRATOR}-k2", BASE)]
    matched = RunPlan("kimi-rl-matched", tuple(capped_specs), quick, max_tokens=MATCHED_TOKENS)
    cap = execute(matched, out, workers)
    g, gc = ev.by_arch(), cap.by_arch()

    def arm_cells(
        groups: dict[str, list[EpisodeResult]], arm: Arm, value: Value
    ) -> dict[Cell, float]:
        return pooled([groups[n] for n in trained(arm)], value)

    base_single, base_wf = g[f"{SINGLE}-k2"], g[f"{WORKFLOW}-k2"]
    e2e_dirs = [dirs[(E2E.name, s)] for s in seeds]
    curves = [curve(d) for d in e2e_dirs]
    rows: list[Row] = []
    consistent = "consistent with Kimi's claim (not proof: the simulator's optimum decides it)"
    train_cmd = train_command(E2E, seeds, out, BASE, episodes, batch)
    persist, stop = mean_bias(e2e_dirs, "persist"), mean_bias(e2e_dirs, "stop")
    corroborate = mean_bias(e2e_dirs, "corroborate")
    policy_line = (
        f"training moves strategy only (mean biases: persist {persist:+.2f}, stop {stop:+.2f}, "
        f"corroborate {corroborate:+.2f}), not skill"
    )
    init = float(json.loads((e2e_dirs[0] / "train.json").read_text())["config"]["init_new_moves"])
    from_init = (
        f"{consistent}; the curve starts from the trainer's initial policy, whose stop and "
        f"corroborate moves start at logit {init:g}, not from the base preset: the change "
        "from the base preset itself is row a_eval_"
    )

    def add(
        rid: str,
        claim: str,
        pub: str,
        figure: str,
        est: Estimate | None,
        why: str,
        cmd: str,
        why_size: str = consistent,
    ) -> None:
        v = verdict(est, None, null=0.0, side=1)
        rows.append(Row(rid, claim, SOURCE, pub, figure, est, v, explain(v, why, why_size), cmd))

    # (a) training dynamics
    for key, unit, scale, pub, rid in (
        ("accuracy", " pts", 100.0, "HLE 8.6% -> 26.9% pass@1", "a_curve_accuracy"),
        ("mean_steps", " steps", 1.0, "rises (23 steps per task after training)", "a_curve_steps"),
    ):
        by_seed = [change(c, key) for c in curves]
        est = over_seeds(by_seed)
        what = "accuracy" if key == "accuracy" else "mean steps"
        add(
            rid,
            f"(a) {what} rises during end-to-end RL",
            pub,
            m.fmt(est, unit, scale) + f" ({what}), last tenth of training minus first",
            est,
            "the change differs from seed to seed ("
            + ", ".join(f"{x * scale:+.1f}" for x in by_seed)
            + f"{unit}; each seed trains on its own worlds), and a t interval over "
            f"{len(by_seed)} seeds is wide; {policy_line}",
            train_cmd,
            from_init + ("accuracy" if key == "accuracy" else "steps"),
        )
    e2e_acc = arm_cells(g, E2E, correct)
    e2e_steps = arm_cells(g, E2E, steps_of)
    acc = paired(e2e_acc, m.cells(base_single, correct), label=f"{NAME}|a-acc")
    steps = paired(e2e_steps, m.cells(base_single, steps_of), label=f"{NAME}|a-steps")
    add(
        "a_eval_accuracy",
        "(a) the trained agent is stronger on held-out tasks",
        "HLE 8.6% -> 26.9% pass@1",
        m.fmt(acc, " pts", 100) + " accuracy, trained - base",
        acc,
        f"{policy_line}; the base policy is already at "
        f"{statistics.fmean(correct(r) for r in base_single):.0%} on deep, and persisting "
        "after a dead end, what training raised, helps only the tasks with one",
        ev.command,
    )
    add(
        "a_eval_steps",
        "(a) the trained agent explores longer",
        "longer (23 steps per task)",
        m.fmt(steps, " steps") + ", trained - base",
        steps,
        f"{policy_line}: persistence adds steps only after a dead end, and the moves that "
        "would change an episode's length (stop, corroborate) were trained towards off",
        ev.command,
    )
    abs_steps = bootstrap(e2e_steps, label=f"{NAME}|a-abs")
    v_abs = verdict(abs_steps, PUBLISHED_STEPS)
    rows.append(
        Row(
            "a_steps_23",
            "(a) 23 reasoning steps per task after training",
            SOURCE,
            "23 steps",
            m.fmt(abs_steps, " steps") + " (model calls per episode, trained)",
            abs_steps,
            v_abs,
            explain(
                v_abs,
                "a deep task takes a search and a read per hop of a 4-8 hop chain; training "
                "changes when to persist or stop, not how many hops a task has (HLE's need more)",
            ),
            ev.command,
        )
    )
    # (b) matched tokens
    single_cap = pooled([gc[n] for n in trained(E2E)], correct)
    for other, rid in ((WORKFLOW, "b_vs_workflow"), (ORCHESTRATOR, "b_vs_orchestrator")):
        est = paired(single_cap, m.cells(gc[f"{other}-k2"], correct), label=f"{NAME}|{rid}")
        add(
            rid,
            f"(b) the trained single agent beats {other} on the same base model",
            f"single > {other} (direction)",
            m.fmt(est, " pts", 100) + f" accuracy at {MATCHED_TOKENS:,} tokens, single - {other}",
            est,
            f"at this cap {other} finishes as many tasks as the single agent",
            cap.command,
        )
    # (c) end-to-end vs component training
    wf_acc = arm_cells(g, COMPONENT, correct)
    base_single_acc, base_wf_acc = m.cells(base_single, correct), m.cells(base_wf, correct)
    gain_single = {k: v - base_single_acc[k] for k, v in e2e_acc.items()}
    gain = {k: gain_single[k] - (wf_acc[k] - base_wf_acc[k]) for k in gain_single if k in wf_acc}
    est_gain = bootstrap(gain, label=f"{NAME}|c-gain")
    add(
        "c_gain",
        "(c) training the whole agent gains more than training a pipeline's workers",
        "end-to-end > component (direction)",
        m.fmt(est_gain, " pts", 100) + " accuracy gain, end-to-end - component",
        est_gain,
        f"both gains are small (single {100 * mean_of(gain_single):+.1f} pts, workflow "
        f"{100 * mean_of({k: wf_acc[k] - base_wf_acc[k] for k in wf_acc}):+.1f} pts): the "
        "strategy "
        "either can learn (persist, stop, corroborate) is worth little on deep tasks, and "
        "what makes the workflow weak, its fixed plan and brief, is not learnable "
        "(compliance stays the model's parameter)",
        ev.command,
    )
    est_final = paired(e2e_acc, wf_acc, label=f"{NAME}|c-final")
    add(
        "c_final",
        "(c) the end-to-end agent beats the component-trained workflow",
        "end-to-end > workflow (direction)",
        m.fmt(est_final, " pts", 100) + " accuracy, trained single - trained workflow",
        est_final,
        "the workflow's planner and writer err at kimi-k2's skill either way",
        ev.command,
        f"{consistent}; untrained, the two designs already differ by "
        f"{100 * mean_of({k: base_single_acc[k] - base_wf_acc[k] for k in base_wf_acc}):+.1f} "
        "pts: "
        "most of the gap is the design, not the training",
    )
    # (d) ablations
    full_steps = e2e_steps
    no_gamma, no_format, no_neg = ABLATIONS
    est = paired(arm_cells(g, no_gamma, steps_of), full_steps, label=f"{NAME}|d-gamma")
    add(
        "d_gamma_steps",
        "(d) gamma decay favours shorter correct trajectories",
        "without it: longer (direction)",
        m.fmt(est, " steps", digits=2) + ", no gamma decay - full",
        est,
        "a correct answer already ends the episode, and the format penalty and the stop "
        "move shape length as much as the decay does",
        ev.command,
        f"{consistent}, but small: a correct answer ends the episode, so the decay only "
        "ranks correct trajectories by length, and the stop move it could favour stays off",
    )
    est = paired(
        arm_cells(g, no_format, faults_of), arm_cells(g, E2E, faults_of), label=f"{NAME}|d-format"
    )
    add(
        "d_format_faults",
        "(d) the format penalty suppresses invalid calls and overruns",
        "without it: more (direction)",
        m.fmt(est, "", digits=3) + " format faults per episode, no penalty - full",
        est,
        same_policies(dirs, no_format, E2E, seeds)
        + "no evaluation episode of either made an invalid tool call or ran out of budget or "
        "window: on these tasks the penalty has nothing to act on",
        ev.command,
    )
    neg_curves = [curve(dirs[(no_neg.name, s)]) for s in seeds]
    var_full, var_neg = seed_variance(curves), seed_variance(neg_curves)
    est = m.cluster_bootstrap(
        {"a": var_neg, "b": var_full},
        lambda d: float((d["a"] - d["b"]).mean()),
        f"{NAME}|d-neg",
    )
    add(
        "d_negative_variance",
        "(d) negative-sample control stabilises training",
        "without it: more variance across seeds (direction)",
        m.fmt(est, "", digits=4) + " variance of batch reward across seeds, no control - full "
        "(second half of training)",
        est,
        f"the variance across seeds is {statistics.fmean(var_full.values()):.4f} with control "
        f"and {statistics.fmean(var_neg.values()):.4f} without: each seed trains on its own "
        "worlds, and which tasks a batch drew moves its reward more than the weight of "
        "negative samples does",
        train_command(no_neg, seeds, out, BASE, episodes, batch),
    )
    notes = (
        f"Training: {len(dirs)} runs of {episodes:,} episodes (batches of {batch}), seeds "
        f"{', '.join(map(str, seeds))}, in {out / 'train'}; arms: "
        + "; ".join(f"{train_command(a, seeds, out, BASE, episodes, batch)}" for a in arms[1:]),
        f"Evaluation: {ev.dir} ({len(ev.results)} episodes); matched tokens: {cap.dir} "
        f"({len(cap.results)} episodes).",
        "A trained arm's value per cell is the mean over its training seeds' policies; every "
        "design's every role is bound to mock/kimi-k2.",
        "Part 6 (a trained default for kimi-researcher) reads a_steps_23: the studies' "
        "tolerance is 23 steps +- 25% on the deep suite.",
    )
    return StudyResult(
        NAME, VERSION, quick, study_command(NAME, quick, out, workers), tuple(rows), notes
    )


QUICK_VERDICTS: dict[str, str] = {
    "a_curve_accuracy": NOT,
    "a_curve_steps": NOT,
    "a_eval_accuracy": NOT,
    "a_eval_steps": NOT,
    "a_steps_23": NOT,
    "b_vs_workflow": NOT,
    "b_vs_orchestrator": NOT,
    "c_gain": NOT,
    "c_final": NOT,
    "d_gamma_steps": NOT,
    "d_format_faults": NOT,
    "d_negative_variance": NOT,
}
"""What `--quick` gives (4 batches of 8 episodes: a smoke test, not figures to quote).
Re-read once when the trainer's initial logit of the new moves went from -3 to -4 (its
own change, merged before the full study ran): a_curve_steps went from "in direction" to
"not reproduced"; the recipe did not change."""

STUDY = Study(
    name=NAME,
    version=VERSION,
    claim="Kimi-Researcher: end-to-end RL makes one agent explore longer and get stronger "
    "than hand-built workflows",
    source=SOURCE,
    published="HLE 8.6% -> 26.9% from end-to-end RL; 23 steps per task after training",
    run=run,
    quick_verdicts=QUICK_VERDICTS,
)
