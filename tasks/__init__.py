"""Built-in task suites and the generator of synthetic ones.

Two suites ship as JSON files in tasks/data/ (so loading one needs no generation and the
exact bytes are reviewable): `default`, 60 synthetic English tasks from
`generate_suite(seed=0, per_family=12, name="default")`, and `article`, hand-written
bilingual tasks about the Chinese LLM start-ups of the seed article. `python -m tasks`
rewrites both files; a test checks that they match what the code generates. The third,
`deep` (web-length bilingual research tasks, tasks/deep.py), is megabytes of pages: it is
generated from its recipe on first load and cached on disk (tasks/deep_cache.py).

Example:
    >>> from tasks import builtin_suite_names, load_builtin_suite
    >>> builtin_suite_names()
    ['article', 'deep', 'default']
    >>> len(load_builtin_suite("default").tasks)
    60
"""

from __future__ import annotations

from importlib import resources

from harness.task import TaskSuite
from tasks.contract import check_contract
from tasks.generator import generate_suite

__all__ = ["builtin_suite_names", "check_contract", "generate_suite", "load_builtin_suite"]

_BUILTIN = ("article", "deep", "default")


def builtin_suite_names() -> list[str]:
    """The names `load_builtin_suite` accepts, sorted."""
    return list(_BUILTIN)


def load_builtin_suite(name: str) -> TaskSuite:
    """The shipped suite `name`; KeyError (listing the known names) for any other name."""
    if name not in _BUILTIN:
        raise KeyError(f"unknown built-in suite {name!r}; known: {', '.join(_BUILTIN)}")
    if name == "deep":
        from tasks.deep import BUILTIN
        from tasks.deep_cache import load_deep

        return load_deep(**BUILTIN)
    data = resources.files("tasks").joinpath("data", f"{name}.json").read_text("utf-8")
    return TaskSuite.model_validate_json(data)
