"""The legend of the matplotlib fallback: models (or the heat scale), node shapes and
edge styles, as in the Graphviz drawing's key."""

from __future__ import annotations

from typing import Any

from harness.drawing.scene import Figure
from harness.drawing.style import (
    EDGE,
    HEAT,
    IDLE_FILL,
    INK,
    KIND_LABEL,
    MUTED,
    fmt_cost,
    fmt_tokens,
)


def draw_legend(ax: Any, fig: Figure, x: float, y: float) -> None:
    """The key, in the axes' data coordinates (inches) with its top left at (x, y)."""
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.path import Path

    handles: list[Any] = []
    heads: list[int] = []

    def head(text: str) -> None:
        heads.append(len(handles))
        handles.append(Patch(facecolor="none", edgecolor="none", label=text))

    if fig.colours:
        head("models")
        for model, sw in fig.colours.items():
            face = sw.strong if fig.has_overlay else sw.fill
            handles.append(Patch(facecolor=face, edgecolor="#888888", label=model))
    if fig.has_overlay:
        top = fmt_cost(fig.heat_top) if fig.metric == "cost" else fmt_tokens(int(fig.heat_top))
        head(f"{fig.metric} per node")
        handles.append(Patch(facecolor=HEAT[1], edgecolor="#888888", label="little"))
        handles.append(Patch(facecolor=HEAT[4], edgecolor="#888888", label="more"))
        handles.append(Patch(facecolor=HEAT[-1], edgecolor="#888888", label=f"most ({top})"))
        handles.append(Patch(facecolor=IDLE_FILL, edgecolor="#aaaaaa", label="not visited"))
    head("nodes")

    def poly(pts: list[tuple[float, float]]) -> Any:
        return Path(
            [*pts, pts[0]], [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + [Path.CLOSEPOLY]
        )

    markers: dict[str, Any] = {
        "agent": "s",
        "verifier": "8",
        "planner": "H",
        "fan_out": poly([(-1, -0.6), (1, -0.6), (0.55, 0.6), (-0.55, 0.6)]),
        "aggregate": poly([(-1, 0.6), (1, 0.6), (0.55, -0.6), (-0.55, -0.6)]),
        "router": "D",
        "end": "o",
    }
    for kind in fig.kinds:
        handles.append(
            Line2D(
                [],
                [],
                marker=markers[kind],
                linestyle="none",
                markersize=10,
                markerfacecolor="white",
                markeredgecolor=INK,
                label=KIND_LABEL[kind],
            )
        )
    head("edges")
    styles: dict[str, Any] = {
        "flow": "-",
        "parallel": "-",
        "branch": "-",
        "return": (0, (5, 3)),
        "select": (0, (1, 2.5)),
    }
    for kind in fig.edge_kinds:
        if kind == "loop":
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=r"$\circlearrowright$",
                    linestyle="none",
                    markersize=11,
                    color=MUTED,
                    label=fig.edge_text(kind),
                )
            )
            continue
        line = Line2D(
            [], [], color=EDGE, linestyle=styles[kind], linewidth=1.3, label=fig.edge_text(kind)
        )
        if kind in ("parallel", "branch"):
            line.set_color("white")
            line.set_path_effects(
                [patheffects.Stroke(linewidth=3.6, foreground=EDGE), patheffects.Normal()]
            )
        handles.append(line)
    if fig.has_overlay:
        handles.append(Line2D([], [], color=EDGE, linewidth=4, label="width: times taken"))
    leg = ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(x, y),
        bbox_transform=ax.transData,
        fontsize=8,
        frameon=True,
        title="legend",
        title_fontproperties={"weight": "bold", "size": 9},
        handlelength=2.2,
        borderpad=0.8,
        labelspacing=0.5,
    )
    leg.get_frame().set_edgecolor("#cccccc")
    for i, text in enumerate(leg.get_texts()):
        if i in heads:
            text.set_fontweight("bold")
