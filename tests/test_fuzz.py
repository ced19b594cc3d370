"""Fuzz the CLI with what users (and their scripts) give it: architecture files (YAML,
TOML, JSON) of random structures and random mutations of the built-in specs, suite files
likewise, and random values for every counting flag.

Whatever comes in, a run ends with exit code 0, 1 (episodes in error) or 2 (a user
mistake); exit 2 is exactly one line on stderr, starting "archbench: error:"; nothing
prints a traceback; and nothing is written in the working directory but the run
directory (and the --json file) the command was given. Each command runs in-process in a
fresh temporary working directory whose listing is compared before and after.

The example counts are small (the whole file takes about 20 s on two cores) and the
examples are derandomized: the same examples every run, so a failure reproduces. For a
longer hunt with new examples: ARCHBENCH_FUZZ_EXAMPLES=1000 ARCHBENCH_FUZZ_RANDOM=1.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import bounds
from harness.backends.providers import LOOPBACK_ONLY_ENV
from harness.cli import main
from harness.loader import builtin_architectures, load_architecture
from harness.task import TaskSuite

FUZZ = settings(
    max_examples=int(os.environ.get("ARCHBENCH_FUZZ_EXAMPLES", "50")),  # more: a longer hunt
    deadline=None,
    derandomize=not os.environ.get("ARCHBENCH_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BIG = "99999999999999999999"
RUN = "run"  # the run directory every command is given
JSON_OUT = "s.json"  # and the --json file


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No model id the fuzzer makes can reach a network, and the CPU count is fixed."""
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")
    for var in ("OPENAI_API_KEY", "DEEPSEEK_API_KEY", "MOONSHOT_API_KEY", "DASHSCOPE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(bounds, "cpu_count", lambda: 2)


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def check_cli(argv: list[str], files: dict[str, bytes] | None = None) -> int:
    """Run `archbench ARGV` in a fresh working directory holding `files`; check the
    promises; return the exit code."""
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        root = Path(tmp)
        for name, data in (files or {}).items():
            (root / name).write_bytes(data)
        before = _listing(root)
        out, err = io.StringIO(), io.StringIO()
        code: Any = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code if exc.code is not None else 0
        stderr = err.getvalue()
        assert code in (0, 1, 2), (argv, code, stderr)
        assert "Traceback" not in stderr and "Traceback" not in out.getvalue(), (argv, stderr)
        if code == 2:
            lines = stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("archbench: error: "), (argv, stderr)
        new = [p for p in _listing(root) if p not in before]
        if code == 2:  # a mistake: nothing at all is written
            assert new == [], (argv, new)
        outside = [p for p in new if p not in (JSON_OUT, RUN) and not p.startswith(RUN + os.sep)]
        assert outside == [], (argv, outside)
        for name, data in (files or {}).items():
            assert (root / name).read_bytes() == data, (argv, name)  # inputs untouched
        return int(code)


# --- random data, and random mutations of real data ------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["[/x]", "\x1b[31m", "${max_steps}", "agent", "mock/kimi-k2", "end", ""]),
    st.sampled_from(["\ud800", "a\udfff"]),  # lone surrogates: JSON escapes them
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `data` (dict keys and list indices)."""
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _strings(data: Any) -> list[str]:
    """Every string in `data`, keys included: names a mutation can swap in."""
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (str(k), *_strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


def _like(value: Any, names: list[str]) -> st.SearchStrategy[Any]:
    """A replacement of the same kind as `value` most of the time (so the mutated file
    gets past the schema and exercises what comes after), any structure otherwise."""
    same: st.SearchStrategy[Any]
    if isinstance(value, bool):
        same = st.booleans()
    elif isinstance(value, int):
        same = st.one_of(st.integers(-3, 40), st.sampled_from([10**9, 2**63, -(2**40)]))
    elif isinstance(value, float):
        same = st.floats(allow_nan=True, allow_infinity=True)
    elif isinstance(value, str):
        same = st.one_of(st.sampled_from(names or [""]), st.text(max_size=8))
    else:
        same = structures
    return st.one_of(same, same, structures)


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """`original` with one to three values replaced, deleted or duplicated."""
    names = sorted(set(_strings(original)))
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return draw(structures)
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[last]
        elif action == "delete" and isinstance(parent, list):
            parent.pop(last)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        else:
            parent[last] = draw(_like(parent[last], names))
    return data


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v) if v == v and abs(v) != float("inf") else ("nan" if v != v else "inf")
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        items = (f"{json.dumps(str(k))} = {_toml_value(x)}" for k, x in v.items() if x is not None)
        return "{" + ", ".join(items) + "}"
    return json.dumps(str(v))


def serialised(data: Any, fmt: str) -> bytes:
    """`data` as a .json, .yaml or .toml file (TOML: a top-level table, None left out)."""
    if fmt == "json":
        return json.dumps(data).encode("utf-8", "surrogatepass")
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")
    table = data if isinstance(data, dict) else {"value": data}
    lines = [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


SPECS = {n: load_architecture(n).model_dump(mode="json") for n in builtin_architectures()}


@st.composite
def file_content(draw: st.DrawFn, originals: list[Any]) -> tuple[str, bytes]:
    """A file name (its suffix the format) and its bytes: random data, a mutated original,
    or raw bytes."""
    fmt = draw(st.sampled_from(["json", "yaml", "toml"]))
    kind = draw(st.sampled_from(["mutated", "mutated", "random", "bytes"]))
    if kind == "bytes":
        return f"f.{fmt}", draw(st.binary(max_size=200))
    data = draw(mutated(draw(st.sampled_from(originals)))) if kind == "mutated" else None
    if kind == "random":
        data = draw(structures)
    return f"f.{fmt}", serialised(data, fmt)


# --- the fuzz tests --------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_fuzzed_architecture_files_never_crash(data: st.DataObject, mini_file: Path) -> None:
    name, content = data.draw(file_content(list(SPECS.values())), label="architecture file")
    command = data.draw(st.sampled_from(["compare", "run", "graph"]), label="command")
    if command == "compare":
        argv = ["compare", "-a", name, "--suite", str(mini_file), "-t", "mini-lookup"]
        argv += ["--seeds", "1", "--max-steps", "8", "-q", "-o", RUN, "--no-report"]
    elif command == "run":
        argv = ["run", name, "-t", "mini-multi", "--suite", str(mini_file), "--max-steps", "8"]
    else:
        argv = ["graph", name]
    check_cli(argv, {name: content})


@FUZZ
@given(data=st.data())
def test_fuzzed_suite_files_never_crash(data: st.DataObject, mini: TaskSuite) -> None:
    original = json.loads(mini.model_dump_json())
    name, content = data.draw(file_content([original]), label="suite file")
    argv = ["compare", "-a", "kimi-researcher", "--suite", name, "--seeds", "1"]
    argv += ["--max-steps", "8", "-q", "-o", RUN, "--no-report"]
    if data.draw(st.booleans(), label="one task"):
        argv += ["-t", data.draw(st.sampled_from(["mini-lookup", "mini-breadth", "nope"]))]
    check_cli(argv, {name: content})


def _number(low: int, high: int, *extra: str) -> st.SearchStrategy[str]:
    """Mostly numbers in a valid range (so runs get past the checks), sometimes not."""
    valid = st.integers(max(low, 1), high).map(str)
    return st.one_of(
        valid,
        valid,
        st.integers(low, high).map(str),
        st.sampled_from([BIG, "x", "", "1e3", *extra]),
    )


ROLES = ["agent", "worker", "planner", "*", "nope", "kimi-researcher:agent", "x:agent", ""]
MODELS = [
    "mock/kimi-k2",
    "mock/qwen-plus?skill=0.9",
    "mock/kimi-k2?skill=nan",
    "mock/kimi-k2?skill=2",
    "mock/kimi-k2?context_window=1",
    "mock/nope",
    "nope/x",
    "x",
    "openai/gpt-4o",
    "openai/gpt-4o?api_key=sk-fuzz0123456789",
    "openai-compatible/x@https://u:p@example.com/v1",
    "mock/kimi-k2?[/x]=1",
]
PARAMS = ["max_steps", "min_reads", "max_workers", "context_threshold", "nope", "*", ""]
VALUES = ["nan", "inf", "-0", "1e400", "true", "", BIG, "[/x]", "3", "0", "-2", "2.5"]


@FUZZ
@given(data=st.data())
def test_fuzzed_flag_values_never_crash(data: st.DataObject) -> None:
    """Seeds, -j, -w, --set, --model, budgets, --worlds and --baseline on a comparison of
    two designs on one task (a few episodes when the values are valid)."""
    draw = data.draw
    argv = ["compare", "--suite", "default", "-t", "default-lookup-01", "-q", "-o", RUN]
    argv += ["-a", "kimi-researcher", "-a", "manus-workflow", "--no-report"]
    options: list[tuple[str, st.SearchStrategy[str]]] = [
        ("--seeds", _number(-2, 3)),
        ("--seed", _number(-3, 5, str(2**31 - 1), str(2**31))),
        ("-j", _number(-1, 3, "100000000")),
        ("-w", st.sampled_from(["0", "1", "-1", "3", "1000", BIG, "x"])),
        ("--worlds", _number(-1, 3, "100000")),
        ("--max-steps", _number(-1, 12)),
        ("--max-tokens", _number(-1, 20000)),
        ("--max-cost", st.sampled_from(["nan", "inf", "-1", "0", "0.001", "1e308", "x"])),
        ("--baseline", st.sampled_from(["kimi-researcher", "manus-workflow", "nope", "[/x]"])),
        ("--max-errors", _number(-1, 3)),
        ("--json", st.sampled_from([JSON_OUT, "missing/s.json", ".", "-"])),
    ]
    chosen = draw(st.lists(st.sampled_from(options), max_size=4, unique=True), label="flags")
    for flag, values in chosen:  # a few at a time: most runs then get past the checks
        argv += [flag, draw(values, label=flag)]
    if draw(st.booleans(), label="--force-workers"):
        argv.append("--force-workers")
    for _ in range(draw(st.integers(0, 1), label="--set count")):
        key = draw(st.sampled_from(PARAMS))
        value = draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=6)))
        argv += ["--set", f"{key}={value}"]
    for _ in range(draw(st.integers(0, 1), label="--model count")):
        role = draw(st.sampled_from(ROLES))
        model = draw(st.one_of(st.sampled_from(MODELS), st.text(max_size=10)))
        argv += ["--model", f"{role}={model}"]
    check_cli(argv)


@FUZZ
@given(data=st.data())
def test_fuzzed_sweep_grids_never_crash(data: st.DataObject) -> None:
    """Sweep axes with random keys and values (task settings, budgets, parameters)."""
    keys = ["hops", "breadth", "per_family", "distractors", "alias_rate", "budget_usd"]
    keys += ["budget_tokens", "budget_steps", "max_steps", "skill", "model.agent", "nope"]
    values = st.one_of(
        st.integers(-2, 6).map(str),
        st.sampled_from(["2-3", "4-2", "nan", "inf", "0.5", "1000000", "mock/kimi-k2", ""]),
    )
    axes = []
    for _ in range(data.draw(st.integers(0, 2), label="axes")):
        key = data.draw(st.sampled_from(keys), label="key")
        axes.append(f"{key}={','.join(data.draw(st.lists(values, min_size=1, max_size=3)))}")
    argv = ["sweep", *axes, "-a", "kimi-researcher", "-f", "lookup", "--seeds", "1", "-q"]
    argv += ["-o", RUN, "--no-report"]
    if not any(a.startswith("max_steps=") for a in axes):
        argv += ["--set", "max_steps=4"]  # short episodes
    check_cli(argv)
