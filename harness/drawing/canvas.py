"""The character grid the terminal drawing is drawn on: lines that join into box-drawing
characters where they meet (a line's style, light, double or dashed, survives the
joins), text that lines keep out of, and arrow heads.

Apart from `ascii.py` (what goes where) so that each stays readable.
"""

from __future__ import annotations

ARROW = {
    True: {"d": "▼", "u": "▲", "r": "▶", "l": "◀"},
    False: {"d": "v", "u": "^", "r": ">", "l": "<"},
}
_LIGHT = {
    frozenset("lr"): "─",
    frozenset("ud"): "│",
    frozenset("dr"): "┌",
    frozenset("dl"): "┐",
    frozenset("ur"): "└",
    frozenset("ul"): "┘",
    frozenset("udr"): "├",
    frozenset("udl"): "┤",
    frozenset("lrd"): "┬",
    frozenset("lru"): "┴",
    frozenset("udlr"): "┼",
}
_DOUBLE = {
    frozenset("lr"): "═",
    frozenset("ud"): "║",
    frozenset("dr"): "╔",
    frozenset("dl"): "╗",
    frozenset("ur"): "╚",
    frozenset("ul"): "╝",
}


class Canvas:
    def __init__(self, unicode: bool) -> None:
        self.unicode = unicode
        self.text: dict[tuple[int, int], str] = {}
        self.dirs: dict[tuple[int, int], set[str]] = {}
        self.style: dict[tuple[int, int], str] = {}
        self.solid: set[tuple[int, int]] = set()  # box cells and labels: lines stay out

    def link(self, a: tuple[int, int], b: tuple[int, int], style: str) -> None:
        """A straight segment from a to b (same row or same column)."""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            step, fwd, rev = (1 if x2 >= x1 else -1), "r", "l"
            cells = [(x, y1) for x in range(x1, x2 + step, step)]
        else:
            step, fwd, rev = (1 if y2 >= y1 else -1), "d", "u"
            cells = [(x1, y) for y in range(y1, y2 + step, step)]
        if step < 0:
            fwd, rev = rev, fwd
        for i, cell in enumerate(cells):
            d = self.dirs.setdefault(cell, set())
            if i:
                d.add(rev)
            if i < len(cells) - 1:
                d.add(fwd)
            self.style[cell] = style

    def path(self, points: list[tuple[int, int]], style: str, head: str) -> None:
        for a, b in zip(points, points[1:], strict=False):
            self.link(a, b, style)
        self.text[points[-1]] = ARROW[self.unicode][head]
        self.solid.add(points[-1])

    def write(self, x: int, y: int, s: str, force: bool = False) -> bool:
        cells = [(x + i, y) for i in range(len(s))]
        if not force and any(c in self.solid or c in self.dirs for c in cells):
            return False
        for c, ch in zip(cells, s, strict=True):
            self.text[c] = ch
            self.solid.add(c)
        return True

    def render(self) -> list[str]:
        cells = set(self.text) | set(self.dirs)
        if not cells:
            return []
        width = max(x for x, _ in cells) + 1
        height = max(y for _, y in cells) + 1
        grid = [[" "] * width for _ in range(height)]
        for (x, y), d in self.dirs.items():
            grid[y][x] = self._line_char(frozenset(d), self.style[(x, y)])
        for (x, y), ch in self.text.items():
            grid[y][x] = ch
        return ["".join(row).rstrip() for row in grid]

    def _line_char(self, d: frozenset[str], style: str) -> str:
        if len(d) == 1:
            d = frozenset("lr") if d <= {"l", "r"} else frozenset("ud")
        if not self.unicode:
            if d == frozenset("lr"):
                return {"double": "=", "dashed": "."}.get(style, "-")
            if d == frozenset("ud"):
                return ":" if style == "dashed" else "|"
            return "+"
        if style == "double" and d in _DOUBLE:
            return _DOUBLE[d]
        if style == "dashed" and d == frozenset("lr"):
            return "┄"
        if style == "dashed" and d == frozenset("ud"):
            return "┆"
        return _LIGHT.get(d, "┼")
