"""Validate an `ArchitectureSpec` and compile it to a `networkx.DiGraph`.

Validation runs before any episode: every error names the architecture and the node, edge,
role or parameter at fault, and says what to do.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx

from harness.errors import UserError, ValidationError
from harness.flow_checks import Split, find_splits, router_edges
from harness.redact import redact
from harness.registry import check_model_id
from harness.spec import END, ArchitectureSpec, NodeSpec, ParamValue
from harness.tools import SCHEMAS

_REF_FIELDS = (
    "max_steps",
    "width",
    "copies",
    "rounds",
    "max_visits",
    "min_reads",
    "replan",
    "brief_strength",
)
_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class CompiledArchitecture:
    """A validated architecture with parameters resolved and roles bound to model ids."""

    spec: ArchitectureSpec
    params: MappingProxyType[str, ParamValue]
    roles: MappingProxyType[str, str]
    nodes: MappingProxyType[str, NodeSpec]
    graph: Any = field(repr=False)  # nx.DiGraph
    splits: MappingProxyType[str, Split] = field(default_factory=lambda: MappingProxyType({}))
    """Nodes whose outgoing edges run concurrently, with their branches and join."""

    @property
    def name(self) -> str:
        return self.spec.name

    def successors(self, node: str) -> list[tuple[str, str | None]]:
        return [
            (t, d.get("label")) for t, d in self.graph.succ[node].items() if d.get("kind") == "flow"
        ]

    def routes(self, node: str) -> list[tuple[str, str, str | None]]:
        """A router's edges as (target, label, when), in the order they were written."""
        return [
            (t, d["label"], d.get("when"))
            for t, d in self.graph.succ[node].items()
            if d.get("kind") == "flow"
        ]


def coerce_param(arch: str, name: str, default: ParamValue, raw: str | ParamValue) -> ParamValue:
    if not isinstance(raw, str) or isinstance(default, str):
        value: ParamValue = raw
    else:
        try:
            if isinstance(default, bool):
                if raw.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(raw)
                value = raw.lower() in ("true", "1")
            elif isinstance(default, int):
                value = int(raw)
            else:
                value = float(raw)
        except ValueError:
            kind = type(default).__name__
            raise ValidationError(
                f"architecture '{arch}': parameter '{name}' must be {kind}, got '{raw}'"
            ) from None
    if isinstance(value, float) and not math.isfinite(value):  # NaN passed every check
        raise ValidationError(f"architecture '{arch}': parameter '{name}' must be finite")
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        raise ValidationError(f"architecture '{arch}': parameter '{name}' must not be negative")
    return value


def compile_architecture(
    spec: ArchitectureSpec,
    params: dict[str, str] | None = None,
    models: dict[str, str] | None = None,
) -> CompiledArchitecture:
    """Validate `spec`, apply `--set` parameter overrides and `--model` role bindings."""
    a = spec.name

    def fail(msg: str) -> ValidationError:
        return ValidationError(f"architecture '{a}': {msg}")

    values: dict[str, ParamValue] = {k: p.default for k, p in spec.params.items()}
    for k, raw in (params or {}).items():
        if k not in spec.params:
            known = ", ".join(sorted(spec.params)) or "none"
            raise fail(f"unknown parameter '{k}' (known: {known})")
        values[k] = coerce_param(a, k, spec.params[k].default, raw)

    roles = dict(spec.roles)
    for role, model in (models or {}).items():
        if role not in roles:
            close = difflib.get_close_matches(role, list(roles), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise fail(f"unknown role '{role}' ({hint}roles: {', '.join(sorted(roles))})")
        roles[role] = model
    for role, model in roles.items():
        try:
            check_model_id(model)
        except UserError as exc:
            reason = redact(str(exc))  # a provider's message may quote the id whole
            raise fail(f"role '{role}' is bound to a model that cannot be used: {reason}") from None

    def resolve(node: str, fld: str, ref: object) -> object:
        if not isinstance(ref, str):
            return ref
        m = _REF.match(ref)
        if not m:
            raise fail(f"node '{node}': {fld} must be a number or '${{param}}', got '{ref}'")
        if m.group(1) not in values:
            raise fail(f"node '{node}': {fld} refers to unknown parameter '{m.group(1)}'")
        return values[m.group(1)]

    nodes: dict[str, NodeSpec] = {}
    for n in spec.nodes:
        if n.name in nodes or n.name == END:
            raise fail(f"node name '{n.name}' is used twice or reserved")
        update = {f: resolve(n.name, f, getattr(n, f)) for f in _REF_FIELDS}
        ctx = n.context.model_copy(
            update={
                "threshold_tokens": resolve(n.name, "threshold_tokens", n.context.threshold_tokens)
            }
        )
        nodes[n.name] = n.model_copy(update={**update, "context": ctx})
    _check_nodes(nodes, roles, fail)
    graph = _build_graph(spec, nodes, roles, fail)
    splits = find_splits(graph, nodes, fail)
    return CompiledArchitecture(
        spec,
        MappingProxyType(values),
        MappingProxyType(roles),
        MappingProxyType(nodes),
        graph,
        MappingProxyType(splits),
    )


def _check_nodes(nodes: dict[str, NodeSpec], roles: dict[str, str], fail: Any) -> None:
    for n in nodes.values():
        where = f"node '{n.name}'"
        strength = n.brief_strength
        if isinstance(strength, bool) or not isinstance(strength, int | float):
            raise fail(f"{where}: brief_strength must be a number from 0 to 1, got {strength!r}")
        if not 0.0 <= strength <= 1.0:
            raise fail(f"{where}: brief_strength must be from 0 to 1, got {strength}")
        if n.role is not None and n.role not in roles:  # "" too: it names no role
            close = difflib.get_close_matches(n.role, list(roles), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise fail(
                f"{where} uses unknown role '{n.role}' ({hint}roles: {', '.join(sorted(roles))})"
            )
        _check_counts(n, where, fail)
        if n.kind == "agent":
            if n.role is None:
                raise fail(f"{where} is an agent loop without a role: set role")
            bad = [t for t in n.tools if t not in SCHEMAS]
            if bad:
                raise fail(f"{where} has unknown tool '{bad[0]}' (tools: {', '.join(SCHEMAS)})")
            if "answer" not in n.tools:
                raise fail(f"{where} cannot finish: its tools must include 'answer'")
            if n.max_steps is None:
                raise fail(f"{where} is a loop with no step budget: set max_steps >= 1")
            if not isinstance(n.max_steps, int) or n.max_steps < 1:
                raise fail(f"{where}: max_steps must be a whole number >= 1, got {n.max_steps!r}")
            if n.step_router is not None:
                router = nodes.get(n.step_router)
                if (
                    router is None
                    or router.kind != "router"
                    or router.rule != "escalate_when_stuck"
                ):
                    raise fail(
                        f"{where}: step_router must name a router with rule escalate_when_stuck"
                    )
        elif n.kind == "planner" and n.role is None:
            raise fail(f"{where} is a planner without a role: set role")
        elif n.kind == "fan_out":
            target = nodes.get(n.target or "")
            if target is None or target.kind != "agent":
                raise fail(f"{where}: target must name an agent node, got '{n.target}'")
            want = "question" if n.copies is not None else "subtask"
            if target.input != want and not (n.copies is not None and target.input == "handoff"):
                why = (
                    "copies answer the whole question"
                    if n.copies is not None
                    else "one per sub-task"
                )
                raise fail(f"{where}: target '{target.name}' must take input '{want}' ({why})")
            if isinstance(n.width, int) and n.width < 1:
                raise fail(f"{where}: width must be >= 1")
            if isinstance(n.copies, int) and n.copies < 1:
                raise fail(f"{where}: copies must be >= 1")
            if n.copies is not None and n.width is not None:
                raise fail(f"{where}: width limits sub-tasks; with copies, set the count there")
        elif n.kind == "aggregate":
            if n.strategy not in ("judge", "merge") and n.role is not None:
                raise fail(
                    f"{where}: strategy {n.strategy} uses no model; role is for judge and "
                    "merge (a debate's rounds use each branch's own model)"
                )
            if n.strategy in ("judge", "merge") and n.role is None:
                raise fail(
                    f"{where}: strategy {n.strategy} needs a role (the model that {n.strategy}s)"
                )
        elif n.kind == "router":
            if n.rule == "model" and n.role is None:
                raise fail(f"{where} routes by model but has no role")
            if n.rule == "escalate_when_stuck":
                if len(n.roles) != 2 or any(r not in roles for r in n.roles):
                    raise fail(f"{where}: roles must name two known roles [routine, escalation]")


def _check_counts(n: NodeSpec, where: str, fail: Any) -> None:
    """Whole-number settings, after `${param}` references are resolved: a parameter whose
    default is text or a fraction used to reach the runtime (an assertion there, or a
    setting silently ignored)."""
    counts = {
        "threshold_tokens": n.context.threshold_tokens,
        "min_reads": n.min_reads,
        "width": n.width,
        "copies": n.copies,
        "rounds": n.rounds,
        "max_visits": n.max_visits,
    }
    for fld, value in counts.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"{where}: {fld} must be a whole number >= 0, got {value!r}")
    if not isinstance(n.replan, bool):
        raise fail(f"{where}: replan must be true or false, got {n.replan!r}")


def _build_graph(
    spec: ArchitectureSpec, nodes: dict[str, NodeSpec], roles: dict[str, str], fail: Any
) -> Any:
    g = nx.DiGraph(name=spec.name)
    for n in nodes.values():
        g.add_node(n.name, kind=n.kind, role=n.role, model=roles.get(n.role or ""), spec=n)
    g.add_node(END, kind="end", role=None, model=None, spec=None)
    if spec.entry not in nodes:
        close = difflib.get_close_matches(spec.entry, list(nodes), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise fail(f"entry '{spec.entry}' is not a node ({hint}nodes: {', '.join(nodes)})")
    side = {n.target for n in nodes.values() if n.kind == "fan_out"}
    side |= {n.step_router for n in nodes.values() if n.step_router}
    for e in spec.edges:
        for end_ in (e.source, e.target):
            if end_ not in nodes and end_ != END:
                close = difflib.get_close_matches(end_, [*nodes, END], n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise fail(f"edge {e.source} -> {e.target} names unknown node '{end_}'{hint}")
        if e.source == END:
            raise fail(f"edge {e.source} -> {e.target}: nothing leaves '{END}'")
        if e.source in side or e.target in side:
            raise fail(
                f"edge {e.source} -> {e.target}: '{e.source if e.source in side else e.target}' "
                "is run by a fan-out or a step router and takes no flow edges"
            )
        if g.has_edge(e.source, e.target):
            raise fail(f"edge {e.source} -> {e.target} is written twice")
        label = e.label if e.label is not None else e.when
        if e.when is not None and nodes[e.source].kind != "router":  # END was refused above
            raise fail(f"edge {e.source} -> {e.target}: when: is for a router's edges")
        g.add_edge(e.source, e.target, kind="flow", label=label, when=e.when)
    for n in nodes.values():
        if n.name in side:
            continue
        out = [(t, g.edges[n.name, t]) for t in g.succ[n.name]]
        if n.kind == "router":
            router_edges(n, [(t, d.get("label"), d.get("when")) for t, d in out], fail)
        elif not out:
            raise fail(f"node '{n.name}' must have an outgoing edge, has none")
    for n in nodes.values():
        if n.kind == "fan_out":
            g.add_edge(n.name, n.target, kind="parallel", label=None, width=n.width)
        if n.step_router:
            g.add_edge(n.step_router, n.name, kind="select", label="picks model")
    flow = nx.DiGraph([(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "flow"])
    flow.add_node(spec.entry)
    if END not in flow or not nx.has_path(flow, spec.entry, END):
        raise fail(f"no path from entry '{spec.entry}' to '{END}': add an edge to '{END}'")
    unreachable = [n for n in flow if n != spec.entry and not nx.has_path(flow, spec.entry, n)]
    if unreachable:
        raise fail(f"node '{sorted(unreachable)[0]}' cannot be reached from entry '{spec.entry}'")
    _check_loops(flow, nodes, fail)
    return g


def _check_loops(flow: Any, nodes: dict[str, NodeSpec], fail: Any) -> None:
    """Every loop must pass a router with a visit budget. Checked in time linear in the
    graph: a loop with no budgeted router is a cycle of the graph without those routers,
    found through its strongly connected components (enumerating every cycle, as
    `simple_cycles` does, explodes on a small densely linked graph)."""
    budgeted = {n for n, s in nodes.items() if s.kind == "router" and isinstance(s.max_visits, int)}
    free = flow.subgraph([n for n in flow if n not in budgeted])
    order = {name: i for i, name in enumerate(nodes)}
    looping = [
        c for c in nx.strongly_connected_components(free)
        if len(c) > 1 or any(free.has_edge(n, n) for n in c)
    ]  # fmt: skip
    if not looping:
        return
    start = min((n for c in looping for n in c), key=lambda n: order.get(n, len(order)))
    edges = nx.find_cycle(free, source=start)
    cycle = [u for u, _ in edges]
    first = min(range(len(cycle)), key=lambda i: order.get(cycle[i], len(order)))
    cycle = cycle[first:] + cycle[:first]  # name it from its first declared node
    path = " -> ".join([*cycle, cycle[0]])
    raise fail(f"loop {path} has no step budget: give a router on it max_visits")
