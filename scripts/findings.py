"""Regenerate the numbers in docs/findings.md: `python scripts/findings.py`.

Every finding is computed over 5 generated worlds (`tasks.generate_suite(seed=w,
per_family=12)`, w = 0..4; world 0 is the recipe of the built-in `default` suite) and 10
seeds, and stated as a ranking or a paired difference with its 95% interval, never as an
exact value from one world. The pairing unit is the (world, task, seed) cell: two settings
run on the same cells, the difference is taken cell by cell, and `harness.stats.bootstrap`
resamples (world, task) units, then seeds within them.

Each experiment is an ordinary `harness.compare` call per world. Deterministic: the same
code gives the same tables. About 200,000 episodes: 15-20 minutes on two busy cores
(`--workers N` passes worker processes to `compare`; on two shared cores they did not help).
`--cache FILE` keeps the runs and reuses them while harness/, architectures/ and tasks/ are
unchanged; scripts/make_figures.py reads the same file. `--quick` runs 2 worlds x 3 seeds
(a smoke test of the script, not numbers to quote).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from architectures import BUILTINS  # noqa: E402
from harness.compare import compare  # noqa: E402
from harness.metrics import ArchitectureSummary, summarise_architecture  # noqa: E402
from harness.runtime import Episode  # noqa: E402
from harness.stats import Estimate, bootstrap, r_squared  # noqa: E402
from harness.task import TaskSuite  # noqa: E402
from harness.taxonomy import MODES, OTHER, diagnose, loop_budgets  # noqa: E402
from harness.usage import UsageLimits  # noqa: E402
from tasks import generate_suite  # noqa: E402

ALL = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]
FAMILIES = ["lookup", "multi_hop", "breadth", "conflict", "dead_end"]
SHORT = {
    "kimi-researcher": "kimi",
    "manus-workflow": "workflow",
    "minimax-hybrid": "hybrid",
    "orchestrator-workers": "orchestrator",
}


@dataclass(frozen=True)
class Scale:
    worlds: int = 5
    seeds: int = 10
    per_family: int = 12


FULL = Scale()
SCALE = FULL  # set by main() (--quick); every experiment reads it


# --- running: one setting over every world ----------------------------------------------


@cache
def world(w: int, per_family: int, hops: int | None = None) -> TaskSuite:
    """World `w`: a generated suite with task ids of its own (w0-..., w1-...)."""
    if hops is None:
        return generate_suite(seed=w, per_family=per_family, name=f"w{w}")
    return generate_suite(seed=w, per_family=per_family, hops=(hops, hops), name=f"w{w}-h{hops}")


class Ep(NamedTuple):
    """What the findings read of one episode."""

    task: str  # unique across worlds: "w3-breadth-07"
    seed: int
    family: str
    correct: float
    tokens: float
    coordination: float
    cost: float
    latency: float
    steps: float
    outcome: str


METRICS: dict[str, Callable[[Ep], float]] = {
    "accuracy": lambda e: e.correct,
    "tokens": lambda e: e.tokens,
    "coordination": lambda e: e.coordination,
    "cost": lambda e: e.cost,
    "latency": lambda e: e.latency,
    "steps": lambda e: e.steps,
}


@dataclass(frozen=True)
class Setting:
    """One architecture with its bindings, parameters and episode caps."""

    arch: str
    models: tuple[tuple[str, str], ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    max_tokens: int | None = None
    max_calls: int | None = None
    families: tuple[str, ...] = ()
    hops: int | None = None


def setting(
    arch: str,
    models: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    **kw: object,
) -> Setting:
    return Setting(
        arch,
        tuple(sorted((models or {}).items())),
        tuple(sorted((params or {}).items())),
        **kw,  # type: ignore[arg-type]
    )


@dataclass
class Run:
    setting: Setting
    eps: list[Ep]
    summary: ArchitectureSummary
    taxonomy: Counter[str] = field(default_factory=Counter)
    """Failed episodes showing each MAST failure mode, and "failed"."""
    tags: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    """The modes each failed episode's trace shows."""

    def cells(
        self, metric: str = "accuracy", family: str | None = None
    ) -> dict[tuple[str, int], float]:
        get = METRICS[metric]
        return {(e.task, e.seed): get(e) for e in self.eps if family is None or e.family == family}

    def estimate(self, metric: str = "accuracy", family: str | None = None) -> Estimate:
        est = bootstrap(self.cells(metric, family), label=f"{self.setting}|{metric}|{family}")
        assert est is not None
        return est

    def mean(self, metric: str = "accuracy", family: str | None = None) -> float:
        values = self.cells(metric, family).values()
        return sum(values) / len(values)


_RUNS: dict[tuple[Scale, Setting], Run] = {}
_USED: set[tuple[Scale, Setting]] = set()
EPISODES = 0
WORKERS: int | None = None
"""Worker processes per `compare` call (None: in this process)."""


def run(s: Setting) -> Run:
    """`s` on every world and seed (memoised: findings share their runs)."""
    global EPISODES
    _USED.add((SCALE, s))
    if (SCALE, s) in _RUNS:
        return _RUNS[(SCALE, s)]
    eps: list[Ep] = []
    results = []
    taxonomy: Counter[str] = Counter()
    tags: dict[tuple[str, int], tuple[str, ...]] = {}
    budgets, dynamic = loop_budgets(
        {"params": {s.arch: dict(s.params)}, "roles": {s.arch: dict(s.models)}}, s.arch
    )

    def tag(ep: Episode, _done: int, _total: int) -> None:
        if not ep.result.correct:
            d = diagnose(ep.result, [st.as_dict() for st in ep.steps], budgets, dynamic)
            taxonomy["failed"] += 1
            taxonomy.update(d.tags)
            tags[(ep.result.task_id, ep.result.seed)] = d.tags

    for w in range(SCALE.worlds):
        suite = world(w, SCALE.per_family, s.hops)
        ids = [t.id for t in suite.tasks if not s.families or t.family in s.families]
        result = compare(
            [s.arch],
            suite=suite,
            seeds=SCALE.seeds,
            models=dict(s.models),
            params=dict(s.params),
            limits=UsageLimits(max_steps=s.max_calls, max_tokens=s.max_tokens),
            tasks=ids,
            on_episode=tag,
            workers=WORKERS,
        )
        for r in result.results:
            t = r.totals
            eps.append(
                Ep(
                    r.task_id,
                    r.seed,
                    r.family,
                    float(r.correct),
                    float(t.input_tokens + t.output_tokens),
                    float(r.coordination.total_tokens),
                    t.cost_usd or 0.0,
                    r.latency_s,
                    float(t.steps),
                    r.outcome,
                )
            )
        results.extend(result.results)
    EPISODES += len(eps)
    out = Run(s, eps, summarise_architecture(s.arch, results), taxonomy, tags)
    _RUNS[(SCALE, s)] = out
    return out


# --- an optional cache of runs, valid only for the code that made it --------------------


RUNS_FORMAT = 1
"""Bump when `run` records episodes differently: older caches are then ignored."""


def fingerprint() -> str:
    """A digest of every file the simulation's behaviour depends on (the harness, the
    architectures, the task generator): a cache made by other code is never read."""
    h = hashlib.sha256(f"runs {RUNS_FORMAT}".encode())
    for top in ("harness", "architectures", "tasks"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _plain(key: tuple[Scale, Setting], r: Run) -> tuple[object, ...]:
    """A run as plain data (tuples, dicts, JSON): readable whichever module defines `Run`."""
    return (
        astuple(key[0]),
        astuple(key[1]),
        [tuple(e) for e in r.eps],
        r.summary.model_dump(mode="json"),
        dict(r.taxonomy),
        r.tags,
    )


def _unplain(data: tuple[object, ...]) -> tuple[tuple[Scale, Setting], Run]:
    scale, s, eps, summary, taxonomy, tags = data
    setting_ = Setting(*s)  # type: ignore[misc]
    run_ = Run(
        setting_,
        [Ep(*e) for e in eps],  # type: ignore[attr-defined]
        ArchitectureSummary.model_validate(summary),
        Counter(taxonomy),  # type: ignore[call-overload]
        tags,  # type: ignore[arg-type]
    )
    return (Scale(*scale), setting_), run_  # type: ignore[misc]


def load_cache(path: Path) -> None:
    if not path.exists():
        return
    with path.open("rb") as f:
        stamp, runs = pickle.load(f)  # noqa: S301 - a file this script wrote
    if stamp != fingerprint():
        print(f"(ignoring {path}: made by other code)")
        return
    for data in runs:
        key, r = _unplain(data)
        _RUNS[key] = r
    print(f"(reusing {len(runs)} runs from {path})")


def save_cache(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump((fingerprint(), [_plain(k, r) for k, r in _RUNS.items()]), f)


def paired(a: Run, b: Run, metric: str = "accuracy", family: str | None = None) -> Estimate:
    """a - b on the cells both ran, with the two-stage bootstrap interval."""
    ca, cb = a.cells(metric, family), b.cells(metric, family)
    common = sorted(set(ca) & set(cb))
    assert common, "no shared cells"
    label = f"{a.setting}-{b.setting}|{metric}|{family}"
    est = bootstrap({k: ca[k] - cb[k] for k in common}, label=label)
    assert est is not None
    return est


def base(arch: str, **kw: object) -> Run:
    """`arch` with its default bindings and parameters (plus `kw`: see `setting`)."""
    return run(setting(arch, **kw))  # type: ignore[arg-type]


def with_skill(arch: str, skill: float) -> dict[str, str]:
    """Every role of `arch` on its default model, with `skill` overridden."""
    return {
        role: f"{m}{'&' if '?' in m else '?'}skill={skill}"
        for role, m in BUILTINS[arch].roles.items()
    }


SONNET = {"*": "mock/claude-sonnet-4"}
K2 = {"*": "mock/kimi-k2"}


# --- formatting -------------------------------------------------------------------------


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


def pct(e: Estimate) -> str:
    return f"{e.mean:.0%} [{e.lo:.0%}, {e.hi:.0%}]"


def pts(e: Estimate) -> str:
    """An accuracy difference in percentage points."""
    return _minus(f"{100 * e.mean:+.1f} pts [{100 * e.lo:+.1f}, {100 * e.hi:+.1f}]")


def secs(e: Estimate) -> str:
    return _minus(f"{e.mean:+.0f} s [{e.lo:+.0f}, {e.hi:+.0f}]")


def toks(e: Estimate) -> str:
    return _minus(f"{e.mean:+,.0f} [{e.lo:+,.0f}, {e.hi:+,.0f}]")


def usd(e: Estimate) -> str:
    def one(x: float) -> str:
        return f"{'+' if x >= 0 else '-'}${abs(x):.4f}"

    return _minus(f"{one(e.mean)} [{one(e.lo)}, {one(e.hi)}]")


FORMATS: dict[str, Callable[[Estimate], str]] = {
    "accuracy": pts,
    "latency": secs,
    "tokens": toks,
    "coordination": toks,
    "cost": usd,
    "steps": lambda e: _minus(f"{e.mean:+.1f} [{e.lo:+.1f}, {e.hi:+.1f}]"),
}


def diff(a: Run, b: Run, metric: str = "accuracy", family: str | None = None) -> str:
    return FORMATS[metric](paired(a, b, metric, family))


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


def table(*head: str) -> None:
    print()
    row(*head)
    row(*["---"] * len(head))


def ranking(
    runs: dict[str, Run], metric: str = "accuracy", family: str | None = None, high: bool = True
) -> str:
    """Best first; neighbours joined by ">" when their paired difference excludes 0, by
    "~" when the data cannot tell them apart."""
    names = sorted(runs, key=lambda n: -runs[n].mean(metric, family) * (1 if high else -1))
    out = names[0]
    for a, b in zip(names, names[1:], strict=False):
        e = paired(runs[a], runs[b], metric, family)
        out += (" > " if e.excludes_zero else " ~ ") + b
    return out


def heading(text: str) -> None:
    print(f"\n### {text}")


# --- the findings -----------------------------------------------------------------------


def defaults() -> dict[str, Run]:
    return {a: base(a) for a in ALL}


STEP_BUDGETS = (4, 6, 8, 12, 30)
"""kimi-researcher's max_steps (30 is its default)."""
CALL_CAPS = (8, 16, 32, None)
"""Episode caps on model calls (--budget-steps); None: no cap."""
TOKEN_CAPS = (6000, 12000, 24000, 48000, None)
SAME_MODEL_CAPS = (24000, 48000, None)
HOPS = (2, 3, 4)
SKILLS = (0.6, 0.9)


def kimi_steps(n: int) -> Run:
    default = BUILTINS["kimi-researcher"].params["max_steps"].default
    return base("kimi-researcher", params=None if n == default else {"max_steps": str(n)})


def capped(
    arch: str,
    calls: int | None = None,
    tokens: int | None = None,
    models: dict[str, str] | None = None,
) -> Run:
    return base(arch, models=models, max_calls=calls, max_tokens=tokens)


def step_budget_runs() -> dict[int, Run]:
    return {n: kimi_steps(n) for n in STEP_BUDGETS}


def call_cap_runs() -> dict[int | None, dict[str, Run]]:
    return {c: {a: capped(a, calls=c) for a in ALL} for c in CALL_CAPS}


def token_cap_runs(same_model: bool = False) -> dict[int | None, dict[str, Run]]:
    caps, models = (SAME_MODEL_CAPS, SONNET) if same_model else (TOKEN_CAPS, None)
    return {c: {a: capped(a, tokens=c, models=models) for a in ALL} for c in caps}


def hops_runs() -> dict[int, dict[str, Run]]:
    return {h: {a: base(a, families=("multi_hop",), hops=h) for a in ALL} for h in HOPS}


def skill_runs() -> dict[float, dict[str, Run]]:
    return {s: {a: base(a, models=with_skill(a, s)) for a in ALL} for s in SKILLS}


def most(runs: Iterable[Run], metric: str) -> float:
    """The largest value of `metric` any episode of `runs` reached."""
    return max(METRICS[metric](e) for r in runs for e in r.eps)


def finding_a() -> None:
    heading("(a) the single agent's step budget (kimi-researcher, max_steps)")
    table("max_steps", "accuracy [95% CI]", "vs the previous budget", "mean steps", "mean cost")
    prev: Run | None = None
    for n, r in step_budget_runs().items():
        step = "" if prev is None else pts(paired(r, prev))
        row(n, pct(r.estimate()), step, f"{r.mean('steps'):.1f}", f"${r.mean('cost'):.4f}")
        prev = r
    heading("(a) every design under one cap on model calls per episode (--budget-steps)")
    caps = call_cap_runs()
    names = [str(c or "no cap") for c in caps]
    table(
        "architecture",
        *names,
        *[f"{x} → {y}" for x, y in zip(names, names[1:], strict=False)],
    )
    for a in ALL:
        rs = [by[a] for by in caps.values()]
        steps = [pts(paired(y, x)) for x, y in zip(rs, rs[1:], strict=False)]
        row(a, *[f"{r.mean():.0%}" for r in rs], *steps)
    print()
    for c, runs in caps.items():
        print(f"- ranking at {c or 'no cap on'} calls: {ranking(runs)}")
    uncapped = caps[None].values()
    print(f"- most model calls in an uncapped episode: {most(uncapped, 'steps'):.0f}")


def finding_b() -> None:
    heading("(b) fan-out on breadth questions (default bindings), minus kimi-researcher")
    d = defaults()
    k = d["kimi-researcher"]
    table(
        "architecture",
        "breadth accuracy",
        "breadth latency",
        "breadth tokens",
        "all-task tokens",
        "coordination tokens (mean)",
    )
    row(
        "kimi-researcher (absolute)",
        pct(k.estimate("accuracy", "breadth")),
        f"{k.mean('latency', 'breadth'):.0f} s",
        f"{k.mean('tokens', 'breadth'):,.0f}",
        f"{k.mean('tokens'):,.0f}",
        f"{k.mean('coordination'):,.0f}",
    )
    for a in ALL[1:]:
        r = d[a]
        row(
            f"{a} − kimi",
            diff(r, k, "accuracy", "breadth"),
            diff(r, k, "latency", "breadth"),
            diff(r, k, "tokens", "breadth"),
            diff(r, k, "tokens"),
            f"{r.mean('coordination'):,.0f}",
        )
    heading("(b) one model everywhere (mock/kimi-k2): where the token premium comes from")
    kk = base("kimi-researcher", models=K2)
    wk = base("manus-workflow", models=K2)
    w0 = base("manus-workflow", models=K2, params={"min_reads": "0"})
    table("comparison", "breadth accuracy", "breadth latency", "breadth tokens", "all-task tokens")
    for label, lhs, rhs in [
        ("workflow − kimi (all kimi-k2)", wk, kk),
        ("workflow min_reads=0 − workflow (all kimi-k2)", w0, wk),
        ("workflow min_reads=0 − kimi (all kimi-k2)", w0, kk),
    ]:
        row(
            label,
            diff(lhs, rhs, "accuracy", "breadth"),
            diff(lhs, rhs, "latency", "breadth"),
            diff(lhs, rhs, "tokens", "breadth"),
            diff(lhs, rhs, "tokens"),
        )
    heading(
        "(b) why the workflow now loses on breadth: its planner's and writer's skill (all kimi-k2)"
    )
    breadth = ("breadth",)
    table("workflow (all kimi-k2, breadth) with", "− workflow", "− kimi")
    for label, roles in [
        ("a skill-1 planner", ("planner",)),
        ("a skill-1 writer", ("writer",)),
        ("a skill-1 planner and writer", ("planner", "writer")),
    ]:
        models = {**K2, **dict.fromkeys(roles, "mock/kimi-k2?skill=1")}
        r = base("manus-workflow", models=models, families=breadth)
        row(label, diff(r, wk, "accuracy", "breadth"), diff(r, kk, "accuracy", "breadth"))
    means = [f"{n} {r.mean('tokens'):,.0f}" for n, r in [("kimi", kk), ("workflow", wk)]]
    print(f"\nmean tokens, all tasks: {', '.join(means)}, min_reads=0 {w0.mean('tokens'):,.0f}")


def finding_c() -> None:
    heading("(c) accuracy by family, one model (mock/claude-sonnet-4) in every role")
    same = {a: base(a, models=SONNET) for a in ALL}
    free = base("manus-workflow", models=SONNET, params={"worker_replans": "true"})
    table("architecture", *FAMILIES)
    for a in ALL:
        row(a, *[pct(same[a].estimate("accuracy", f)) for f in FAMILIES])
    row(
        "manus-workflow, worker_replans=true",
        *[pct(free.estimate("accuracy", f)) for f in FAMILIES],
    )
    w, k, o = same["manus-workflow"], same["kimi-researcher"], same["orchestrator-workers"]
    table("paired difference (Sonnet everywhere)", *FAMILIES)
    for label, lhs, rhs in [
        ("workflow − kimi", w, k),
        ("workflow − orchestrator", w, o),
        ("workflow with re-planning − workflow", free, w),
        ("workflow with re-planning − kimi", free, k),
    ]:
        row(label, *[diff(lhs, rhs, "accuracy", f) for f in FAMILIES])
    heading("(c) why re-planning workers do not close the whole gap (Sonnet everywhere)")
    sharp = {
        **SONNET,
        "planner": "mock/claude-sonnet-4?skill=1",
        "writer": "mock/claude-sonnet-4?skill=1",
    }
    both = base(
        "manus-workflow",
        models=sharp,
        params={"worker_replans": "true"},
        families=("multi_hop", "dead_end"),
    )
    table("re-planning workflow with a skill-1 planner and writer", "multi_hop", "dead_end")
    row(
        "− re-planning workflow",
        *[diff(both, free, "accuracy", f) for f in ("multi_hop", "dead_end")],
    )
    row("− kimi", *[diff(both, k, "accuracy", f) for f in ("multi_hop", "dead_end")])
    heading("(c) per family, default bindings: ranking (> : the paired difference excludes 0)")
    d = defaults()
    table("family", "ranking", "accuracy of each")
    for f in FAMILIES:
        row(
            f,
            ranking(d, family=f),
            ", ".join(f"{SHORT[a]} {d[a].mean('accuracy', f):.0%}" for a in ALL),
        )
    heading("(c) multi-hop chain length (hops=2,3,4; default bindings; multi_hop tasks)")
    table("hops", *ALL, "workflow − kimi", "orchestrator − kimi")
    for h, rs in hops_runs().items():
        row(
            h,
            *[pct(rs[a].estimate()) for a in ALL],
            diff(rs["manus-workflow"], rs["kimi-researcher"]),
            diff(rs["orchestrator-workers"], rs["kimi-researcher"]),
        )


def finding_d() -> None:
    heading("(d) the hybrid's cost")
    d = defaults()
    h, k = d["minimax-hybrid"], d["kimi-researcher"]
    ext = base("minimax-hybrid", models={"in_house": "mock/claude-sonnet-4"})
    table("comparison", "cost", "accuracy", "latency")
    for label, lhs, rhs in [
        ("hybrid − hybrid with in_house = claude-sonnet-4", h, ext),
        ("hybrid − kimi-researcher", h, k),
    ]:
        row(label, diff(lhs, rhs, "cost"), diff(lhs, rhs), diff(lhs, rhs, "latency"))
    table("setting", "mean cost", "cost by model", "cost by role")
    for label, r in [
        ("minimax-hybrid", h),
        ("hybrid, in_house = claude-sonnet-4", ext),
        ("kimi-researcher", k),
    ]:
        s = r.summary
        row(
            label,
            f"${r.mean('cost'):.4f}",
            ", ".join(f"{m}: ${c or 0:.4f}" for m, c in s.cost_by_model.items()),
            ", ".join(f"{m}: ${c or 0:.4f}" for m, c in s.cost_by_role.items()),
        )


def finding_e() -> None:
    heading("(e) matched token budget (--budget-tokens), default bindings")
    table("tokens per episode", *ALL, *[f"{SHORT[a]} − kimi" for a in ALL[1:]])
    points: list[tuple[float, float]] = []
    for c, rs in token_cap_runs().items():
        k = rs["kimi-researcher"]
        points += [(r.mean("tokens"), r.mean()) for r in rs.values()]
        row(
            f"{c:,}" if c else "no cap",
            *[f"{rs[a].mean():.0%}" for a in ALL],
            *[diff(rs[a], k) for a in ALL[1:]],
        )
    uncapped = token_cap_runs()[None].values()
    print(f"\nmost tokens in an uncapped episode: {most(uncapped, 'tokens'):,.0f}")
    xs, ys = zip(*points, strict=True)
    print(
        f"R^2 of accuracy on mean tokens spent across the {len(points)} (design, cap) points: "
        f"{r_squared(xs, ys)}"
    )
    heading("(e) matched token budget, Sonnet 4 in every role")
    table("tokens per episode", *ALL, *[f"{SHORT[a]} − kimi" for a in ALL[1:]])
    for c, rs in token_cap_runs(same_model=True).items():
        k = rs["kimi-researcher"]
        row(
            f"{c:,}" if c else "no cap",
            *[f"{rs[a].mean():.0%}" for a in ALL],
            *[diff(rs[a], k) for a in ALL[1:]],
        )


def finding_f() -> None:
    heading("(f) accuracy against cost (default bindings)")
    d = defaults()
    table("architecture", "accuracy", "mean cost")
    for a in ALL:
        row(a, pct(d[a].estimate()), f"${d[a].mean('cost'):.4f}")
    print(f"\naccuracy ranking: {ranking(d)}")
    print(f"cost ranking (cheapest first): {ranking(d, 'cost', high=False)}")
    front, best = [], -1.0
    for a in sorted(ALL, key=lambda a: (d[a].mean("cost"), -d[a].mean())):
        if d[a].mean() > best:
            front.append(a)
            best = d[a].mean()
    print(f"Pareto front (by means): {', '.join(front)}")
    k = d["kimi-researcher"]
    table("paired difference", "accuracy", "cost")
    for a in ALL[1:]:
        row(f"{a} − kimi", diff(d[a], k), diff(d[a], k, "cost"))
    heading("(f) the ranking under uniform skill (every role's model at skill s)")
    table("skill", "ranking", *[f"{SHORT[a]}" for a in ALL])
    by = skill_runs()
    for s in SKILLS:
        row(s, ranking(by[s]), *[f"{by[s][a].mean():.0%}" for a in ALL])
    hi, lo = SKILLS[-1], SKILLS[0]
    table("architecture", f"skill {hi} − skill {lo}")
    for a in ALL:
        row(a, diff(by[hi][a], by[lo][a]))
    heading(f"(f) why the orchestrator: which role's skill (from skill {hi} everywhere)")
    o = by[hi]["orchestrator-workers"]
    table("orchestrator-workers with", f"− skill {hi} everywhere")
    for role in ("lead", "worker"):
        models = {
            **with_skill("orchestrator-workers", hi),
            role: with_skill("orchestrator-workers", lo)[role],
        }
        r = base("orchestrator-workers", models=models)
        row(f"the {role} at skill {lo}", diff(r, o))


def rate(r: Run, mode: str, family: str | None = None) -> Run:
    """A view of `r` whose accuracy is "the episode shows `mode`" (0/1)."""
    eps = [
        e._replace(correct=float(mode in r.tags.get((e.task, e.seed), ())))
        for e in r.eps
        if family is None or e.family == family
    ]
    return Run(setting(f"{r.setting.arch}|{mode}|{family}"), eps, r.summary)


def finding_g() -> None:
    heading("(g) MAST failure modes read from the traces (default bindings)")
    d = defaults()
    n = len(d["kimi-researcher"].eps)
    table("failed episodes showing the mode", *ALL)
    row(f"failed (of {n})", *[d[a].taxonomy["failed"] for a in ALL])
    for m in MODES:
        row(f"{m.label} ({m.mast})", *[d[a].taxonomy.get(m.code, 0) for a in ALL])
    row("other (no rule fired)", *[d[a].taxonomy.get(OTHER, 0) for a in ALL])
    table(
        "share of all episodes showing the mode",
        "workflow − kimi",
        "orchestrator − kimi",
        "hybrid − kimi",
    )
    for m in MODES:
        rs = {a: rate(d[a], m.code) for a in ALL}
        k = rs["kimi-researcher"]
        row(
            m.label,
            *[diff(rs[a], k) for a in ("manus-workflow", "orchestrator-workers", "minimax-hybrid")],
        )
    w = d["manus-workflow"]
    table("manus-workflow failures by family", "failed", *[m.code for m in MODES])
    for f in FAMILIES:
        keys = {(e.task, e.seed) for e in w.eps if e.family == f}
        failed = [t for key, t in w.tags.items() if key in keys]
        row(f, len(failed), *[sum(m.code in t for t in failed) for m in MODES])


def previous_sample() -> None:
    heading("the previous page's sample (world 0, seeds 0-2) under this simulation")
    d = defaults()
    table("architecture", "world 0, seeds 0-2", "5 worlds x 10 seeds")
    for a in ALL:
        r = d[a]
        old = [e.correct for e in r.eps if e.task.startswith("w0-") and e.seed < 3]
        row(a, f"{sum(old) / len(old):.1%}", pct(r.estimate()))


def published() -> None:
    heading("beside the published numbers")
    d = defaults()
    k, w, o = d["kimi-researcher"], d["manus-workflow"], d["orchestrator-workers"]
    print(f"kimi-researcher mean steps: {k.mean('steps'):.1f}")
    for metric, family in (("tokens", None), ("tokens", "breadth"), ("latency", "breadth")):
        base_ = k.mean(metric, family)
        ratios = ", ".join(
            f"{n}/kimi {r.mean(metric, family) / base_:.2f}x"
            for n, r in [("workflow", w), ("orchestrator", o)]
        )
        print(f"{metric} ({family or 'all tasks'}): {ratios}")


FINDINGS = [
    finding_a,
    finding_b,
    finding_c,
    finding_d,
    finding_e,
    finding_f,
    finding_g,
    previous_sample,
    published,
]


def main() -> None:
    global SCALE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 worlds x 3 seeds: a smoke test")
    ap.add_argument("--only", help="run only these findings, e.g. 'ab'")
    ap.add_argument("--workers", type=int, help="worker processes per compare call")
    ap.add_argument(
        "--cache",
        type=Path,
        help="keep the runs in this file and reuse them while harness/, architectures/ "
        "and tasks/ are unchanged (scripts/make_figures.py reads the same file)",
    )
    args = ap.parse_args()
    if args.quick:
        SCALE = Scale(worlds=2, seeds=3)
    global WORKERS
    WORKERS = args.workers
    if args.cache:
        load_cache(args.cache)
    start = time.perf_counter()
    print(f"{SCALE.worlds} worlds x {SCALE.per_family * len(FAMILIES)} tasks x {SCALE.seeds} seeds")
    for f in FINDINGS:
        letter = f.__name__.removeprefix("finding_")
        if args.only and letter not in args.only:
            continue
        t = time.perf_counter()
        f()
        print(f"\n({f.__name__}: {time.perf_counter() - t:.0f} s)")
    took = time.perf_counter() - start
    if args.cache:
        save_cache(args.cache)
    total = sum(len(_RUNS[k].eps) for k in _USED)
    print(f"\n{total:,} episodes ({EPISODES:,} run now, the rest from the cache) in {took:.0f} s")


if __name__ == "__main__":
    main()
