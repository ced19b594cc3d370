"""What to draw, independent of how: the nodes and edges of one or more architectures with
their text, models and (optionally) a run's numbers.

Every renderer (Graphviz, matplotlib, Mermaid, terminal) draws a `Figure`, so they all
say the same things about a design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.drawing.constructs import (
    SplitView,
    aggregate_text,
    answers,
    copies_text,
    find_splits,
    is_verifier,
    route_text,
    router_text,
)
from harness.drawing.overlay import Metric, NodeUsage, Overlay
from harness.drawing.style import (
    EDGE_LABEL,
    END_FILL,
    IDLE_FILL,
    INK,
    KIND_ORDER,
    PLAIN_FILL,
    Swatch,
    fmt_cost,
    fmt_tokens,
    heat_colour,
    model_colours,
    plural,
)
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture
from harness.spec import NodeSpec


@dataclass(frozen=True)
class SceneNode:
    id: str
    kind: str
    """agent, verifier (an agent with prompt verify), planner, fan_out, aggregate, router
    or end."""
    role: str | None
    """The role line: "agent", or "in_house → external" for an escalation router."""
    models: tuple[str, ...]
    detail: str | None
    description: str
    loop: str | None
    """An agent loop's step budget ("≤ 30 steps"), drawn as a loop on the node."""
    stacked: bool
    """Run by a fan-out: several copies in parallel."""
    usage: NodeUsage | None

    def text_lines(self, with_loop: bool = False) -> list[str]:
        """The label as plain lines (renderers that cannot draw a loop pass with_loop)."""
        lines = [self.id]
        if self.role:
            lines.append(f"{'roles' if len(self.models) > 1 else 'role'}: {self.role}")
        if self.models:
            lines.append(" → ".join(self.models))
        loop = f"loop {self.loop}" if with_loop and self.loop else None
        detail = [d for d in (loop, self.detail) if d]
        if detail:
            lines.append(" · ".join(detail))
        lines.extend(usage_lines(self.usage))
        return lines


@dataclass(frozen=True)
class SceneEdge:
    source: str
    target: str
    kind: str
    """flow, parallel, branch (a split's edge to one of its parallel branches), select, or
    return (a fan-out's or a branch's results going on to its successor or join)."""
    label: str | None
    count: int | None
    """Overlay: how often the run took this edge."""

    def text(self) -> str | None:
        parts = [p for p in (self.label, None if self.count is None else f"×{self.count}") if p]
        return " ".join(parts) or None


@dataclass(frozen=True)
class Scene:
    name: str
    description: str
    entry: str
    nodes: tuple[SceneNode, ...]
    graph_edges: tuple[SceneEdge, ...]
    """One per edge of the compiled graph."""
    drawn_edges: tuple[SceneEdge, ...]
    """What box-and-arrow drawings show: a fan-out's flow edge leaves from the sub-agent
    it runs (its reports come back), instead of from the fan-out node itself."""
    overlay: Overlay | None

    def node(self, node_id: str) -> SceneNode:
        return next(n for n in self.nodes if n.id == node_id)


@dataclass(frozen=True)
class Figure:
    scenes: tuple[Scene, ...]
    colours: dict[str, Swatch]
    metric: Metric | None
    heat_top: float
    edge_top: int
    kinds: tuple[str, ...]
    edge_kinds: tuple[str, ...]

    @property
    def has_overlay(self) -> bool:
        return self.metric is not None

    def edge_text(self, kind: str) -> str:
        """What an edge style means in this figure's legend: fan-out copies and branches
        hand on answers, not only reports (a design without them reads as it always has)."""
        labels = [e.label or "" for s in self.scenes for e in s.drawn_edges if e.kind == kind]
        if kind == "return" and any(lb.startswith("answer") for lb in labels):
            both = any(lb.startswith("report") for lb in labels)
            return "answers, reports come back" if both else "answers come back"
        if kind == "parallel" and any(lb.startswith("×") for lb in labels):
            copies = all(lb.startswith("×") for lb in labels)
            return "runs in parallel (copies)" if copies else "runs in parallel (width, copies)"
        return EDGE_LABEL[kind]

    def heat(self, node: SceneNode) -> float:
        return 0.0 if node.usage is None or self.metric is None else node.usage.value(self.metric)

    def look(self, node: SceneNode) -> Look:
        """Fill, border and text colours of a node: by model, or by heat in an overlay
        (then the model shows as the border)."""
        swatches = [self.colours[m] for m in node.models]
        if self.has_overlay:
            if node.usage is None or (node.usage.visits == 0 and node.usage.steps == 0):
                return Look((IDLE_FILL,), "#aaaaaa", 1.0, "#888888", True)
            fill, text = heat_colour(self.heat(node), self.heat_top)
            if swatches:
                return Look((fill,), swatches[0].strong, 3.0, text, False)
            return Look((fill,), "#333333", 1.0, text, False)
        if swatches:
            return Look(tuple(s.fill for s in swatches), "#333333", 1.0, INK, False)
        return Look((END_FILL if node.kind == "end" else PLAIN_FILL,), "#333333", 1.0, INK, False)


@dataclass(frozen=True)
class Look:
    fills: tuple[str, ...]
    """One colour, or two (left and right half: a router choosing between two models)."""
    border: str
    border_width: float
    text: str
    dashed: bool


def usage_lines(u: NodeUsage | None) -> list[str]:
    if u is None:
        return []
    if u.visits == 0 and u.steps == 0:
        return ["not visited"]
    first = plural(u.visits, "visit")
    if u.steps:
        first += f" · {plural(u.steps, 'step')}"
        return [first, f"{fmt_tokens(u.tokens)} tok · {fmt_cost(u.cost_usd)}"]
    return [first]


def _node(
    c: CompiledArchitecture,
    name: str,
    stacked: set[str],
    usage: NodeUsage | None,
    splits: dict[str, SplitView],
) -> SceneNode:
    """A node's text; in an overlay an agent loop also shows its mean steps per visit."""
    if name not in c.nodes:
        return SceneNode(name, "end", None, (), None, "", None, False, usage)
    s = c.nodes[name]
    joined = sum(len(sp.starts) for sp in splits.values() if sp.join == name)
    role = s.role
    models: tuple[str, ...] = (c.roles[s.role],) if s.role else ()
    loop = None
    if s.kind == "router" and s.rule == "escalate_when_stuck":
        role, models = " → ".join(s.roles), tuple(c.roles[r] for r in s.roles)
    if s.kind == "agent" and isinstance(s.max_steps, int) and s.max_steps > 1:
        loop = f"≤ {s.max_steps} steps"
        if usage is not None and usage.visits:
            loop += f" (mean {usage.steps / usage.visits:.1f})"
    detail = _detail(s, joined, c.graph)
    if name in splits:
        split = f"splits into {len(splits[name].starts)} parallel branches"
        if s.kind == "aggregate" and not _collects(c, name, s, joined):
            detail = None  # a dispatching aggregate: nothing comes back to it
        detail = f"{detail} · {split}" if detail else split
    kind = "verifier" if is_verifier(s) else s.kind
    return SceneNode(name, kind, role, models, detail, s.description, loop, name in stacked, usage)


def _collects(c: CompiledArchitecture, name: str, s: NodeSpec, joined: int) -> bool:
    """Does an aggregate combine anything: a split's branches, a fan-out's results, or a
    debate or a strategy of its own (a plain one that only starts a split does not)?"""
    if joined or s.strategy != "concat" or s.rounds:
        return True
    preds = c.graph.pred[name]
    return any(p in c.nodes and c.nodes[p].kind == "fan_out" for p in preds)


def _detail(s: NodeSpec, joined: int, g: object) -> str | None:
    if s.kind == "agent":
        bits = ["verifier: accept or reject"] if is_verifier(s) else []
        if s.max_steps == 1:
            bits.append("1 step")
        if s.context.policy == "auto":
            bits.append("compacts when it decides")
        elif s.context.policy != "keep":
            t = s.context.threshold_tokens
            past = fmt_tokens(t) if isinstance(t, int) else str(t)
            bits.append(f"{'summarises' if s.context.policy == 'summarise' else 'drops'} > {past}")
        return " · ".join(bits) or None
    if s.kind == "planner":
        return "sizes & re-plans" if s.mode == "dynamic" else "fixed template"
    if s.kind == "fan_out":
        if s.copies is not None:
            return copies_text(s.copies)
        return f"≤ {s.width} in parallel" if isinstance(s.width, int) else "one per sub-task"
    if s.kind == "aggregate":
        return aggregate_text(s, joined)
    if s.rule is None:
        return router_text(s, g)
    if s.rule == "escalate_when_stuck":
        return "escalates when stuck"
    budget = f" · ≤ {plural(s.max_visits, 'visit')}" if isinstance(s.max_visits, int) else ""
    rule = "asks its model" if s.rule == "model" else "replan if any failed"
    return rule + budget


def build_scene(c: CompiledArchitecture, overlay: Overlay | None = None) -> Scene:
    if overlay is not None and overlay.name != c.name:
        raise ConfigError(f"overlay of '{overlay.name}' cannot be drawn on '{c.name}'")
    g = c.graph
    stacked = {s.target for s in c.nodes.values() if s.kind == "fan_out" and s.target}
    splits = find_splits(c.nodes, g)
    order = list(_ordered(c))
    nodes = tuple(
        _node(c, n, stacked, None if overlay is None else overlay.nodes.get(n), splits)
        for n in order
    )
    graph_edges: list[SceneEdge] = []
    drawn: list[SceneEdge] = []
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (order.index(e[0]), e[1])):
        kind = str(data["kind"])
        count = None if overlay is None else overlay.edges.get((u, v), 0)
        label = data.get("label")
        spec = c.nodes.get(u)
        if kind == "parallel":
            w = data.get("width")
            label = f"parallel ≤ {w}" if isinstance(w, int) else "parallel"
            if spec is not None and spec.copies is not None:
                label = copies_text(spec.copies)
        elif kind == "select":
            label = "picks model" if overlay is None else "picks model · escalated"
        elif kind == "flow" and spec is not None and spec.kind == "router":
            label = route_text(label, data.get("when"))
        elif kind == "flow" and u in splits:
            kind = "branch"
        elif kind == "flow" and any(v == sp.join and u in sp.ends for sp in splits.values()):
            kind, label = "return", label or _handed_on(c.nodes.get(u))
        edge = SceneEdge(u, v, kind, label, count)
        graph_edges.append(edge)
        if kind == "flow" and spec is not None and spec.kind == "fan_out" and spec.target:
            runs = None if overlay is None else overlay.edges.get((u, spec.target), 0)
            handed = _handed_on(c.nodes.get(spec.target))
            drawn.append(SceneEdge(spec.target, v, "return", f"{handed}s", runs))
        else:
            drawn.append(edge)
    return Scene(
        name=c.name,
        description=c.spec.description,
        entry=c.spec.entry,
        nodes=nodes,
        graph_edges=tuple(graph_edges),
        drawn_edges=tuple(drawn),
        overlay=overlay,
    )


def _handed_on(s: NodeSpec | None) -> str:
    """What an agent's result is to the node after it: an answer (a candidate an
    aggregate votes on, judges or merges) or a report."""
    return "answer" if answers(s) else "report"


def _ordered(c: CompiledArchitecture) -> list[str]:
    """Nodes in the order of the spec, then 'end' (so every output is deterministic)."""
    return [*[n.name for n in c.spec.nodes], *[n for n in c.graph.nodes if n not in c.nodes]]


def build_figure(
    archs: Sequence[CompiledArchitecture],
    overlays: Sequence[Overlay | None] | None = None,
    metric: Metric | None = None,
) -> Figure:
    """One or more architectures drawn together, with one palette and one heat scale."""
    if not archs:
        raise ConfigError("nothing to draw: give at least one architecture")
    ovs = list(overlays) if overlays is not None else [None] * len(archs)
    if len(ovs) != len(archs):
        raise ConfigError("give one overlay (or None) per architecture")
    scenes = tuple(build_scene(a, o) for a, o in zip(archs, ovs, strict=True))
    present = [o for o in ovs if o is not None]
    if present and metric is None:
        metric = "tokens" if any(o.default_metric() == "tokens" for o in present) else "cost"
    if not present:
        metric = None
    models = [m for s in scenes for n in s.nodes for m in n.models]
    kinds = {n.kind for s in scenes for n in s.nodes}
    edge_kinds = {e.kind for s in scenes for e in s.drawn_edges}
    if any(n.loop for s in scenes for n in s.nodes):
        edge_kinds.add("loop")
    heat_top = max((o.top(metric) for o in present), default=0.0) if metric else 0.0
    edge_top = max(
        (e.count or 0 for s in scenes for e in s.drawn_edges if e.count is not None), default=0
    )
    return Figure(
        scenes=scenes,
        colours=model_colours(models),
        metric=metric,
        heat_top=heat_top,
        edge_top=edge_top,
        kinds=tuple(k for k in KIND_ORDER if k in kinds),
        edge_kinds=tuple(
            k for k in ("flow", "parallel", "branch", "return", "select", "loop") if k in edge_kinds
        ),
    )
