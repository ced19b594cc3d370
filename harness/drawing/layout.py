"""A layered (top to bottom) layout for the drawings Graphviz does not lay out: the
terminal drawing and the matplotlib fallback.

Layers come from the graph itself (networkx): edges that go back up (a re-plan loop) are
found by a depth-first search from the entry and left out, the rest is a DAG whose
longest paths give each node its layer. A step router sits in its agent's layer, just to
its left. Positions are computed in whatever unit the caller measures boxes in (inches,
characters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from harness.drawing.scene import Scene


@dataclass(frozen=True)
class Layering:
    rows: tuple[tuple[str, ...], ...]
    """Node ids per layer, left to right."""
    layer: Mapping[str, int]
    back: frozenset[tuple[str, str]]
    """Drawn edges that point to an earlier (or the same) layer, loops aside."""
    parents: Mapping[str, tuple[str, ...]]
    """Forward (non-back) predecessors of each node."""
    side: Mapping[str, str]
    """Step router -> the agent it serves (drawn side by side)."""

    def span(self, source: str, target: str) -> int:
        return self.layer[target] - self.layer[source]


def layered(scene: Scene) -> Layering:
    """Layers and their left-to-right order for the scene's drawn edges."""
    ids = [n.id for n in scene.nodes]
    forward = [
        (e.source, e.target)
        for e in scene.drawn_edges
        if e.kind != "select" and e.source != e.target
    ]
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from(forward)
    back = _back_edges(g, [scene.entry, *ids])
    dag = nx.DiGraph()
    dag.add_nodes_from(ids)
    dag.add_edges_from(e for e in forward if e not in back)
    layer: dict[str, int] = {}
    for n in nx.lexicographical_topological_sort(dag, key=ids.index):
        layer[n] = max((layer[p] + 1 for p in dag.predecessors(n)), default=0)
    side = {e.source: e.target for e in scene.drawn_edges if e.kind == "select"}
    for router, agent in side.items():
        if not any(router in e for e in forward):
            layer[router] = layer[agent]
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for n in ids:
        rows[layer[n]].append(n)
    pos = {n: float(i) for row in rows for i, n in enumerate(row)}
    for row in rows[1:]:  # barycentre sweep: children under their parents
        bary = {n: sum(pos[p] for p in dag.predecessors(n)) / max(1, dag.in_degree(n)) for n in row}
        row.sort(key=lambda n: (bary[n], ids.index(n)))
        for i, n in enumerate(row):
            pos[n] = float(i)
    for router, agent in side.items():
        row = rows[layer[router]]
        if router in row and agent in row:
            row.remove(router)
            row.insert(row.index(agent), router)
    return Layering(
        rows=tuple(tuple(r) for r in rows if r),
        layer=layer,
        back=frozenset(back),
        parents={n: tuple(dag.predecessors(n)) for n in ids},
        side=side,
    )


def _back_edges(g: nx.DiGraph, starts: list[str]) -> set[tuple[str, str]]:
    """Edges into a node still on the depth-first stack (cycles), searching from the
    entry first, in the order the edges were given."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the stack, 2: finished
    for start in starts:
        if start in state or start not in g:
            continue
        state[start] = 1
        stack = [(start, iter(list(g.successors(start))))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(list(g.successors(nxt)))))
    return back


def place(
    layering: Layering,
    size: Mapping[str, tuple[float, float]],
    hgap: Mapping[str, float],
    vgap: float,
    min_gap: float,
) -> dict[str, tuple[float, float]]:
    """Centre of every node: layers from the top (y grows downwards), each node as near
    as it can be to the mean x of the nodes that lead to it; `hgap[n]` is the room kept
    right of n (at least `min_gap`)."""
    centre: dict[str, tuple[float, float]] = {}
    y = 0.0
    for row in layering.rows:
        height = max(size[n][1] for n in row)
        desired: dict[str, float] = {}
        for n in row:
            ups = [centre[p][0] for p in layering.parents.get(n, ()) if p in centre]
            desired[n] = sum(ups) / len(ups) if ups else 0.0
        for router, agent in layering.side.items():
            if router in desired and agent in desired:
                room = max(min_gap, hgap.get(router, 0.0))
                desired[router] = desired[agent] - (size[router][0] + size[agent][0]) / 2 - room
        xs: list[float] = []
        for i, n in enumerate(row):
            want = desired[n]
            if i:
                prev = row[i - 1]
                room = max(min_gap, hgap.get(prev, 0.0))
                want = max(want, xs[-1] + (size[prev][0] + size[n][0]) / 2 + room)
            xs.append(want)
        shift = sum(desired[n] - x for n, x in zip(row, xs, strict=True)) / len(row)
        for n, x in zip(row, xs, strict=True):
            centre[n] = (round(x + shift, 6), round(y + height / 2, 6))
        y += height + vgap
    return centre
