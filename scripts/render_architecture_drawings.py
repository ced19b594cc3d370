"""Render the drawings docs/architectures.md embeds: docs/img/<arch>.svg for each built-in
architecture and docs/img/designs.svg with all of them side by side.

    python scripts/render_architecture_drawings.py           # (re)write the drawings
    python scripts/render_architecture_drawings.py --check   # exit 1 if any is stale

Rendering needs Graphviz's `dot`. The check does not: each SVG carries the SHA-256 of the
DOT source it was laid out from, and a drawing is stale when the DOT source the current
code produces hashes differently (so the check does not depend on the Graphviz version).
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.drawing import figure  # noqa: E402
from harness.drawing import graphviz_render as gv  # noqa: E402
from harness.drawing.scene import Figure  # noqa: E402
from harness.loader import builtin_architectures  # noqa: E402

IMG = ROOT / "docs" / "img"


def drawings() -> dict[Path, Figure]:
    names = list(builtin_architectures())
    out = {IMG / f"{name}.svg": figure(name) for name in names}
    out[IMG / "designs.svg"] = figure(names)
    return out


def problem(path: Path, fig: Figure) -> str | None:
    """Why the committed drawing at `path` does not match `fig`, or None."""
    if not path.is_file():
        return "missing"
    text = path.read_text(encoding="utf-8")
    try:
        ET.fromstring(text.encode("utf-8"))
    except ET.ParseError:
        return "not valid SVG"
    mark = gv.svg_source_hash(text)
    if mark is None:
        return "has no archbench source mark"
    if mark != gv.source_hash(gv.dot_source(fig)):
        return "stale"
    return None


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    todo = drawings()
    if args.check:
        bad = [(p, why) for p, fig in todo.items() if (why := problem(p, fig))]
        for p, why in bad:
            print(f"{_show(p)}: {why}", file=sys.stderr)
        if bad:
            print(
                "drawings are out of date: run 'python scripts/render_architecture_drawings.py' "
                "and commit docs/img/",
                file=sys.stderr,
            )
            return 1
        print(f"{len(todo)} drawings up to date")
        return 0
    if not gv.graphviz_available():
        print(
            "rendering the documentation drawings needs Graphviz's 'dot' "
            "(apt-get install graphviz / brew install graphviz)",
            file=sys.stderr,
        )
        return 2
    IMG.mkdir(parents=True, exist_ok=True)
    for path, fig in todo.items():
        data = gv.pipe(fig, "svg")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {_show(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
