"""archbench under its own name: `import archbench` is `import harness`.

The engine's package is `harness` (the name predates the project's); the distribution, the
command and `python -m archbench` are all `archbench`, so a user who installed `archbench`
can import it by that name too. Every public name of `harness.__all__` is here, looked up
on first use, so this package never falls behind the engine's API and importing it costs
no more than importing `harness`.

    >>> import archbench
    >>> archbench.compare is __import__("harness").compare
    True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import harness as _harness

if TYPE_CHECKING:
    from harness import *  # noqa: F403  (what type checkers see: the same names)

try:
    __version__ = version("archbench")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [*_harness.__all__, "__version__"]


def __getattr__(name: str) -> Any:
    """A public name of `harness`, fetched when first asked for (`drawing` is imported
    lazily there, and stays lazy here)."""
    if name in _harness.__all__:
        return getattr(_harness, name)
    raise AttributeError(f"module 'archbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_harness.__all__))
