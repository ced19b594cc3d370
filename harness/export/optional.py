"""Optional packages an export needs, imported only when that export runs.

archbench's own dependencies stay small: Inspect AI, OpenTelemetry and pandas/pyarrow are
extras (`pip install archbench[inspect]`, `[otel]`, `[parquet]`). A missing one is a user
mistake with a one-line fix, so it is a `ConfigError` naming the extra, not an ImportError
traceback.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from harness.errors import ConfigError


def need(module: str, extra: str, what: str) -> ModuleType:
    """`module`, imported; a `ConfigError` saying which extra to install if it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{what} needs the package '{module.split('.')[0]}': install archbench[{extra}] "
            f"(pip install 'archbench[{extra}]')"
        ) from None


def fresh(path: Path) -> Path:
    """`path`, with a symbolic link there removed: an export replaces a file, never writes
    through a link someone left in an export directory."""
    if path.is_symlink():
        path.unlink()
    return path
