"""Regenerate the numbers in docs/findings.md: `python scripts/findings.py`.

Each experiment is an ordinary `harness.compare` call on the default suite with 3 seeds;
the tables are printed as Markdown. Deterministic: the same code gives the same tables.
"""

from __future__ import annotations

from harness.compare import compare
from harness.metrics import ArchitectureSummary, Summary

SEEDS = 3
ALL = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


def run(arch: str, models: dict[str, str] | None = None, **params: str) -> ArchitectureSummary:
    return compare([arch], suite="default", seeds=SEEDS, models=models, params=params).summaries[0]


def tok(s: Summary) -> str:
    return f"{s.mean_input_tokens + s.mean_output_tokens:,.0f}"


def row(*cells: str) -> None:
    print("| " + " | ".join(cells) + " |")


def money(v: float | None) -> str:
    return "unknown" if v is None else f"${v:.4f}"


def main() -> None:
    print("### (a) accuracy of kimi-researcher by step budget\n")
    print("| max_steps | accuracy | 95% CI | mean steps | mean cost |")
    print("|---|---|---|---|---|")
    for n in (4, 6, 8, 12, 20, 30):
        s = run("kimi-researcher", max_steps=str(n))
        lo, hi = s.accuracy_ci95
        cells = [str(n), f"{s.accuracy:.1%}", f"{lo:.0%}–{hi:.0%}", f"{s.mean_steps:.1f}"]
        row(*cells, money(s.mean_cost_usd))

    print("\n### (b) breadth questions: single agent vs fan-out\n")
    row(
        "architecture",
        "binding",
        "breadth accuracy",
        "breadth latency s",
        "breadth tokens",
        "all-task tokens",
        "coordination tokens",
    )
    print("|---|---|---|---|---|---|---|")
    for arch, models, label, params in [
        ("kimi-researcher", None, "default", {}),
        ("manus-workflow", None, "default", {}),
        ("kimi-researcher", {"*": "mock/kimi-k2"}, "all kimi-k2", {}),
        ("manus-workflow", {"*": "mock/kimi-k2"}, "all kimi-k2", {}),
        ("manus-workflow", {"*": "mock/kimi-k2"}, "all kimi-k2, min_reads=0", {"min_reads": "0"}),
    ]:
        s = run(arch, models, **params)
        b = s.by_family["breadth"]
        cells = [arch, label, f"{b.accuracy:.0%}", f"{b.mean_latency_s:.0f}", tok(b)]
        row(*cells, tok(s), f"{s.mean_coordination_tokens:,.0f}")

    print("\n### (c) accuracy by family, one model (mock/claude-sonnet-4) for every role\n")
    fams = ["lookup", "multi_hop", "breadth", "conflict", "dead_end"]
    print("| architecture | " + " | ".join(fams) + " |")
    print("|---|" + "---|" * len(fams))
    same = {"*": "mock/claude-sonnet-4"}
    for arch in ALL:
        s = run(arch, same)
        print(f"| {arch} | " + " | ".join(f"{s.by_family[f].accuracy:.0%}" for f in fams) + " |")
    s = run("manus-workflow", same, worker_replans="true", max_steps="12")
    print(
        "| manus-workflow, worker_replans=true, max_steps=12 | "
        + " | ".join(f"{s.by_family[f].accuracy:.0%}" for f in fams)
        + " |"
    )

    print("\n### (d) the hybrid's cost\n")
    print("| architecture | binding | accuracy | mean cost | cost by model |")
    print("|---|---|---|---|---|")
    for arch, models, label in [
        ("minimax-hybrid", None, "in_house = minimax-m1, external = claude-sonnet-4"),
        ("minimax-hybrid", {"in_house": "mock/claude-sonnet-4"}, "every role on claude-sonnet-4"),
        ("kimi-researcher", None, "agent = kimi-researcher"),
    ]:
        s = run(arch, models)
        split = ", ".join(f"{m}: {money(c)}" for m, c in s.cost_by_model.items())
        print(f"| {arch} | {label} | {s.accuracy:.1%} | {money(s.mean_cost_usd)} | {split} |")


if __name__ == "__main__":
    main()
