"""Study `mast`: the shares of the MAST failure categories across the multi-agent designs.

Published (Cemri et al., "Why Do Multi-Agent LLM Systems Fail?", 2025, v3; an
unconfirmed copy, see /work/shared/PUBLISHED_NUMBERS.md): over 1,642 traces of seven
multi-agent frameworks, failure modes fall into system design 44.2%, inter-agent
misalignment 32.3% and task verification 23.5%.

Recipe: every built-in design with more than one agent loop (MAST studied multi-agent
systems; a lone loop cannot misalign with anyone) on the deep suite; every failed episode
tagged by `harness.taxonomy.diagnose` from its trace; each tag counted once per episode in
the category `CATEGORY` gives it. `CATEGORY` follows MAST's numbering (FM-1.x system
design, FM-2.x inter-agent misalignment, FM-3.x task verification) and was committed
before the study first ran. Archbench tags 6 of MAST's 14 modes, so the shares are of the
tagged modes only: the comparison is of direction (the published ranking, system design >
misalignment > verification, pair by pair), not of size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from harness.bootstrap import Cell, Estimate
from harness.loader import builtin_architectures
from harness.rundir import saved_specs
from harness.spec import ArchitectureSpec
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
from harness.taxonomy import OTHER, diagnose, loop_budgets

NAME = "mast"
VERSION = 1
SOURCE = 'Cemri et al., "Why Do Multi-Agent LLM Systems Fail?", 2025 (v3; unconfirmed copy)'

SYSTEM = "system design"
MISALIGNMENT = "inter-agent misalignment"
VERIFICATION = "task verification"
CATEGORY: dict[str, str] = {
    "step_repetition": SYSTEM,  # FM-1.3
    "unaware_of_termination": SYSTEM,  # FM-1.5
    "lost_in_handoff": MISALIGNMENT,  # FM-2.4
    "ignored_result": MISALIGNMENT,  # FM-2.5
    "premature_termination": VERIFICATION,  # FM-3.1
    "wrong_verification": VERIFICATION,  # FM-3.2/3.3
}
PUBLISHED: dict[str, float] = {SYSTEM: 0.442, MISALIGNMENT: 0.323, VERIFICATION: 0.235}
SHORT = {SYSTEM: "system", MISALIGNMENT: "misalignment", VERIFICATION: "verification"}
PAIRS = ((SYSTEM, MISALIGNMENT), (MISALIGNMENT, VERIFICATION), (SYSTEM, VERIFICATION))
"""The published ranking, pair by pair: system design > misalignment > verification."""
_SYSTEM = (
    "archbench tags 2 of MAST's 5 system-design modes (repetition, running out), and "
    "deep-suite loops seldom repeat or run out: they stop early, a verification mode"
)
_VERIFY = (
    "premature termination and accepted decoys, the simulated models' commonest errors, are "
    "both verification modes"
)
WHY: dict[tuple[str, str], str] = {
    (SYSTEM, MISALIGNMENT): _SYSTEM,
    (MISALIGNMENT, VERIFICATION): _VERIFY,
    (SYSTEM, VERIFICATION): _VERIFY,
}


def multi_agent(spec: ArchitectureSpec) -> bool:
    """More than one agent loop: several agent nodes, or a fan-out of one."""
    agents = sum(n.kind == "agent" for n in spec.nodes)
    return agents > 1 or any(n.kind == "fan_out" for n in spec.nodes)


def designs() -> list[str]:
    """The built-in multi-agent designs, in registry order."""
    return [name for name, spec in builtin_architectures().items() if multi_agent(spec)]


def run(quick: bool, out: Path, workers: int | None) -> StudyResult:
    names = designs()
    result = execute(RunPlan("mast", tuple(names), quick), out, workers)
    specs = saved_specs(result.dir)
    traces = result.traces()
    cols: dict[str, dict[Cell, float]] = {c: {} for c in (*PUBLISHED, "total")}
    per_design: dict[str, Counter[str]] = {}
    for i, a in enumerate(names):
        budgets, dynamic = loop_budgets(result.config, a, specs.get(a))
        seen = per_design.setdefault(a, Counter())
        for r in result.by_arch()[a]:
            tags = diagnose(r, traces[(a, r.task_id, r.seed)], budgets, dynamic).tags
            key = (r.world, r.task_id, r.seed * len(names) + i)  # a task: one cluster
            counted = Counter(CATEGORY[t] for t in set(tags) if t in CATEGORY)
            seen.update({"episodes": 1, "failed": int(not r.correct)})
            seen.update(counted)
            seen["other"] += int(OTHER in tags)
            for c in PUBLISHED:
                cols[c][key] = float(counted[c])
            cols["total"][key] = float(sum(counted.values()))

    def share(c: str, minus: str | None = None) -> Estimate | None:
        """Share of the tagged modes in `c` (minus the share in `minus`)."""
        names = ["cat", "minus", "total"]
        data = [cols[c], cols[minus] if minus else cols["total"], cols["total"]]

        def stat(d: Mapping[str, m.Array]) -> float:
            tot = float(d["total"].sum())
            less = float(d["minus"].sum()) if minus else 0.0
            return (float(d["cat"].sum()) - less) / tot if tot else float("nan")

        label = f"{NAME}|{c}|{minus}"
        return m.cluster_bootstrap(dict(zip(names, data, strict=True)), stat, label)

    shares = {c: share(c) for c in PUBLISHED}

    def bare(e: Estimate | None) -> str:
        return m.fmt(e, "%", 100).removeprefix("predicted ")

    rows = []
    for a, b in PAIRS:
        est = share(a, b)
        pub = PUBLISHED[a] - PUBLISHED[b]
        v = verdict(est, None, null=0.0, side=1 if pub > 0 else -1)
        rows.append(
            Row(
                f"{SHORT[a]}_over_{SHORT[b]}",
                f"more failure modes in {a} than in {b}",
                SOURCE,
                f"{PUBLISHED[a]:.1%} vs {PUBLISHED[b]:.1%}: {pub * 100:+.1f} pts (direction only)",
                m.fmt(est, " pts", 100) + f" ({a} {bare(shares[a])}, {b} {bare(shares[b])})",
                est,
                v,
                explain(v, WHY[(a, b)]),
                result.command,
                target=pub,
                null=0.0,
            )
        )
    total = sum(s["failed"] for s in per_design.values())
    eps = sum(s["episodes"] for s in per_design.values())
    breakdown = "; ".join(
        f"{a}: {s['failed']}/{s['episodes']} failed, "
        + ", ".join(f"{c} {s[c]}" for c in PUBLISHED)
        + f", untagged {s['other']}"
        for a, s in per_design.items()
    )
    notes = (
        f"Run directory: {result.dir} ({len(result.results)} episodes).",
        f"Designs (more than one agent loop): {', '.join(names)}.",
        f"{total} of {eps} episodes failed. Tagged modes per design: {breakdown}.",
        "Shares count each tagged mode once per failed episode, pooled over the designs; "
        "untagged failures (no rule fired) are left out of the shares.",
    )
    command = study_command(NAME, quick, out, workers)
    return StudyResult(NAME, VERSION, quick, command, tuple(rows), notes)


QUICK_VERDICTS: dict[str, str] = {
    "system_over_misalignment": NOT,
    "misalignment_over_verification": NOT,
    "system_over_verification": NOT,
}

STUDY = Study(
    name=NAME,
    version=VERSION,
    claim="MAST: failures split system design 44.2%, inter-agent misalignment 32.3%, task "
    "verification 23.5%",
    source=SOURCE,
    published="44.2% / 32.3% / 23.5%",
    run=run,
    quick_verdicts=QUICK_VERDICTS,
)
