"""Architectures as Mermaid flowcharts, for Markdown pages that render them (GitHub does).

Exactly one Mermaid node per graph node and one Mermaid edge per graph edge: a fan-out's
edge to its sub-agent and a split's edges to its branches are thick `==>` arrows, a step
router's choice and a branch's result going to its join dotted `-.->`.
Agent loops are written in the node label (Mermaid cannot draw a loop on a node).
"""

from __future__ import annotations

import json
import re
import unicodedata

from harness.drawing.scene import Figure, Scene, SceneEdge, SceneNode, usage_lines
from harness.drawing.style import MERMAID_SHAPE, edge_width

_ARROWS = {"flow": "-->", "parallel": "==>", "branch": "==>", "select": "-.->", "return": "-.->"}
_ESCAPES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def _one_line(text: str) -> str:
    """Text for a line of its own: control characters (newlines above all) become spaces."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _ids(fig: Figure) -> dict[tuple[int, str], str]:
    """Mermaid-safe ids, unique across the figure (and never a keyword such as 'end')."""
    out: dict[tuple[int, str], str] = {}
    used: set[str] = set()
    for i, scene in enumerate(fig.scenes):
        prefix = "n_" if len(fig.scenes) == 1 else f"a{i}_"
        for node in scene.nodes:
            base = prefix + re.sub(r"\W", "_", node.id, flags=re.ASCII)
            ident, k = base, 1
            while ident in used:
                k += 1
                ident = f"{base}_{k}"
            used.add(ident)
            out[(i, node.id)] = ident
    return out


def _label(node: SceneNode) -> str:
    if node.kind == "end":
        return "end"
    lines = [f"<b>{_escape(node.id)}</b>"]
    rest = node.text_lines(with_loop=True)[1:]
    usage = usage_lines(node.usage)
    lines += [_escape(x) for x in rest[: len(rest) - len(usage)]]
    lines += [f"<i>{_escape(x)}</i>" for x in usage]
    return "<br/>".join(lines)


def _style(node: SceneNode, fig: Figure) -> str:
    look = fig.look(node)
    # No split fills in Mermaid: a second model shows as a thick border.
    second = [fig.colours[m].strong for m in node.models[1:2]] if len(look.fills) == 2 else []
    stroke = second[0] if second else look.border
    width = 3.0 if second else look.border_width
    style = f"fill:{look.fills[0]},stroke:{stroke},stroke-width:{width:g}px,color:{look.text}"
    return style + (",stroke-dasharray:4 3" if look.dashed else "")


def _edge(a: str, b: str, e: SceneEdge) -> str:
    arrow = _ARROWS.get(e.kind, "-->")
    text = e.text()
    return f'{a} {arrow}|"{_escape(text)}"| {b}' if text else f"{a} {arrow} {b}"


def _scene_lines(
    i: int, scene: Scene, fig: Figure, ids: dict[tuple[int, str], str], indent: str
) -> tuple[list[str], list[str], list[SceneEdge]]:
    body: list[str] = []
    styles: list[str] = []
    for node in scene.nodes:
        ident = ids[(i, node.id)]
        left, right = MERMAID_SHAPE[node.kind]
        body.append(f'{indent}{ident}{left}"{_label(node)}"{right}')
        styles.append(f"    style {ident} {_style(node, fig)}")
    for e in scene.graph_edges:
        body.append(indent + _edge(ids[(i, e.source)], ids[(i, e.target)], e))
    return body, styles, list(scene.graph_edges)


def to_mermaid(fig: Figure) -> str:
    """A `flowchart TB` of the figure; several architectures become side-by-side
    subgraphs."""
    ids = _ids(fig)
    out: list[str] = []
    if len(fig.scenes) == 1:
        # a JSON string is a YAML string: a name's newline or colon cannot break out
        out += ["---", f"title: {json.dumps(_one_line(fig.scenes[0].name))}", "---"]
    out.append("flowchart TB" if len(fig.scenes) == 1 else "flowchart LR")
    if fig.has_overlay:
        out.append(f"    %% overlay: {fig.metric} per node (darker: more); ×N: times taken")
    for model, sw in fig.colours.items():
        out.append(f"    %% {_one_line(model)}: {sw.fill}")
    styles: list[str] = []
    edges: list[SceneEdge] = []
    for i, scene in enumerate(fig.scenes):
        if len(fig.scenes) == 1:
            body, st, es = _scene_lines(i, scene, fig, ids, "    ")
            out += body
        else:
            out.append(f'    subgraph a{i} ["{_escape(scene.name)}"]')
            out.append("        direction TB")
            body, st, es = _scene_lines(i, scene, fig, ids, "        ")
            out += body
            out.append("    end")
        styles += st
        edges += es
    out += styles
    if fig.has_overlay:
        for k, e in enumerate(edges):
            if e.count is not None:
                width = edge_width(e.count, fig.edge_top, thin=1.0, thick=6.0)
                colour = "#bbbbbb" if e.count == 0 else "#444444"
                out.append(f"    linkStyle {k} stroke-width:{width}px,stroke:{colour}")
    return "\n".join(out) + "\n"
