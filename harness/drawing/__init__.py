"""Draw architectures as graphs: which agents exist, which model each runs, where work fans
out and comes back, and (with a run's trace overlaid) where the steps, tokens and money
went.

    from harness.drawing import load_overlay, render, to_ascii, to_digraph

    print(to_ascii("kimi-researcher"))                # the terminal drawing
    g = to_digraph("manus-workflow")                  # a graphviz.Digraph
    render(["kimi-researcher", "minimax-hybrid"], "two.svg")  # side by side
    ov = load_overlay("runs/r1", "orchestrator-workers")      # a run's footprint
    render(None, "orch.png", overlays=ov)

Every function takes an architecture as a name, a file path, an `ArchitectureSpec` or a
`CompiledArchitecture` (from `compile_architecture`, with `--model`/`--set` bindings).
SVG/PNG/PDF go through Graphviz's `dot`; without it, SVG and PNG are drawn with
matplotlib (a notice goes to stderr) and PDF is refused.
"""

from __future__ import annotations

import graphviz

from harness.drawing import graphviz_render as _gv
from harness.drawing.ascii import to_ascii as _ascii
from harness.drawing.mermaid import to_mermaid as _mermaid
from harness.drawing.overlay import METRICS, Metric, NodeUsage, Overlay, load_overlay
from harness.drawing.render import (
    FORMATS,
    SUFFIXES,
    ArchLike,
    Archs,
    Overlays,
    draw,
    figure,
    format_for_path,
    render,
)


def graphviz_available() -> bool:
    """Whether Graphviz's `dot` program is on PATH (SVG/PNG/PDF through Graphviz)."""
    return _gv.graphviz_available()


def to_digraph(
    arch: ArchLike | None, overlay: Overlay | None = None, metric: Metric | None = None
) -> graphviz.Digraph:
    """One architecture as a `graphviz.Digraph` (shows itself in Jupyter; `.source` is
    DOT text, `.render()`/`.pipe()` need `dot`). `arch=None` draws the overlay's."""
    return _gv.figure_digraph(figure(None if arch is None else [arch], overlay, metric))


def side_by_side(
    archs: Archs | None, overlays: Overlays = None, metric: Metric | None = None
) -> graphviz.Digraph:
    """Several architectures in one digraph, one box each, with a shared legend (and, with
    overlays, one colour scale for all)."""
    return _gv.figure_digraph(figure(archs, overlays, metric))


def to_mermaid(archs: Archs | None, overlays: Overlays = None, metric: Metric | None = None) -> str:
    """A Mermaid flowchart (one node per graph node, one edge per graph edge)."""
    return _mermaid(figure(archs, overlays, metric))


def to_ascii(
    archs: Archs | None,
    overlays: Overlays = None,
    metric: Metric | None = None,
    unicode: bool = True,
) -> str:
    """A box-and-arrow drawing for the terminal (`unicode=False`: plain ASCII)."""
    return _ascii(figure(archs, overlays, metric), unicode=unicode)


__all__ = [
    "FORMATS",
    "METRICS",
    "SUFFIXES",
    "NodeUsage",
    "Overlay",
    "draw",
    "figure",
    "format_for_path",
    "graphviz_available",
    "load_overlay",
    "render",
    "side_by_side",
    "to_ascii",
    "to_digraph",
    "to_mermaid",
]
