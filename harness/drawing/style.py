"""The look shared by every renderer: colours per model, heat colours for overlays, the
shape of each node kind, and how numbers are written in labels.

Graphviz, matplotlib, Mermaid and the terminal drawing all read from here, so a model has
the same colour and a node kind the same shape (as far as the medium allows) everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

FONT = "Helvetica,Arial,sans-serif"
"""Graphviz font list; matplotlib uses its default sans-serif (DejaVu Sans)."""

INK = "#222222"
MUTED = "#666666"
EDGE = "#444444"
PLAIN_FILL = "#ffffff"
END_FILL = "#e8e8e8"
IDLE_FILL = "#f4f4f4"
"""Overlay: a node the run never visited."""


@dataclass(frozen=True)
class Swatch:
    fill: str
    """Background of a node run by the model (dark text stays readable on it)."""
    strong: str
    """A darker shade: borders in overlays, where the fill shows the heat."""


# Qualitative, light enough for dark text (ColorBrewer Set3 fills, darker partners for
# borders). Slots are picked by a hash of the model id, so a model keeps its colour from
# one drawing to the next; collisions inside one figure move to the next free slot.
PALETTE: tuple[Swatch, ...] = (
    Swatch("#bebada", "#6a51a3"),  # lavender
    Swatch("#b3de69", "#4d9221"),  # green
    Swatch("#fb8072", "#cb181d"),  # salmon
    Swatch("#ffed6f", "#9a8400"),  # yellow
    Swatch("#80b1d3", "#1f78b4"),  # blue
    Swatch("#fccde5", "#c51b7d"),  # pink
    Swatch("#bc80bd", "#6a3d9a"),  # purple
    Swatch("#fdb462", "#d95f02"),  # orange
    Swatch("#8dd3c7", "#1b9e77"),  # teal
    Swatch("#e5c494", "#8c6d31"),  # tan
    Swatch("#ccebc5", "#41ab5d"),  # mint
)

# Overlay heat (ColorBrewer YlOrRd): from "a little" to "most of the run".
HEAT: tuple[str, ...] = (
    "#ffffcc",
    "#ffeda0",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#b10026",
)
HEAT_DARK_FROM = 5
"""Heat steps from this index on are dark: write white text on them."""


FIXED_SLOTS: dict[str, int] = {
    "mock/claude-opus-4": 0,
    "mock/kimi-researcher": 1,
    "mock/kimi-k2": 2,
    "mock/deepseek-r1": 3,
    "mock/qwen-plus": 4,
    "mock/o3": 5,
    "mock/claude-sonnet-4": 7,
    "mock/minimax-m1": 8,
    "mock/qwen-plus?reasoning_tokens=0": 6,  # manus-workflow's calibrated worker binding
}
"""The article's models have a colour of their own in every drawing, whatever else is in
it (a hash alone gives two of them the same slot, and one would move)."""


def model_colours(models: Iterable[str]) -> dict[str, Swatch]:
    """A distinct, stable swatch per model id (up to len(PALETTE) models, then reused).

    The presets of `FIXED_SLOTS` (and their tuned variants, `mock/qwen-plus?skill=0.9`,
    when the preset itself is not in the figure) take their fixed slot first; any other id
    takes the slot of a hash of its id, or the next free one in that figure."""
    out: dict[str, Swatch] = {}
    taken: set[int] = set()
    ids = sorted(set(models))
    fixed = [m for m in ids if m in FIXED_SLOTS]
    variants = [m for m in ids if m not in FIXED_SLOTS and m.split("?")[0] in FIXED_SLOTS]
    others = [m for m in ids if m not in fixed and m not in variants]
    for model in [*fixed, *variants, *others]:
        slot = FIXED_SLOTS.get(model, FIXED_SLOTS.get(model.split("?")[0]))
        if slot is None:
            slot = int(hashlib.sha256(model.encode("utf-8")).hexdigest(), 16) % len(PALETTE)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        out[model] = PALETTE[slot]
    return out


def heat_index(value: float, top: float) -> int:
    """Which heat step `value` gets on a scale whose largest value is `top`."""
    if top <= 0 or value <= 0:
        return 0
    return min(len(HEAT) - 1, int(value / top * (len(HEAT) - 1) + 0.5))


def heat_colour(value: float, top: float) -> tuple[str, str]:
    """(fill, text colour) for an overlay value."""
    i = heat_index(value, top)
    return HEAT[i], ("#ffffff" if i >= HEAT_DARK_FROM else INK)


def edge_width(count: int, top: int, thin: float = 1.2, thick: float = 6.0) -> float:
    """Pen width of an edge traversed `count` times when the busiest edge has `top`."""
    if top <= 0 or count <= 0:
        return thin
    return round(thin + (thick - thin) * count / top, 2)


# What each node kind is called in legends, and its shape per medium.
KIND_LABEL: dict[str, str] = {
    "agent": "agent loop",
    "verifier": "verifier",
    "planner": "planner",
    "fan_out": "fan-out",
    "aggregate": "aggregate",
    "router": "router",
    "end": "end",
}
KIND_ORDER: tuple[str, ...] = (
    "agent",
    "verifier",
    "planner",
    "fan_out",
    "aggregate",
    "router",
    "end",
)
"""A verifier is an agent loop (prompt verify) drawn apart: it checks the answer, it does
not research one, and a design's loop back from a rejection starts at it."""

GRAPHVIZ_SHAPE: dict[str, str] = {
    "agent": "box",  # with style rounded
    "verifier": "octagon",  # a checkpoint the answer must pass
    "planner": "hexagon",
    "fan_out": "trapezium",  # narrow top, wide bottom: work spreads out
    "aggregate": "invtrapezium",  # wide top, narrow bottom: work comes back
    "router": "diamond",
    "end": "doublecircle",
}

MERMAID_SHAPE: dict[str, tuple[str, str]] = {
    "agent": ("([", "])"),
    "verifier": ("[/", "/]"),  # a parallelogram: the trapezia are fan-out and aggregate
    "planner": ("{{", "}}"),
    "fan_out": ("[/", "\\]"),
    "aggregate": ("[\\", "/]"),
    "router": ("{", "}"),
    "end": ("((", "))"),
}

EDGE_LABEL: dict[str, str] = {
    "flow": "control flow",
    "parallel": "runs in parallel (width)",
    "branch": "parallel branch (split)",
    "return": "reports come back",
    "select": "picks the step's model",
    "loop": "agent loop (step budget)",
}


def fmt_tokens(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f}M"
    if n >= 10_000:
        return f"{n / 1000:.0f}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


def fmt_cost(usd: float | None) -> str:
    if usd is None:
        return "cost unknown"
    if usd >= 100:
        return f"${usd:,.0f}"
    if usd >= 1:
        return f"${usd:.2f}"
    return f"${usd:.4f}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
