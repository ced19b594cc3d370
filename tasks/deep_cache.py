"""The `deep` suite on disk: generated once per recipe, then read back.

Why a cache and not a file in tasks/data/: the suite is about 3 MB of JSON (web-length
pages in two languages), a pure function of the recipe and the seed, and generated in a
second or two; committing it would put megabytes in every diff of the generator. The
first load generates it and writes

    ~/.cache/archbench/suites/deep-v<RECIPE_VERSION>-<key>.json
    (or $ARCHBENCH_CACHE_DIR/suites/, or $XDG_CACHE_HOME/archbench/suites/)

where `key` hashes the recipe's arguments. Bump `RECIPE_VERSION` with any change to what
tasks/deep*.py generate: old files are then simply never read again (`clear_cache`
removes them). The cache is an optimisation only: a directory that cannot be written or a
file that cannot be read means the suite is generated in memory, as on a first load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import pydantic

from harness.backends.cache import default_cache_dir, write_cache_file
from harness.task import TaskSuite

log = logging.getLogger("archbench.tasks")

RECIPE_VERSION = 1
"""Bumped whenever the generator's output for the same arguments changes."""
NO_CACHE_ENV = "ARCHBENCH_NO_SUITE_CACHE"
"""Set (to anything but empty) to generate the suite every time and never touch the disk."""
SUBDIR = "suites"


def cache_dir(base: Path | None = None) -> Path | None:
    """Where generated suites are kept; None when there is no home to keep them in."""
    try:
        return (base or default_cache_dir()) / SUBDIR
    except RuntimeError:
        return None


def cache_key(arguments: dict[str, Any]) -> str:
    """The file name of a suite made with `arguments` by this recipe version."""
    text = json.dumps({"version": RECIPE_VERSION, **arguments}, sort_keys=True)
    return f"deep-v{RECIPE_VERSION}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"


def load_deep(*, base: Path | None = None, **arguments: Any) -> TaskSuite:
    """The deep suite made with `arguments` (see tasks.deep.deep_suite): read from the
    cache when it holds it, else generated and saved."""
    from tasks.deep import deep_suite

    folder = None if os.environ.get(NO_CACHE_ENV) else cache_dir(base)
    path = folder / cache_key(arguments) if folder is not None else None
    if path is not None:
        try:
            return TaskSuite.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            pass
        except (OSError, pydantic.ValidationError) as exc:
            log.info("suite cache %s unreadable (%s): regenerating it", path, exc)
    suite = deep_suite(**arguments)
    if path is not None:
        _save(suite, path)
    return suite


def _save(suite: TaskSuite, path: Path) -> None:
    try:
        write_cache_file(path, suite.model_dump_json().encode("utf-8"))
    except OSError as exc:
        log.info("deep suite not cached (%s): it is generated on every load", exc)


def clear_cache(base: Path | None = None) -> int:
    """Remove every cached deep suite (of any recipe version); how many files went."""
    folder = cache_dir(base)
    if folder is None or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("deep-v*.json"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
