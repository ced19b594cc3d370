"""Drawings without Graphviz: the layered layout of `layout.py` drawn with matplotlib.

Used for SVG and PNG when the `dot` program is missing. Same shapes, colours, labels
and legend as the Graphviz drawing as far as matplotlib allows; the layout is simpler.
matplotlib is imported only here, and only when called; no pyplot, no global backend
change (the figure gets its own Agg canvas), so notebooks are left alone.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any, Literal

from harness.drawing.layout import layered, place
from harness.drawing.mpl_legend import draw_legend
from harness.drawing.scene import Figure, Scene, SceneEdge, SceneNode, usage_lines
from harness.drawing.style import (
    EDGE,
    INK,
    MUTED,
    edge_width,
)
from harness.errors import ConfigError

_LINE = 1.3 / 72  # inches per point of font size, line to line
_PAD_X, _PAD_Y = 0.14, 0.09


@dataclass(frozen=True)
class _Text:
    text: str
    size: float
    weight: str = "normal"
    style: Literal["normal", "italic", "oblique"] = "normal"
    colour: str | None = None


@dataclass
class _Node:
    node: SceneNode
    lines: list[_Text]
    inner: tuple[float, float]  # text block, inches
    outer: tuple[float, float]  # shape, inches
    x: float = 0.0
    y: float = 0.0


def _import() -> Any:
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure as MplFigure
    except ImportError:
        raise ConfigError(
            "drawing without Graphviz needs matplotlib (pip install matplotlib), or install "
            "Graphviz (apt-get install graphviz / brew install graphviz)"
        ) from None
    return matplotlib, FigureCanvasAgg, MplFigure


def _lines(node: SceneNode) -> list[_Text]:
    if node.kind == "end":
        return [_Text("end", 8)]
    out = [_Text(node.id, 10, weight="bold")]
    if node.role:
        out.append(_Text(f"{'roles' if len(node.models) > 1 else 'role'}: {node.role}", 8.5))
    if len(node.models) == 1:
        out.append(_Text(node.models[0], 8.5))
    if node.detail:
        out.append(_Text(node.detail, 7.5, colour="soft"))
    out += [_Text(x, 7.5, style="italic") for x in usage_lines(node.usage)]
    return out


def _outer(kind: str, w: float, h: float) -> tuple[float, float]:
    if kind == "planner":
        return w + h * 0.9, h + 0.1
    if kind in ("fan_out", "aggregate"):
        return w + h * 0.9, h
    if kind == "verifier":
        return w + h * 0.6, h + 0.08
    if kind == "router":
        return w * 1.85, h * 2.2
    if kind == "end":
        return 0.45, 0.45
    return w, h


def _measure(renderer: Any, dpi: float, line: _Text) -> float:
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=line.size, weight=line.weight, style=line.style)
    w, _, _ = renderer.get_text_width_height_descent(line.text, prop, ismath=False)
    return float(w) / dpi


def _shape_patches(mpl: Any, n: _Node, look: Any) -> list[Any]:
    from matplotlib.patches import Circle, FancyBboxPatch, Polygon

    x, y = n.x, n.y
    w, h = n.outer
    kind = n.node.kind
    style: dict[str, Any] = {"linewidth": look.border_width, "edgecolor": look.border}
    if look.dashed:
        style["linestyle"] = (0, (4, 2))
    if kind == "agent":
        box = f"round,pad=0,rounding_size={min(0.1, h / 3)}"
        shapes = [FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=box, **style)]
        if n.node.stacked:
            g = 0.05
            shapes.insert(
                0,
                FancyBboxPatch(
                    (x - w / 2 - g, y - h / 2 - g), w + 2 * g, h + 2 * g, boxstyle=box, **style
                ),
            )
        return shapes
    if kind == "end":
        return [Circle((x, y), 0.22, **style), Circle((x, y), 0.17, **style)]
    ind = (w - n.inner[0]) / 2
    pts = {
        "planner": [
            (x - w / 2, y),
            (x - w / 2 + ind, y + h / 2),
            (x + w / 2 - ind, y + h / 2),
            (x + w / 2, y),
            (x + w / 2 - ind, y - h / 2),
            (x - w / 2 + ind, y - h / 2),
        ],
        "fan_out": [
            (x - w / 2 + ind, y + h / 2),
            (x + w / 2 - ind, y + h / 2),
            (x + w / 2, y - h / 2),
            (x - w / 2, y - h / 2),
        ],
        "aggregate": [
            (x - w / 2, y + h / 2),
            (x + w / 2, y + h / 2),
            (x + w / 2 - ind, y - h / 2),
            (x - w / 2 + ind, y - h / 2),
        ],
        "router": [(x - w / 2, y), (x, y + h / 2), (x + w / 2, y), (x, y - h / 2)],
        "verifier": _octagon(x, y, w, h, min(ind, h / 3)),
    }[kind]
    return [Polygon(pts, closed=True, **style)]


def _octagon(x: float, y: float, w: float, h: float, cut: float) -> list[tuple[float, float]]:
    """A verifier: a box with its corners cut, as Graphviz's octagon."""
    x0, x1, y1, y0 = x - w / 2, x + w / 2, y + h / 2, y - h / 2
    return [
        (x0 + cut, y1),
        (x1 - cut, y1),
        (x1, y1 - cut),
        (x1, y0 + cut),
        (x1 - cut, y0),
        (x0 + cut, y0),
        (x0, y0 + cut),
        (x0, y1 - cut),
    ]


def _draw_node(ax: Any, mpl: Any, fig: Figure, n: _Node) -> None:
    from matplotlib.patches import Rectangle

    look = fig.look(n.node)
    patches = _shape_patches(mpl, n, look)
    for p in patches:
        p.set_facecolor(look.fills[0])
        ax.add_patch(p)
    if len(look.fills) == 2:  # right half in the second model's colour, clipped to the shape
        w, h = n.outer
        half = Rectangle((n.x, n.y - h / 2), w / 2, h, facecolor=look.fills[1], linewidth=0)
        ax.add_patch(half)
        half.set_clip_path(patches[-1])
        edge = _shape_patches(mpl, n, look)[-1]
        edge.set_facecolor("none")
        ax.add_patch(edge)
    soft = "#eeeeee" if look.text == "#ffffff" else "#555555"
    total = sum(t.size * _LINE for t in n.lines)
    y = n.y + total / 2
    for t in n.lines:
        y -= t.size * _LINE / 2
        colour = soft if t.colour == "soft" else look.text
        ax.text(
            n.x,
            y,
            t.text,
            ha="center",
            va="center",
            fontsize=t.size,
            fontweight=t.weight,
            fontstyle=t.style,
            color=colour,
        )
        y -= t.size * _LINE / 2


def _arrow(ax: Any, path: list[tuple[float, float]], e: SceneEdge | None, fig: Figure) -> None:
    from matplotlib import patheffects
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    kind = e.kind if e is not None else "flow"
    width = 1.2
    colour = EDGE
    if e is not None and e.count is not None:
        width = edge_width(e.count, fig.edge_top) * 0.8
        colour = "#bbbbbb" if e.count == 0 else EDGE
    codes = [Path.MOVETO] + ([Path.LINETO] if len(path) == 2 else [Path.CURVE4] * 3)
    style: dict[str, Any] = {"linewidth": width, "color": colour}
    if kind == "return":
        style["linestyle"] = (0, (5, 3))
    elif kind == "select":
        style["linestyle"] = (0, (1, 2.5))
    patch = FancyArrowPatch(
        path=Path(path, codes),
        arrowstyle="-|>,head_length=0.6,head_width=0.3",
        mutation_scale=10,
        shrinkA=0,
        shrinkB=0,
        **style,
    )
    if kind in ("parallel", "branch"):  # a double line: a white core on a dark stroke
        patch.set_color("white")
        patch.set_linewidth(max(1.0, width * 0.6))
        patch.set_path_effects(
            [
                patheffects.Stroke(linewidth=width * 0.6 + 2.6, foreground=colour),
                patheffects.Normal(),
            ]
        )
    ax.add_patch(patch)


def _label(ax: Any, x: float, y: float, text: str | None, ha: str = "left") -> None:
    if text:
        ax.text(
            x,
            y,
            text,
            fontsize=7.5,
            ha=ha,
            va="center",
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
        )


def _draw_edges(ax: Any, fig: Figure, scene: Scene, nodes: dict[str, _Node]) -> None:
    lay = layered(scene)
    for n in nodes.values():
        if n.node.loop:
            r = n.x + n.outer[0] / 2
            _arrow(
                ax,
                [(r, n.y + 0.07), (r + 0.4, n.y + 0.3), (r + 0.4, n.y - 0.3), (r, n.y - 0.07)],
                None,
                fig,
            )
            ax.text(
                r + 0.34, n.y, " " + n.node.loop, fontsize=7.5, ha="left", va="center", color=MUTED
            )
    for e in scene.drawn_edges:
        s, t = nodes[e.source], nodes[e.target]
        if (
            e.kind == "select"
            or lay.layer[e.source] == lay.layer[e.target]
            and (e.source, e.target) not in lay.back
        ):
            sx = s.x + (s.outer[0] / 2 if s.x < t.x else -s.outer[0] / 2)
            tx = t.x - (t.outer[0] / 2 if s.x < t.x else -t.outer[0] / 2)
            _arrow(ax, [(sx, s.y), (tx, t.y)], e, fig)
            _label(ax, (sx + tx) / 2, s.y + 0.12, e.text(), ha="center")
        elif (e.source, e.target) in lay.back or lay.span(e.source, e.target) > 1:
            sx, tx = s.x + s.outer[0] / 2, t.x + t.outer[0] / 2
            far = max(sx, tx) + 0.7 + (0.4 if t.node.loop or s.node.loop else 0.0)
            _arrow(ax, [(sx, s.y), (far, s.y), (far, t.y), (tx, t.y)], e, fig)
            _label(ax, sx + 0.75 * (far - sx) + 0.08, (s.y + t.y) / 2, e.text())
        else:
            a, b = (s.x, s.y - s.outer[1] / 2), (t.x, t.y + t.outer[1] / 2)
            _arrow(ax, [a, b], e, fig)
            _label(ax, (a[0] + b[0]) / 2 + 0.08, (a[1] + b[1]) / 2, e.text())


def render_fallback(fig: Figure, fmt: str) -> bytes:
    """The figure as SVG or PNG bytes, drawn with matplotlib."""
    matplotlib, canvas_cls, mpl_figure = _import()
    if fmt not in ("svg", "png"):
        raise ConfigError(f"the matplotlib fallback draws svg or png, not {fmt}")
    mfig = mpl_figure(figsize=(4, 4), dpi=100)
    canvas = canvas_cls(mfig)
    renderer = canvas.get_renderer()
    x0, right, bottom = 0.0, 0.0, 0.0
    scenes: list[tuple[Scene, dict[str, _Node]]] = []
    title_h = 0.0
    for scene in fig.scenes:
        nodes: dict[str, _Node] = {}
        for node in scene.nodes:
            lines = _lines(node)
            w = max(_measure(renderer, mfig.dpi, t) for t in lines) + 2 * _PAD_X
            h = sum(t.size * _LINE for t in lines) + 2 * _PAD_Y
            nodes[node.id] = _Node(node, lines, (w, h), _outer(node.kind, w, h))
        lay = layered(scene)
        size = {
            k: (n.outer[0] + (0.1 if n.node.stacked else 0.0), n.outer[1]) for k, n in nodes.items()
        }
        hgap = {k: 1.2 for k, n in nodes.items() if n.node.loop}
        hgap.update({e.source: 1.3 for e in scene.drawn_edges if e.kind == "select"})
        centres = place(lay, size, hgap, 0.55, 0.4)
        left = min(centres[k][0] - size[k][0] / 2 for k in nodes)
        for k, n in nodes.items():
            n.x = x0 - left + centres[k][0]
            n.y = -centres[k][1] - 0.55
        back = any(e for e in scene.drawn_edges if (e.source, e.target) in lay.back)
        width = max(n.x + n.outer[0] / 2 + (1.3 if n.node.loop else 0.0) for n in nodes.values())
        width = max(width + (1.3 if back else 0.2), x0 + 2.6)
        desc = textwrap.wrap(scene.description, 44)
        title_h = max(title_h, 0.35 + 0.16 * len(desc) + (0.16 if scene.overlay else 0.0))
        scenes.append((scene, nodes))
        right = width
        bottom = min(bottom, min(n.y - n.outer[1] / 2 for n in nodes.values()))
        x0 = width + 0.5
    legend_w = 2.7
    total_w, total_h = right + legend_w + 0.3, -bottom + title_h + 0.5
    mfig.set_size_inches(total_w, total_h)
    ax = mfig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.3, total_w - 0.3)
    ax.set_ylim(bottom - 0.3, title_h + 0.2)
    ax.set_axis_off()
    for scene, nodes in scenes:
        left = min(n.x - n.outer[0] / 2 for n in nodes.values())
        entry = nodes[scene.entry]
        top = entry.y + entry.outer[1] / 2
        _arrow(ax, [(entry.x, top + 0.3), (entry.x, top)], None, fig)
        ax.add_patch(matplotlib.patches.Circle((entry.x, top + 0.33), 0.05, color=INK))
        _draw_edges(ax, fig, scene, nodes)
        for n in nodes.values():
            _draw_node(ax, matplotlib, fig, n)
        ty = title_h
        ax.text(left, ty, scene.name, fontsize=13, fontweight="bold", va="top", color=INK)
        ty -= 0.3
        for line in textwrap.wrap(scene.description, 44):
            ax.text(left, ty, line, fontsize=8.5, va="top", color=MUTED)
            ty -= 0.16
        if scene.overlay is not None:
            ax.text(
                left,
                ty,
                f"overlay: {fig.metric} per node · {scene.overlay.describe()}",
                fontsize=8.5,
                va="top",
                color="#b10026",
            )
    draw_legend(ax, fig, right + 0.2, title_h)
    buf = io.BytesIO()
    # svg.fonttype "none": text stays <text>, so a drawing can be searched, copied, read by
    # a screen reader and diffed, and is a fraction of the size of one with glyph outlines
    with matplotlib.rc_context({"svg.hashsalt": "archbench", "svg.fonttype": "none"}):
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        mfig.savefig(buf, format=fmt, metadata=meta, dpi=144 if fmt == "png" else 72)
    return buf.getvalue()
