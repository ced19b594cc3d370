"""Find a task suite by name (built-in) or path (a suite file a user wrote), and check
that it hangs together before any episode runs."""

from __future__ import annotations

from pathlib import Path

import pydantic

from harness.errors import ConfigError, UnknownNameError
from harness.loader import describe_validation_error, read_data_file
from harness.task import SUITE_FORMAT_VERSION, TaskSuite


def builtin_suite_names() -> list[str]:
    import tasks

    return tasks.builtin_suite_names()


def load_suite(ref: str) -> TaskSuite:
    import tasks

    if ref in tasks.builtin_suite_names():
        return tasks.load_builtin_suite(ref)
    path = Path(ref)
    if path.suffix not in (".json", ".yaml", ".yml", ".toml") and not path.exists():
        known = ", ".join(tasks.builtin_suite_names())
        raise UnknownNameError(f"unknown suite '{ref}' (built-in: {known}; or a suite file)")
    data = read_data_file(path, "suite")
    if not isinstance(data, dict):
        raise ConfigError(f"suite file '{path}': expected a mapping at the top level")
    version = data.get("format_version", SUITE_FORMAT_VERSION)
    if not isinstance(version, int) or version > SUITE_FORMAT_VERSION:
        raise ConfigError(
            f"suite file '{path}': format_version {version!r} is newer than this archbench "
            f"reads ({SUITE_FORMAT_VERSION}); upgrade archbench"
        )
    try:
        suite = TaskSuite.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"suite file '{path}': {describe_validation_error(exc)}") from None
    check_suite(suite, str(path))
    return suite


def check_suite(suite: TaskSuite, where: str) -> None:
    """Every document a task points at must exist; ids must be unique."""
    ids = [d.id for d in suite.documents]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConfigError(f"suite '{where}': document id '{dup}' is used twice")
    docs = set(ids)
    seen: set[str] = set()
    for t in suite.tasks:
        if t.id in seen:
            raise ConfigError(f"suite '{where}': task id '{t.id}' is used twice")
        seen.add(t.id)
        refs = [*t.support_docs]
        for c in t.solution.chains:
            refs += [h.doc_id for h in c.hops] + [d.doc_id for d in c.decoys]
            refs += [c.rename.doc_id] if c.rename else []
        missing = [r for r in refs if r not in docs]
        if missing:
            raise ConfigError(
                f"suite '{where}': task '{t.id}' refers to missing document '{missing[0]}'"
            )
    if not suite.tasks:
        raise ConfigError(f"suite '{where}' has no tasks")
