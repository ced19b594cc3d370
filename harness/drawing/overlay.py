"""What a run actually did on each node and edge of an architecture: the numbers a trace
overlay draws.

Steps, tool calls, tokens and cost per node are the run's recorded totals (`by_node` of
each episode in `results.jsonl`), summed over the selected episodes. Visits and edge
traversals are not recorded as such; they are read back from `traces.jsonl` by walking the
graph along the nodes that made model calls, through the nodes that make none (fan-outs,
aggregates, rule-based routers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from harness.drawing.constructs import SplitView, find_splits, flow_targets
from harness.drawing.run_files import (
    compile_as_run,
    read_config,
    run_architectures,
    run_spec,
)
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture
from harness.spec import END, ArchitectureSpec
from harness.trace import EpisodeResult, UsageTotals

Metric = Literal["cost", "tokens", "steps", "visits"]
METRICS: tuple[Metric, ...] = ("cost", "tokens", "steps", "visits")


@dataclass(frozen=True)
class NodeUsage:
    visits: int = 0
    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def value(self, metric: Metric) -> float:
        if metric == "cost":
            return self.cost_usd or 0.0
        if metric == "tokens":
            return float(self.tokens)
        return float(self.steps if metric == "steps" else self.visits)


@dataclass(frozen=True)
class Trail:
    """One episode's walk on the graph, not yet counted (`Footprint.trail`)."""

    visits: Counter[str]
    edges: Counter[tuple[str, str]]
    last: str
    """Where the walk stopped: a finished episode goes on from here to the end."""


@dataclass(frozen=True)
class Overlay:
    """A run's footprint on one architecture, summed over `episodes`."""

    compiled: CompiledArchitecture
    """The architecture as the run bound it (its roles and parameters)."""
    run_dir: Path
    episodes: tuple[str, ...]
    """`TASK_ID@SEED` of every episode summed here."""
    selection: str | None
    """The `--episode` asked for, or None for the whole run."""
    nodes: Mapping[str, NodeUsage]
    """Every graph node (zeros where the run never went)."""
    edges: Mapping[tuple[str, str], int]
    """Graph edge -> how often it was taken: flow edges per traversal, parallel edges per
    sub-agent run, select edges per step handed to the escalation model."""
    totals: NodeUsage
    """The episodes' recorded totals (visits: episodes)."""

    @property
    def name(self) -> str:
        return self.compiled.name

    def default_metric(self) -> Metric:
        """Cost when every step's price is known, else tokens."""
        return "tokens" if self.totals.cost_usd is None else "cost"

    def top(self, metric: Metric) -> float:
        return max((u.value(metric) for u in self.nodes.values()), default=0.0)

    def describe(self) -> str:
        n = len(self.episodes)
        if self.selection is None:
            return f"run {self.run_dir.name}: all {n} episode{'s' if n != 1 else ''}"
        if n == 1:
            return f"run {self.run_dir.name}: episode {self.episodes[0]}"
        return f"run {self.run_dir.name}: task {self.selection}, {n} seeds"


__all__ = [
    "METRICS",
    "Footprint",
    "Metric",
    "NodeUsage",
    "Overlay",
    "Trail",
    "footprint",
    "load_overlay",
    "parse_episode",
    "read_config",
    "run_architectures",
    "run_spec",
]
"""`read_config`, `run_architectures` and `run_spec` live in `run_files` and are named
here too, where the report and the CLI have always imported them from."""


def parse_episode(ref: str) -> tuple[str, int | None]:
    """`TASK_ID` or `TASK_ID@SEED`."""
    task, sep, seed = ref.rpartition("@")
    if sep and task and seed.lstrip("-").isdigit():
        return task, int(seed)
    return ref, None


def load_overlay(
    run_dir: str | Path,
    arch: str | ArchitectureSpec | CompiledArchitecture,
    episode: str | None = None,
) -> Overlay:
    """The footprint of `arch` in the run directory `run_dir` (written by `compare(...,
    out=DIR)` / `archbench compare --out DIR`), over the whole run or one `episode`
    (`TASK_ID`, every seed of that task, or `TASK_ID@SEED`).

    Both files are streamed through the fold the report reads runs with
    (`harness.report.overlays`), so no trace is held and both draw the same numbers."""
    from harness.report.overlays import read_overlay

    return read_overlay(Path(run_dir), arch, episode)


def footprint(
    run_dir: Path,
    config: Mapping[str, Any],
    arch: str | ArchitectureSpec | CompiledArchitecture,
) -> Footprint:
    """An empty footprint of `arch` compiled as the run in `run_dir` bound it (its
    config.json is `config`); a `ConfigError` if the run did not run it."""
    spec = arch.spec if isinstance(arch, CompiledArchitecture) else arch
    if isinstance(spec, str):
        spec = run_spec(run_dir, spec)
    ran = [str(a) for a in config.get("architectures", [])]
    if spec.name not in ran:
        raise ConfigError(
            f"run directory '{run_dir}' does not match architecture '{spec.name}': it ran "
            f"{', '.join(ran) or 'nothing'}"
        )
    return Footprint(compile_as_run(run_dir, spec, config), run_dir)


class Footprint:
    """The sums an overlay draws, folded one episode at a time as a run is read
    (`harness.report.overlays.RunOverlays` decides what is fed, for `load_overlay` and the
    report alike). Paths are cached per pair of nodes, so an episode costs a few
    dictionary look-ups."""

    def __init__(self, compiled: CompiledArchitecture, run_dir: Path) -> None:
        self.compiled = compiled
        self.dir = run_dir
        g = compiled.graph
        self._flow = nx.DiGraph([(u, v) for u, v, k in g.edges(data="kind") if k == "flow"])
        self._flow.add_nodes_from(g.nodes)
        self._stepped = [(s.step_router, s.name) for s in compiled.nodes.values() if s.step_router]
        self._splits = {
            name: _chains(g, sp)
            for name, sp in find_splits(compiled.nodes, g).items()
            if sp.join is not None
        }
        self._paths: dict[tuple[str, str], list[str] | None] = {}
        self.visits: Counter[str] = Counter()
        self.edges: Counter[tuple[str, str]] = Counter()
        self.sums: dict[str, UsageTotals] = {n: UsageTotals() for n in g.nodes}
        self.total = UsageTotals()
        self.episodes: list[str] = []

    def add_result(self, r: EpisodeResult) -> None:
        """Sum an episode's recorded usage (in the results' order: float sums depend on it)."""
        for node, u in r.by_node.items():
            if node not in self.sums:
                raise ConfigError(
                    f"run directory '{self.dir}' does not match architecture "
                    f"'{self.compiled.name}': its episodes ran node '{node}', which the "
                    "architecture does not have"
                )
            _add(self.sums[node], u)
        _add(self.total, r.totals)
        self.episodes.append(f"{r.task_id}@{r.seed}")

    def walk(self, steps: Any, finished: bool) -> None:
        """Replay one episode on the graph (`trail`, then `add_trail`)."""
        self.add_trail(self.trail(steps), finished)

    def trail(self, steps: Any) -> Trail:
        """What one episode's steps walk on the graph: the nodes that made model calls, in
        order, joined by the shortest flow paths between them. Nothing is counted yet, so
        a trace that cannot be walked (it raises) leaves the sums as they were, and a
        trace written twice can be taken back exactly (`add_trail(..., times=-1)`)."""
        compiled = self.compiled
        visits: Counter[str] = Counter()
        edges: Counter[tuple[str, str]] = Counter()
        events: list[tuple[str, str]] = []  # (node on the flow path, round key)
        runs: dict[tuple[str, str], set[str]] = {}
        for s in steps:
            key = self._key(s)
            if not events or (events[-1] != key and not (key[1] and key in runs)):
                events.append(key)
            if key[1]:
                runs.setdefault(key, set()).add(str(s.get("branch")))
            node = str(s.get("node"))
            for router, agent in self._stepped:
                if node == agent:  # the step router chose this step's model
                    visits[router] += 1
                    if s.get("role") == compiled.nodes[router].roles[-1]:
                        edges[(router, agent)] += 1
        current = compiled.spec.entry
        visits[current] += 1
        landed = True  # at a node the walk reached without a step of its own (yet)
        for key in events:
            target = key[0]
            # no move: the entry's or a join's first step, or the branches of the split
            # whose own steps came just before
            if not ((landed or key[1]) and target == current):
                current = self._move(current, target, visits, edges)
            landed = False
            if key in runs and target in self._splits:
                current = self._branches(target, runs[key], visits, edges)
                landed = True
            elif key in runs:
                spec = compiled.nodes[target]
                assert spec.target is not None
                visits[spec.target] += len(runs[key])
                edges[(target, spec.target)] += len(runs[key])
        return Trail(visits, edges, current)

    def _key(self, s: Any) -> tuple[str, str]:
        """Where a step sits on the walk: (its node, "") on the main line, or (the fan-out
        or split that started its branch, the round) for a step in a parallel branch (a
        debate's "revise" steps, which run on the aggregate, name their branch too)."""
        compiled, g = self.compiled, self.compiled.graph
        node, branch = str(s.get("node")), str(s.get("branch", "main"))
        if node not in g:
            raise ConfigError(
                f"run directory '{self.dir}' does not match architecture "
                f"'{compiled.name}': its trace has a step on node '{node}', which the "
                "architecture does not have"
            )
        head, sep, rest = branch.partition("#")
        spec = compiled.nodes.get(head)
        if branch == "main" or not sep or spec is None:
            return (node, "")
        if spec.kind == "fan_out" or head in self._splits:
            return (head, rest.partition("/")[0])
        return (node, "")

    def _branches(
        self,
        split: str,
        branches: set[str],
        visits: Counter[str],
        edges: Counter[tuple[str, str]],
    ) -> str:
        """Walk every branch of one round of a split to its join; returns the join."""
        chains, join = self._splits[split]
        for branch in sorted(branches):
            chain = chains.get(branch.partition("#")[2].partition("/")[2])
            if chain is None:
                continue  # a branch the design does not have: its steps count, no walk
            for u, v in zip([split, *chain], [*chain, join], strict=True):
                edges[(u, v)] += 1
            for n in chain:
                visits[n] += 1
        visits[join] += 1
        return join

    def add_trail(self, trail: Trail, finished: bool, times: int = 1) -> None:
        """Count a walked trail `times` times (negative: take it back); a finished episode
        also walks on to the end."""
        if not times:
            return
        for n, k in trail.visits.items():
            self.visits[n] += k * times
        for e, k in trail.edges.items():
            self.edges[e] += k * times
        if finished:
            self._move(trail.last, END, self.visits, self.edges, times)

    def _move(
        self,
        a: str,
        b: str,
        visits: Counter[str],
        edges: Counter[tuple[str, str]],
        times: int = 1,
    ) -> str:
        if (a, b) not in self._paths:
            self._paths[(a, b)] = _path(self._flow, a, b)
        path = self._paths[(a, b)]
        if path is None:
            visits[b] += times  # the trace jumps where the graph has no path: count the visit
            return b
        for u, v in zip(path, path[1:], strict=False):
            edges[(u, v)] += times
            visits[v] += times
        return b

    def overlay(self, selection: str | None = None) -> Overlay:
        g = self.compiled.graph
        return Overlay(
            compiled=self.compiled,
            run_dir=self.dir,
            episodes=tuple(self.episodes),
            selection=selection,
            nodes={n: _usage(self.sums[n], self.visits[n]) for n in g.nodes},
            edges={(u, v): self.edges[(u, v)] for u, v in g.edges},
            totals=_usage(self.total, len(self.episodes)),
        )


def _add(acc: UsageTotals, u: UsageTotals) -> None:
    acc.steps += u.steps
    acc.tool_calls += u.tool_calls
    acc.input_tokens += u.input_tokens
    acc.cached_input_tokens += u.cached_input_tokens
    acc.output_tokens += u.output_tokens
    acc.reasoning_tokens += u.reasoning_tokens
    if acc.cost_usd is not None:
        acc.cost_usd = None if u.cost_usd is None else acc.cost_usd + u.cost_usd


def _usage(u: UsageTotals, visits: int) -> NodeUsage:
    return NodeUsage(
        visits=visits,
        steps=u.steps,
        tool_calls=u.tool_calls,
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        cost_usd=None if u.cost_usd is None else round(u.cost_usd, 10),
    )


def _chains(g: Any, sp: SplitView) -> tuple[dict[str, tuple[str, ...]], str]:
    """A split's branches as the runtime names them (by their first node): the agents
    each runs in turn, and the join they all end at."""
    assert sp.join is not None
    chains: dict[str, tuple[str, ...]] = {}
    for start in sp.starts:
        chain, cur = [start], start
        while cur != sp.join and len(chain) <= len(g):
            nxt = flow_targets(g, cur)
            if len(nxt) != 1:
                break
            cur = nxt[0]
            if cur != sp.join:
                chain.append(cur)
        chains[start] = tuple(chain)
    return chains, sp.join


def _path(flow: Any, a: str, b: str) -> list[str] | None:
    try:
        if a != b:
            return list(nx.shortest_path(flow, a, b))
        cycles = [
            [a, *nx.shortest_path(flow, s, b)] for s in flow.succ[a] if nx.has_path(flow, s, b)
        ]
        return min(cycles, key=len) if cycles else None
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
