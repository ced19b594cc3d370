"""Design warnings: architectures that validate but are silently wrong.

`compile_architecture` refuses designs that cannot run. Some designs run, and cost money,
while doing something other than what their author meant: a writer that never sees the
workers' reports, a fan-out with nothing to fan out, a router waiting for a verdict no
verifier gives, a loop that always runs to its visit budget, a vote among reports that hold
no answers. `lint` finds those from the compiled graph, before anything runs, so that
`archbench run`, `compare`, `sweep`, `graph` and `list --check` can say so in one line each
(docs/warnings.md lists every warning with its fix).

Warnings never stop a run: the design is valid, and may be meant (a baseline that ignores
its workers on purpose); an error would make such experiments impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from harness.graph import CompiledArchitecture
from harness.spec import EdgeSpec, NodeSpec


@dataclass(frozen=True)
class DesignWarning:
    """One silent trap in a design: the node at fault and one line that names it and says
    what to do. `code` names the kind of trap (the headings of docs/warnings.md), so tests
    and tools need not match on wording."""

    node: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        return self.message


_DEFAULT_PROMPT = {"question": "researcher", "subtask": "worker", "handoff": "writer"}
_ANSWERING = ("researcher", "writer")
_HANDOFF_SOURCES = ("fan_out", "aggregate", "planner")
Holds = Literal["never", "maybe", "always"]


def prompt_of(node: NodeSpec) -> str:
    """An agent's instructions as the runtime picks them: its `prompt`, or the one its
    `input` implies."""
    return node.prompt or _DEFAULT_PROMPT[node.input]


def lint(arch: CompiledArchitecture) -> list[DesignWarning]:
    """Every design warning for `arch`, in a stable order (by check, then by node as
    declared); an empty list for a design with no known trap."""
    design = _Design(arch)
    found: list[DesignWarning] = []
    for check in _CHECKS:
        for w in check(design):
            if w not in found:
                found.append(w)
    return found


class _Design:
    """The compiled graph read the ways the checks need: the flow graph alone (fan-out
    targets and step routers are side nodes, reached by `parallel`/`select` edges), what
    runs before a node, and each router's edges with their `when:` in the order written
    (read from the spec, which holds them however the graph stores its edges)."""

    def __init__(self, arch: CompiledArchitecture) -> None:
        self.arch = arch
        self.nodes: dict[str, NodeSpec] = dict(arch.nodes)
        self.order = {name: i for i, name in enumerate(self.nodes)}
        self.flow: Any = nx.DiGraph()
        self.flow.add_nodes_from(arch.graph.nodes)
        self.flow.add_edges_from(
            (u, v) for u, v, d in arch.graph.edges(data=True) if d.get("kind") == "flow"
        )
        self.fan_outs = {n.name: n.target for n in self.nodes.values() if n.kind == "fan_out"}

    def kind(self, name: str) -> str:
        node = self.nodes.get(name)
        return node.kind if node is not None else "end"

    def of_kind(self, kind: str) -> list[NodeSpec]:
        return [n for n in self.nodes.values() if n.kind == kind]

    def upstream(self, name: str) -> set[str]:
        """Every node that can run before `name` in an episode: its flow ancestors (on a
        loop, the whole loop), and the targets of the fan-outs among them. A fan-out's
        target runs after that fan-out and what precedes it."""
        starts = [f for f, t in self.fan_outs.items() if t == name] or [name]
        up: set[str] = set()
        for s in starts:
            up |= nx.ancestors(self.flow, s)
            if s != name:
                up.add(s)
        up |= {t for f, t in self.fan_outs.items() if f in up and t}
        return up

    def first(self, names: set[str]) -> str:
        return min(names, key=lambda n: self.order.get(n, len(self.order)))

    def router_edges(self, name: str) -> list[EdgeSpec]:
        return [e for e in self.arch.spec.edges if e.source == name]

    def has_verifier(self, names: set[str]) -> bool:
        return any(self.kind(n) == "agent" and prompt_of(self.nodes[n]) == "verify" for n in names)

    def has_reports(self, names: set[str]) -> bool:
        """A fan-out or a worker runs among `names`: something writes the reports that
        `any_failed` / `none_failed` read."""
        return any(
            self.kind(n) == "fan_out"
            or (self.kind(n) == "agent" and prompt_of(self.nodes[n]) == "worker")
            for n in names
        )

    def branch_agents(self) -> set[str]:
        """Agents on the branches of a split (a non-router with several flow edges): they
        write candidate answers or reports for the join, not the episode's answer."""
        out: set[str] = set()
        for s in self.flow:
            if self.kind(s) in ("router", "end") or self.flow.out_degree(s) < 2:
                continue
            for t in self.flow.successors(s):
                while self.kind(t) == "agent" and t not in out:
                    out.add(t)
                    nxt = list(self.flow.successors(t))
                    if len(nxt) != 1:
                        break
                    t = nxt[0]
        return out


def _blind_writers(d: _Design) -> Iterator[DesignWarning]:
    """An agent that answers from the question alone where it should read a hand-off."""
    branch = d.branch_agents()
    for n in d.of_kind("agent"):
        prompt = prompt_of(n)
        if n.input != "question" or prompt == "verify":
            continue
        if set(n.tools) == {"answer"}:
            yield DesignWarning(
                n.name,
                f"node '{n.name}' has only the answer tool and input: question, so it answers "
                "without reading any document or report: set input: handoff (or give it the "
                "search and open tools)",
                "blind-writer",
            )
            continue
        if prompt not in _ANSWERING or n.name in branch or n.name in d.fan_outs.values():
            continue
        before = {u for u in d.upstream(n.name) if d.kind(u) in _HANDOFF_SOURCES}
        if before:
            src = d.first(before)
            yield DesignWarning(
                n.name,
                f"node '{n.name}' answers from the question alone after {d.kind(src)} "
                f"'{src}': the reports handed off before it are invisible to it and its answer "
                "replaces theirs: set input: handoff",
                "blind-writer",
            )


def _verifiers(d: _Design) -> Iterator[DesignWarning]:
    """A verifier that cannot check: nothing answers before it, or it cannot open the
    documents an answer cites."""
    for n in d.of_kind("agent"):
        if prompt_of(n) != "verify":
            continue
        up = d.upstream(n.name)
        answers = any(
            (d.kind(u) == "agent" and prompt_of(d.nodes[u]) in _ANSWERING)
            or (d.kind(u) == "aggregate" and d.nodes[u].strategy != "concat")
            for u in up
        )
        if not answers:
            yield DesignWarning(
                n.name,
                f"verify agent '{n.name}' checks the current answer but nothing before it "
                "answers: put it after a researcher, a writer or an aggregate that votes, "
                "judges or merges",
                "verify-nothing",
            )
        if "open" not in n.tools:
            yield DesignWarning(
                n.name,
                f"verify agent '{n.name}' cannot open the documents an answer cites: add "
                "'open' to its tools",
                "verify-nothing",
            )


def _empty_fan_outs(d: _Design) -> Iterator[DesignWarning]:
    """A fan-out without copies runs one branch per planner sub-task: with no planner
    before it there are none, and it runs nothing."""
    for n in d.of_kind("fan_out"):
        if n.copies or any(d.kind(u) == "planner" for u in d.upstream(n.name)):
            continue
        yield DesignWarning(
            n.name,
            f"fan_out '{n.name}' has no copies and no planner before it, so it has no "
            f"sub-tasks and runs nothing: set copies: N (with '{n.target}' taking input: "
            "question) or put a planner before it",
            "empty-fan-out",
        )


def _holds(d: _Design, edge: EdgeSpec, up: set[str]) -> Holds:
    """Whether a `when:` edge can be taken before its router's visit budget is spent:
    never (what the condition reads comes from no node before the router), maybe, or
    always (whenever the router reaches it, so no later edge is ever taken)."""
    when = edge.when
    if when in ("accepted", "rejected"):
        return "maybe" if d.has_verifier(up) else "never"
    if when in ("any_failed", "none_failed"):
        return "maybe" if d.has_reports(up) else "never"
    if when in ("budget_left", "otherwise"):
        return "always"
    return "maybe"


def _dead_conditions(d: _Design) -> Iterator[DesignWarning]:
    """A router condition that reads something no node before the router produces."""
    for r in d.of_kind("router"):
        up = d.upstream(r.name)
        if r.rule == "any_failed" and not d.has_reports(up):
            yield DesignWarning(
                r.name,
                f"router '{r.name}' has rule any_failed but no fan-out or worker runs before "
                "it, so no report can fail and it never takes 'replan': put it after a "
                "fan_out, or route another way",
                "dead-condition",
            )
        said: set[str] = set()
        for e in d.router_edges(r.name):
            when = e.when
            if when is None or when in said:
                continue
            fix = None
            if when in ("accepted", "rejected") and not d.has_verifier(up):
                fix = "no agent with prompt: verify runs before it: add a verify agent"
            elif when in ("any_failed", "none_failed") and not d.has_reports(up):
                fix = "no fan-out or worker runs before it, so there are no reports: add a fan_out"
            elif when == "budget_left" and r.max_visits is None:
                fix = "the router has no max_visits, so the condition always holds: set max_visits"
            if fix is not None:
                said.add(when)
                yield DesignWarning(
                    r.name,
                    f"router '{r.name}': the edge to '{e.target}' with when: {when} can never "
                    f"work as meant: {fix}",
                    "dead-condition",
                )


Exit = Literal["leaves", "stays", "counts"]


def _exit(d: _Design, name: str, loop: set[str]) -> Exit:
    """Whether router `name` can leave `loop` before its visit budget is spent (as
    harness/routing.py decides): "counts" when a `budget_left` edge keeps it on the loop
    on purpose (a fixed number of rounds)."""
    r, up, edges = d.nodes[name], d.upstream(name), d.router_edges(name)
    labels = [e.label if e.label is not None else e.when for e in edges]
    target = {lb: e.target for lb, e in zip(labels, edges, strict=True)}
    default = r.default or (labels[-1] if labels else None)
    out = {lb for lb, t in target.items() if t not in loop}
    if r.rule == "model":
        return "leaves" if out else "stays"
    if r.rule == "any_failed":  # 'replan' when a report failed, else the default
        can = {default, "replan"} if d.has_reports(up) else {default}
        return "leaves" if can & out else "stays"
    if r.rule is not None:
        return "leaves"  # not a flow router: nothing known
    for e, lb in zip(edges, labels, strict=True):
        if e.when == "choice":  # the model picks among every choice edge
            picks = {x for x, f in zip(labels, edges, strict=True) if f.when == "choice"}
            return "leaves" if picks & out else "stays"
        holds = _holds(d, e, up)
        if holds == "never":
            continue
        if lb in out:
            return "leaves"
        if holds == "always":
            return "counts" if e.when == "budget_left" else "stays"
    return "leaves" if default in out else "stays"  # no condition held: the default


def _endless_loops(d: _Design) -> Iterator[DesignWarning]:
    """A loop whose routers can leave it only once a visit budget is spent: every episode
    pays for the whole budget. A loop held by `budget_left` is left alone: running a fixed
    number of rounds is what that condition says."""
    for scc in nx.strongly_connected_components(d.flow):
        routers = sorted((n for n in scc if d.kind(n) == "router"), key=lambda n: d.order.get(n, 0))
        budgeted = [r for r in routers if isinstance(d.nodes[r].max_visits, int)]
        if not budgeted or (len(scc) < 2 and not d.flow.has_edge(budgeted[0], budgeted[0])):
            continue
        exits = {_exit(d, r, scc) for r in routers}
        if exits & {"leaves", "counts"}:
            continue
        head = budgeted[0]
        cycle = [u for u, _ in nx.find_cycle(d.flow.subgraph(scc), source=head)]
        first = min(range(len(cycle)), key=lambda i: d.order.get(cycle[i], len(d.order)))
        cycle = cycle[first:] + cycle[:first]  # named from its first declared node, as errors are
        path = " -> ".join([*cycle, cycle[0]])
        yield DesignWarning(
            head,
            f"router '{head}': the loop {path} can end only when max_visits "
            f"({d.nodes[head].max_visits}) is spent, as no edge out of it can be taken "
            "before: give an exit edge a condition that can hold, ahead of any otherwise",
            "endless-loop",
        )


def _branches(d: _Design, agg: str) -> tuple[list[list[str]], int | None, bool]:
    """The agents of each branch that feeds `agg`, how many branches run (None when a
    planner decides), and whether every input is a branch (a fan-out or an agent)."""
    lanes: list[list[str]] = []
    count: int | None = 0
    pure = True
    for p in d.flow.predecessors(agg):
        n: int | None = 1
        if d.kind(p) == "fan_out":
            f = d.nodes[p]
            lanes.append([f.target] if f.target else [])
            copies = f.copies if isinstance(f.copies, int) and f.copies else None
            n = copies or (1 if f.width == 1 else None)
        elif d.kind(p) == "agent":
            lane, cur = [p], p
            while True:
                preds = list(d.flow.predecessors(cur))
                if len(preds) != 1 or d.kind(preds[0]) != "agent" or preds[0] in lane:
                    break
                if d.flow.out_degree(preds[0]) != 1:
                    break
                cur = preds[0]
                lane.append(cur)
            lanes.append(lane)
        else:
            pure = False
        count = None if count is None or n is None else count + n
    return lanes, count, pure


def _aggregates(d: _Design) -> Iterator[DesignWarning]:
    """An aggregate whose strategy has nothing to work on: no candidate answer to vote on
    or judge, or nobody to debate with. (judge/merge without a role is a validation
    error, not a warning.)"""
    for a in d.of_kind("aggregate"):
        lanes, count, pure = _branches(d, a.name)
        answering = any(
            prompt_of(d.nodes[x]) in _ANSWERING for lane in lanes for x in lane if x in d.nodes
        )
        if a.strategy in ("vote", "judge") and lanes and pure and not answering:
            verb = "votes on" if a.strategy == "vote" else "judges"
            yield DesignWarning(
                a.name,
                f"aggregate '{a.name}' {verb} candidate answers but its branches only write "
                "reports: give the branch agents prompt: researcher, or use strategy merge "
                "or concat",
                "aggregate-nothing",
            )
        if isinstance(a.rounds, int) and a.rounds >= 1 and count == 1:
            yield DesignWarning(
                a.name,
                f"aggregate '{a.name}' debates for {a.rounds} round(s) but has a single "
                "branch, so nobody sees another answer: feed it several branches (copies >= 2) "
                "or set rounds: 0",
                "aggregate-nothing",
            )


_CHECKS: tuple[Callable[[_Design], Iterator[DesignWarning]], ...] = (
    _blind_writers,
    _verifiers,
    _empty_fan_outs,
    _dead_conditions,
    _endless_loops,
    _aggregates,
)
