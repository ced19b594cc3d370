"""`python -m tasks [--check]`: rewrite (or, with --check, verify) the shipped suite files.

Run it after changing the generator, the world or the article data, then review the diff
of tasks/data/*.json: the files are the benchmark, so a change to them is a change to
every published number.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.task import TaskSuite
from tasks.article import article_suite
from tasks.contract import check_contract
from tasks.generator import generate_suite

DATA = Path(__file__).parent / "data"


def builtin_suites() -> dict[str, TaskSuite]:
    """The built-in suites as the code makes them now."""
    return {
        "article": article_suite(),
        "default": generate_suite(seed=0, per_family=12, name="default"),
    }


def dump(suite: TaskSuite) -> bytes:
    """The exact bytes of a suite file: field order, one-space indent, UTF-8 (Chinese stays
    readable), a final newline; written as bytes so no platform translates the newlines."""
    return (suite.model_dump_json(indent=1) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    status = 0
    for name, suite in builtin_suites().items():
        problems = check_contract(suite)
        for problem in problems:
            print(f"{name}: {problem}", file=sys.stderr)
        path = DATA / f"{name}.json"
        data = dump(suite)
        current = path.read_bytes() if path.exists() else None
        if problems:
            status = 1
        elif check_only:
            if current != data:
                print(f"{path} is out of date: run python -m tasks", file=sys.stderr)
                status = 1
        elif current != data:
            path.write_bytes(data)
            print(f"wrote {path} ({len(suite.tasks)} tasks, {len(suite.documents)} documents)")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
