"""From architectures (and optional overlays) to a file or text in any format, choosing
Graphviz when its `dot` program is there and the matplotlib fallback when it is not."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import graphviz

from harness.drawing import graphviz_render as gv
from harness.drawing.ascii import to_ascii as _ascii
from harness.drawing.fallback import render_fallback
from harness.drawing.mermaid import to_mermaid as _mermaid
from harness.drawing.overlay import Metric, Overlay
from harness.drawing.scene import Figure, build_figure
from harness.errors import ConfigError
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import load_architecture
from harness.spec import ArchitectureSpec

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot", "mermaid", "ascii")
SUFFIXES: dict[str, str] = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".txt": "ascii",
}
BINARY = ("png", "pdf")
INSTALL = "apt-get install graphviz / brew install graphviz"
FALLBACK_NOTICE = (
    "archbench: Graphviz's 'dot' program was not found, so this was drawn with matplotlib; "
    f"install Graphviz for a better layout ({INSTALL})"
)

ArchLike = CompiledArchitecture | ArchitectureSpec | str
Archs = ArchLike | Sequence[ArchLike]
Overlays = Overlay | Sequence[Overlay] | None


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format '{fmt}' (choose: {', '.join(FORMATS)})")
    return fmt


def format_for_path(path: str | Path, fmt: str | None = None) -> str:
    """`fmt` if given, else the format the file's suffix names."""
    if fmt is not None:
        return check_format(fmt)
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        known = " ".join(SUFFIXES)
        raise ConfigError(
            f"cannot tell the format from '{path}' (suffixes: {known}); give --format"
        )
    return SUFFIXES[suffix]


def _compiled(a: ArchLike) -> CompiledArchitecture:
    if isinstance(a, CompiledArchitecture):
        return a
    return compile_architecture(load_architecture(a) if isinstance(a, str) else a)


def figure(archs: Archs | None, overlays: Overlays = None, metric: Metric | None = None) -> Figure:
    """The figure for `archs`; an overlay replaces its architecture by the one the run
    bound (its roles and parameters). With only overlays, draws their architectures."""
    ovs = [overlays] if isinstance(overlays, Overlay) else list(overlays or [])
    if archs is None:
        items: list[ArchLike] = [o.compiled for o in ovs]
    elif isinstance(archs, CompiledArchitecture | ArchitectureSpec | str):
        items = [archs]
    else:
        items = list(archs)
    compiled = [_compiled(a) for a in items]
    by_name = {o.name: o for o in ovs}
    names = {c.name for c in compiled}
    stray = [o.name for o in ovs if o.name not in names]
    if stray:
        raise ConfigError(f"overlay of '{stray[0]}' matches no architecture being drawn")
    compiled = [by_name[c.name].compiled if c.name in by_name else c for c in compiled]
    matched = [by_name.get(c.name) for c in compiled] if ovs else None
    return build_figure(compiled, matched, metric)


def draw(
    fig: Figure,
    fmt: str,
    *,
    unicode: bool = True,
    on_fallback: Callable[[str], None] | None = None,
) -> bytes:
    """The figure in `fmt` as bytes (text formats UTF-8)."""
    check_format(fmt)
    if fmt == "dot":
        return gv.dot_source(fig).encode("utf-8")
    if fmt == "mermaid":
        return _mermaid(fig).encode("utf-8")
    if fmt == "ascii":
        return _ascii(fig, unicode=unicode).encode("utf-8")
    if gv.graphviz_available():
        try:
            return gv.pipe(fig, fmt)
        except graphviz.ExecutableNotFound:
            pass
    if fmt == "pdf":
        raise ConfigError(
            f"pdf needs Graphviz's 'dot' program, which was not found: install Graphviz "
            f"({INSTALL}), or draw svg or png"
        )
    (on_fallback or _notice)(FALLBACK_NOTICE)
    return render_fallback(fig, fmt)


def _notice(message: str) -> None:
    print(message, file=sys.stderr)


def render(
    archs: Archs | None,
    path: str | Path,
    fmt: str | None = None,
    *,
    overlays: Overlays = None,
    metric: Metric | None = None,
    unicode: bool = True,
) -> Path:
    """Draw `archs` (one: a single drawing; several: side by side with a shared legend)
    to `path`, in `fmt` or the format its suffix names. Returns the path."""
    out = Path(path)
    if out.is_dir():
        raise ConfigError(f"'{out}' is a directory; give a file name")
    data = draw(figure(archs, overlays, metric), format_for_path(out, fmt), unicode=unicode)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"'{out}' cannot be written: {exc.strerror}") from None
    return out
