"""Architectures drawn in the terminal: boxes and arrows in text.

Layers run top to bottom; an edge to the next layer runs down the gap between them, an
edge back up (a re-plan loop) runs up the left margin, an edge that skips layers runs down
the right margin (or the left one, from the leftmost node of a layer to the leftmost of
another: a split's short branch beside a longer one), and a step router sits beside its
agent with a horizontal arrow. Box borders tell the kinds apart; `unicode=False` draws
with plain ASCII characters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from harness.drawing.canvas import ARROW, Canvas
from harness.drawing.layout import Layering, layered, place
from harness.drawing.scene import Figure, Scene, SceneEdge, SceneNode
from harness.drawing.style import KIND_LABEL, fmt_cost, fmt_tokens

# Box borders per kind: corners tl, tr, bl, br, then horizontal and vertical.
_BORDERS = {
    True: {
        "agent": "╭╮╰╯─│",
        "verifier": "╓╖╙╜─║",
        "planner": "╔╗╚╝═║",
        "fan_out": "┌┐└┘─│",
        "aggregate": "┌┐└┘─│",
        "router": "┏┓┗┛━┃",
    },
    False: {
        "agent": "..''-|",
        "verifier": "[][]-!",
        "planner": "####=#",
        "fan_out": "++++-|",
        "aggregate": "++++-|",
        "router": "/\\\\/-|",
    },
}
_STYLE = {
    "flow": "light",
    "parallel": "double",
    "branch": "double",
    "return": "dashed",
    "select": "dashed",
}


@dataclass(frozen=True)
class _Box:
    node: SceneNode
    lines: list[str]
    left: int
    top: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.left + self.w - 1

    @property
    def bottom(self) -> int:
        return self.top + self.h - 1

    @property
    def mid(self) -> int:
        return self.top + self.h // 2


def _box_lines(node: SceneNode, fig: Figure, scene: Scene, unicode: bool) -> list[str]:
    lines = node.text_lines(with_loop=True)
    u = node.usage
    if u is not None and fig.metric is not None and (u.steps or fig.metric == "visits"):
        total = sum(n.usage.value(fig.metric) for n in scene.nodes if n.usage is not None)
        share = u.value(fig.metric) / total if total else 0.0
        full = round(share * 10)
        bar = ("█" * full + "░" * (10 - full)) if unicode else ("#" * full + "." * (10 - full))
        lines.append(f"{bar} {share:.0%} of {fig.metric}")
    return lines if unicode else [_plain(line) for line in lines]


def _text(e: SceneEdge, unicode: bool) -> str:
    t = e.text() or ""
    return t if unicode else _plain(t)


def _draw_scene(scene: Scene, fig: Figure, unicode: bool) -> list[str]:
    lay = layered(scene)
    lines = {n.id: _box_lines(n, fig, scene, unicode) for n in scene.nodes}
    size: dict[str, tuple[float, float]] = {}
    for n in scene.nodes:
        if n.kind == "end":
            size[n.id] = (9.0, 1.0)
        else:
            tag = f" {KIND_LABEL[n.kind]} "
            w = max(max(len(s) for s in lines[n.id]), len(tag) + 2) + 4
            size[n.id] = (float(w + n.stacked), float(len(lines[n.id]) + 2 + n.stacked))
    hgap = {
        e.source: float(len(_text(e, unicode)) + 6) for e in scene.drawn_edges if e.kind == "select"
    }
    tracks = _tracks(scene, lay)
    back = [e for e in scene.drawn_edges if (e.source, e.target) in lay.back]
    left = back + _left_long(scene, lay)
    label_room = max((len(_text(e, unicode)) for e in left), default=0)
    margin = 2 * len(left) + label_room + 6 if left else 0
    boxes = _boxes(scene, lay, lines, size, hgap, 3, margin)
    bent = max((len(_bent(es, boxes)) for es in tracks.values()), default=0)
    if bent:
        boxes = _boxes(scene, lay, lines, size, hgap, 3 + bent, margin)
    c = Canvas(unicode)
    _route_edges(c, scene, lay, boxes, tracks)
    for b in boxes.values():
        _draw_box(c, b)
    return c.render()


def _boxes(
    scene: Scene,
    lay: Layering,
    lines: dict[str, list[str]],
    size: dict[str, tuple[float, float]],
    hgap: dict[str, float],
    vgap: int,
    margin: int,
) -> dict[str, _Box]:
    centres = place(lay, size, hgap, float(vgap), 4.0)
    x0 = min(centres[n][0] - size[n][0] / 2 for n in centres)
    boxes: dict[str, _Box] = {}
    for n in scene.nodes:
        w, h = int(size[n.id][0]), int(size[n.id][1])
        cx, cy = centres[n.id]
        col = int(round(cx - x0)) + margin  # the column single edges run down
        left = col - (w - n.stacked) // 2
        boxes[n.id] = _Box(n, lines[n.id], left, int(round(cy - h / 2)), w, h)
    shift = min(b.left for b in boxes.values()) - margin
    if shift:
        boxes = {k: replace(b, left=b.left - shift) for k, b in boxes.items()}
    return boxes


def _bent(edges: list[SceneEdge], boxes: dict[str, _Box]) -> list[SceneEdge]:
    """Edges whose ports do not line up and need a track of their own in the gap."""
    ports = _port_map(edges, boxes)
    return [e for e in edges if ports[0][(e.source, e.target)] != ports[1][(e.source, e.target)]]


def _port_map(
    edges: list[SceneEdge], boxes: dict[str, _Box]
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Where each edge leaves its source's bottom and enters its target's top."""
    out_ports: dict[tuple[str, str], int] = {}
    in_ports: dict[tuple[str, str], int] = {}
    for node in boxes:
        outs = sorted((e for e in edges if e.source == node), key=lambda e: boxes[e.target].left)
        for e, x in zip(outs, _ports(boxes[node], len(outs)), strict=True):
            out_ports[(e.source, e.target)] = x
        ins = sorted((e for e in edges if e.target == node), key=lambda e: boxes[e.source].left)
        for e, x in zip(ins, _ports(boxes[node], len(ins)), strict=True):
            in_ports[(e.source, e.target)] = x
    return out_ports, in_ports


def _tracks(scene: Scene, lay: Layering) -> dict[int, list[SceneEdge]]:
    """Edges between neighbouring layers, per gap (the gap below layer r)."""
    out: dict[int, list[SceneEdge]] = {}
    for e in scene.drawn_edges:
        if e.kind != "select" and (e.source, e.target) not in lay.back:
            if lay.span(e.source, e.target) == 1:
                out.setdefault(lay.layer[e.source], []).append(e)
    return out


def _left_long(scene: Scene, lay: Layering) -> list[SceneEdge]:
    """Edges that skip layers from the leftmost node of a crowded layer to the leftmost
    node of a later one: down the left margin they cross no box (down the right margin
    they would run through every box beside their source)."""
    out = []
    for e in scene.drawn_edges:
        if e.kind == "select" or (e.source, e.target) in lay.back:
            continue
        src, tgt = lay.rows[lay.layer[e.source]], lay.rows[lay.layer[e.target]]
        if lay.span(e.source, e.target) > 1 and len(src) > 1 and src[0] == e.source:
            if tgt[0] == e.target:
                out.append(e)
    return out


def _ports(box: _Box, k: int) -> list[int]:
    inner = box.w - box.node.stacked
    if k == 1:
        return [box.left + inner // 2]
    return [box.left + 1 + (i + 1) * (inner - 2) // (k + 1) for i in range(k)]


def _route_edges(
    c: Canvas,
    scene: Scene,
    lay: Layering,
    boxes: dict[str, _Box],
    tracks: dict[int, list[SceneEdge]],
) -> None:
    labels: list[tuple[int, int, str]] = []
    down = [e for es in tracks.values() for e in es]
    out_ports, in_ports = _port_map(down, boxes)
    for r, edges in sorted(tracks.items()):
        floor = max(boxes[n].bottom for n in lay.rows[r])
        bent = _bent(edges, boxes)
        for e in edges:
            s, t = boxes[e.source], boxes[e.target]
            xs, xt = out_ports[(e.source, e.target)], in_ports[(e.source, e.target)]
            pts = [(xs, s.bottom + 1)]
            if xs != xt:
                y = floor + 2 + bent.index(e)
                pts += [(xs, y), (xt, y)]
            pts.append((xt, t.top - 1))
            c.path(pts, _STYLE.get(e.kind, "light"), "d")
            if e.text():
                labels.append((xt + 2, t.top - 2, _text(e, c.unicode)))
    right = max(b.right for b in boxes.values())
    n_back = n_long = 0
    left_long = _left_long(scene, lay)
    for e in scene.drawn_edges:
        s, t = boxes[e.source], boxes[e.target]
        style = _STYLE.get(e.kind, "light")
        text = f" {_text(e, c.unicode)} " if e.text() else ""
        if e in down:
            continue
        if e in left_long:  # down the left margin
            x = 1 + 2 * n_back
            y = s.mid + (1 if n_back and s.h > 2 else 0)
            c.path([(s.left - 1, y), (x, y), (x, t.mid), (t.left - 1, t.mid)], style, "r")
            labels.append((x + 2, y, text))
            n_back += 1
        elif (e.source, e.target) in lay.back:  # up the left margin
            x = 1 + 2 * n_back
            y = s.mid + (1 if n_back and s.h > 2 else 0)
            c.path([(s.left - 1, y), (x, y), (x, t.mid), (t.left - 1, t.mid)], style, "r")
            labels.append((x + 2, y, text))
            n_back += 1
        elif lay.layer[e.source] == lay.layer[e.target]:  # a step router beside its agent
            if s.left < t.left:
                c.path([(s.right + 1, s.mid), (t.left - 1, t.mid)], style, "r")
                labels.append(((s.right + t.left - len(text)) // 2 + 1, s.mid, text))
            else:
                c.path([(s.left - 1, s.mid), (t.right + 1, t.mid)], style, "l")
                labels.append(((t.right + s.left - len(text)) // 2 + 1, s.mid, text))
        else:  # skips layers: down the right margin
            x = right + len(text) + 5 + 2 * n_long
            c.path([(s.right + 1, s.mid), (x, s.mid), (x, t.mid), (t.right + 1, t.mid)], style, "l")
            labels.append((s.right + 2, s.mid, text))
            n_long += 1
    for x, y, text in labels:
        if text.strip() and not c.write(x, y, text):
            c.write(x, y, text, force=True)


def _draw_box(c: Canvas, b: _Box) -> None:
    n = b.node
    if n.kind == "end":
        c.write(b.left, b.top, "(( end ))", force=True)
        return
    tl, tr, bl, br, hz, vt = tuple(_BORDERS[c.unicode][n.kind])
    w = b.w - n.stacked
    tag = f" {KIND_LABEL[n.kind]} "
    top = tl + hz + tag + hz * (w - len(tag) - 3) + tr
    rows = [top]
    for line in b.lines:
        rows.append(f"{vt} {line.ljust(w - 4)} {vt}")
    rows.append(bl + hz * (w - 2) + br)
    if n.stacked:  # a second border behind: several copies run in parallel
        rows = [r + (" " if i == 0 else (tr if i == 1 else vt)) for i, r in enumerate(rows)]
        rows.append(" " + bl + hz * (w - 2) + br)
    for i, row in enumerate(rows):
        c.write(b.left, b.top + i, row, force=True)


def to_ascii(fig: Figure, unicode: bool = True) -> str:
    """The figure as text: each architecture under its name, then a one-line legend."""
    out: list[str] = []
    for scene in fig.scenes:
        title = scene.name + (f" — {scene.description}" if scene.description else "")
        if not unicode:
            title = title.replace("—", "-")
        out.append(title)
        if scene.overlay is not None:
            out.append(f"overlay: {fig.metric} per node · {scene.overlay.describe()}")
        out.append("")
        out.extend(_draw_scene(scene, fig, unicode))
        out.append("")
    out.extend(_legend(fig, unicode))
    text = "\n".join(out).rstrip() + "\n"
    if not unicode:
        text = _plain(text)
    return text


def _legend(fig: Figure, unicode: bool) -> list[str]:
    b = _BORDERS[unicode]
    parts = []
    for kind in fig.kinds:
        if kind == "end" or (kind == "aggregate" and "fan_out" in fig.kinds):
            continue
        name = KIND_LABEL[kind]
        if kind == "fan_out" and "aggregate" in fig.kinds:
            name += " / aggregate"
        parts.append(f"{b[kind][0] + b[kind][1]} {name}")
    if any(n.stacked for s in fig.scenes for n in s.nodes):
        parts.append(("╮│" if unicode else ".|") + " runs as parallel copies")
    a = ARROW[unicode]["d"]
    back = fig.edge_text("return").removesuffix(" come back")
    edge = {
        "flow": ("│" if unicode else "|") + a + " flow",
        "parallel": ("║" if unicode else "|") + a + " parallel",
        "branch": ("║" if unicode else "|") + a + " parallel branch",
        "return": ("┆" if unicode else ":") + a + " " + back,
        "select": ("┄" if unicode else ".") + ARROW[unicode]["r"] + " picks model",
    }
    parts += [edge[k] for k in fig.edge_kinds if k in edge]
    lines = ["legend: " + "   ".join(parts)]
    if fig.metric is not None:
        top = fmt_cost(fig.heat_top) if fig.metric == "cost" else fmt_tokens(int(fig.heat_top))
        lines.append(
            f"overlay: bars show each node's share of the run's {fig.metric} "
            f"(busiest node: {top}); ×N on an edge: times taken"
        )
    return lines


_PLAIN = {" · ": ", ", "·": ",", "≤": "<=", "→": "->", "×": "x", "—": "-", "…": "..."}


def _plain(text: str) -> str:
    for k, v in _PLAIN.items():
        text = text.replace(k, v)
    return text.encode("ascii", "replace").decode("ascii")
