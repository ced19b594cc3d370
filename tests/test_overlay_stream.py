"""`load_overlay` streams a run through the fold the report reads runs with
(`harness.report.overlays`): the same overlay, or the same error, as the list-based reader
it replaced (kept below as the reference), on a normal run and on damaged ones; the
report's drawings read the same; and no trace is held while reading."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
from report_runs import TASKS, make_run

from harness.drawing import load_overlay
from harness.drawing.overlay import (
    Footprint,
    Overlay,
    _path,
    footprint,
    parse_episode,
    read_config,
)
from harness.errors import ConfigError, UnknownNameError
from harness.report.fold import cell_overlay
from harness.report.load import load_run
from harness.spec import END
from harness.trace import EpisodeResult

ALL = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


# --- the reader load_overlay used to be (every line held), as the reference ------------


def _old_jsonl(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"'{path}' cannot be read: {exc.strerror}") from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            if i == len(lines):
                continue
            raise ConfigError(f"'{path}' line {i} is not JSON") from None
        if isinstance(obj, dict):
            out.append(obj)
    return out


def _old_move(fp: Footprint, a: str, b: str) -> str:
    if (a, b) not in fp._paths:
        fp._paths[(a, b)] = _path(fp._flow, a, b)
    path = fp._paths[(a, b)]
    if path is None:
        fp.visits[b] += 1
        return b
    for u, v in zip(path, path[1:], strict=False):
        fp.edges[(u, v)] += 1
        fp.visits[v] += 1
    return b


def _old_walk(fp: Footprint, steps: Any, finished: bool) -> None:
    compiled, g = fp.compiled, fp.compiled.graph
    events: list[tuple[str, str]] = []
    runs: dict[tuple[str, str], set[str]] = {}
    for s in steps:
        node, branch = str(s.get("node")), str(s.get("branch", "main"))
        if node not in g:
            raise ConfigError(
                f"run directory '{fp.dir}' does not match architecture "
                f"'{compiled.name}': its trace has a step on node '{node}', which the "
                "architecture does not have"
            )
        if branch == "main":
            key = (node, "")
        else:
            fan, _, rest = branch.partition("#")
            if fan not in compiled.nodes or compiled.nodes[fan].kind != "fan_out":
                key = (node, "")
            else:
                key = (fan, rest.partition("/")[0])
                runs.setdefault(key, set()).add(branch)
        if not events or events[-1] != key:
            events.append(key)
        for router, agent in fp._stepped:
            if node == agent:
                fp.visits[router] += 1
                if s.get("role") == compiled.nodes[router].roles[-1]:
                    fp.edges[(router, agent)] += 1
    current = compiled.spec.entry
    fp.visits[current] += 1
    for i, key in enumerate(events):
        target = key[0]
        if not (i == 0 and target == current):
            current = _old_move(fp, current, target)
        if key in runs:
            spec = compiled.nodes[target]
            assert spec.target is not None
            fp.visits[spec.target] += len(runs[key])
            fp.edges[(target, spec.target)] += len(runs[key])
    if finished:
        _old_move(fp, current, END)


def old_load_overlay(run_dir: Path, arch: str, episode: str | None = None) -> Overlay:
    d = Path(run_dir)
    fp = footprint(d, read_config(d), arch)
    name = fp.compiled.spec.name
    rows = []
    for i, obj in enumerate(_old_jsonl(d / "results.jsonl"), 1):
        try:
            rows.append(EpisodeResult.model_validate(obj))
        except pydantic.ValidationError:
            raise ConfigError(f"'{d / 'results.jsonl'}' row {i} is not an episode result") from None
    results = [r for r in rows if r.architecture == name]
    if not results:
        raise ConfigError(f"run directory '{d}' has no finished episodes of '{name}'")
    chosen = results
    if episode is not None:
        task, seed = parse_episode(episode)
        chosen = [r for r in results if r.task_id == task and (seed is None or r.seed == seed)]
        if not chosen:
            known = sorted({f"{r.task_id}@{r.seed}" for r in results})
            more = f", ... ({len(known)} in all)" if len(known) > 6 else ""
            raise UnknownNameError(
                f"episode '{episode}' is not in run '{d}' for '{results[0].architecture}' "
                f"(episodes: {', '.join(known[:6])}{more}; give TASK_ID or TASK_ID@SEED)"
            )
    keys = {(r.task_id, r.seed) for r in chosen}
    traces = {
        (t["task_id"], t["seed"]): t
        for t in _old_jsonl(d / "traces.jsonl")
        if t.get("architecture") == name and (t.get("task_id"), t.get("seed")) in keys
    }
    for r in chosen:
        steps = traces.get((r.task_id, r.seed), {}).get("steps", [])
        _old_walk(fp, steps, r.outcome in ("answered", "no_answer"))
    for r in chosen:
        fp.add_result(r)
    return fp.overlay(episode)


# --- runs, and ways to damage them ------------------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("stream") / "run", None)


def _read(fn: Callable[..., Overlay], *args: Any) -> tuple[Any, ...]:
    """Everything an overlay draws, or the error's type and message."""
    try:
        ov = fn(*args)
    except Exception as exc:  # noqa: BLE001 - compared, type and message
        return ("error", type(exc).__name__, str(exc))
    return (ov.episodes, dict(ov.nodes), dict(ov.edges), ov.totals, ov.name, ov.selection)


def _lines(d: Path, name: str) -> list[str]:
    return (d / name).read_text(encoding="utf-8").splitlines()


def _write(d: Path, name: str, lines: list[str], end: str = "\n") -> None:
    (d / name).write_text("\n".join(lines) + end, encoding="utf-8")


def _edit(d: Path, name: str, i: int, change: Callable[[dict[str, Any]], None]) -> None:
    lines = _lines(d, name)
    obj = json.loads(lines[i])
    change(obj)
    lines[i] = json.dumps(obj)
    _write(d, name, lines)


def _find(d: Path, name: str, arch: str, nth: int = 0) -> int:
    rows = [i for i, line in enumerate(_lines(d, name)) if f'"architecture":"{arch}"' in line]
    return rows[nth]


def _retrace(d: Path, arch: str, nth: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the `nth` trace line of `arch`."""
    _edit(d, "traces.jsonl", _find(d, "traces.jsonl", arch, nth), change)


def torn_results(d: Path) -> None:
    _write(d, "results.jsonl", [*_lines(d, "results.jsonl"), '{"architecture": "kimi'], end="")


def torn_traces(d: Path) -> None:
    lines = _lines(d, "traces.jsonl")
    _write(d, "traces.jsonl", [*lines[:-1], lines[-1][:80]], end="")


def torn_then_blank(d: Path) -> None:
    _write(d, "traces.jsonl", [*_lines(d, "traces.jsonl"), "{torn", ""])


def garbage_middle(d: Path) -> None:
    lines = _lines(d, "traces.jsonl")
    _write(d, "traces.jsonl", [*lines[:3], "not json", *lines[3:]])


def bad_row_then_garbage(d: Path) -> None:
    """A row another version wrote, then a line that is not JSON: the line is reported."""
    _edit(d, "results.jsonl", 2, lambda r: r.pop("family"))
    lines = _lines(d, "results.jsonl")
    _write(d, "results.jsonl", [*lines[:9], "{]", *lines[9:]])


def bad_row(d: Path) -> None:
    _edit(d, "results.jsonl", 5, lambda r: r.update(surprise=1))


def duplicate_result(d: Path) -> None:
    lines = _lines(d, "results.jsonl")
    _write(d, "results.jsonl", [*lines, lines[_find(d, "results.jsonl", "manus-workflow")]])


def duplicate_traces(d: Path) -> None:
    """Traces written two and three times, shorter or emptier: the last line counts."""
    lines = _lines(d, "traces.jsonl")
    extra = []
    for arch in ALL:
        obj = json.loads(lines[_find(d, "traces.jsonl", arch, 1)])
        full = list(obj["steps"])
        obj["steps"] = full[:2]
        extra.append(json.dumps(obj))
        obj["steps"] = full[-3:]
        extra.append(json.dumps(obj))
        obj["steps"] = []
        extra.insert(0, json.dumps(obj))
    _write(d, "traces.jsonl", [*lines, *extra])


def odd_keys(d: Path) -> None:
    """Seeds as text (no match) and as floats (a match), a line with no steps, lists and
    numbers for lines."""
    _retrace(d, "manus-workflow", 0, lambda t: t.update(seed="0"))
    _retrace(d, "minimax-hybrid", 0, lambda t: t.update(seed=0.0))
    _retrace(d, "kimi-researcher", 0, lambda t: t.pop("steps"))
    lines = _lines(d, "traces.jsonl")
    _write(d, "traces.jsonl", ["[1, 2]", *lines, "7", ""])
    _write(d, "results.jsonl", ['"text"', *_lines(d, "results.jsonl")])


def unhashable_seed(d: Path) -> None:
    _retrace(d, "manus-workflow", 2, lambda t: t.update(seed=[0]))


def unhashable_then_garbage(d: Path) -> None:
    unhashable_seed(d)
    lines = _lines(d, "traces.jsonl")
    _write(d, "traces.jsonl", [*lines[:-3], "nope", *lines[-3:]])


def odd_steps(d: Path) -> None:
    """Steps that cannot be walked (a string, null, a list with a number)."""
    _retrace(d, "kimi-researcher", 3, lambda t: t.update(steps="abc"))
    _retrace(d, "manus-workflow", 1, lambda t: t.update(steps=None))
    _retrace(d, "minimax-hybrid", 2, lambda t: t["steps"].append(3))


def odd_steps_overwritten(d: Path) -> None:
    """Steps that cannot be walked, then the episode's trace written again, right."""
    i = _find(d, "traces.jsonl", "orchestrator-workers", 2)
    good = _lines(d, "traces.jsonl")[i]
    _retrace(d, "orchestrator-workers", 2, lambda t: t["steps"].insert(1, "x"))
    _write(d, "traces.jsonl", [*_lines(d, "traces.jsonl"), good])


def ghosts(d: Path) -> None:
    """Two traces on nodes the design lacks, the later episode's written first: the error
    names the first in the results' order."""
    lines = _lines(d, "traces.jsonl")
    a = _find(d, "traces.jsonl", "kimi-researcher", 1)
    b = _find(d, "traces.jsonl", "kimi-researcher", 4)
    lines[a] = lines[a].replace('"node":"research"', '"node":"ghost_a"')
    lines[b] = lines[b].replace('"node":"research"', '"node":"ghost_b"')
    lines[a], lines[b] = lines[b], lines[a]
    _write(d, "traces.jsonl", lines)


def ghost_node_in_results(d: Path) -> None:
    """A result on a node the design lacks, and a trace too: the trace is reported."""
    i = _find(d, "results.jsonl", "kimi-researcher", 2)
    _edit(d, "results.jsonl", i, lambda r: r["by_node"].update(phantom=r["by_node"]["research"]))
    j = _find(d, "results.jsonl", "manus-workflow", 1)
    _edit(d, "results.jsonl", j, lambda r: r["by_node"].update(phantom=r["by_node"]["worker"]))
    lines = _lines(d, "traces.jsonl")
    k = _find(d, "traces.jsonl", "kimi-researcher", 5)
    lines[k] = lines[k].replace('"node":"research"', '"node":"ghost"')
    _write(d, "traces.jsonl", lines)


def no_traces(d: Path) -> None:
    (d / "traces.jsonl").unlink()


def traces_a_directory(d: Path) -> None:
    (d / "traces.jsonl").unlink()
    (d / "traces.jsonl").mkdir()


def no_config(d: Path) -> None:
    (d / "config.json").unlink()


def config_a_list(d: Path) -> None:
    (d / "config.json").write_text("[1]", encoding="utf-8")


def config_one_design(d: Path) -> None:
    """config.json lists one design; the results hold all four."""
    config = json.loads((d / "config.json").read_text(encoding="utf-8"))
    config["architectures"] = ["minimax-hybrid"]
    (d / "config.json").write_text(json.dumps(config), encoding="utf-8")


def results_only_one_design(d: Path) -> None:
    lines = [x for x in _lines(d, "results.jsonl") if '"architecture":"kimi-researcher"' in x]
    _write(d, "results.jsonl", lines)


DAMAGE = [
    torn_results,
    torn_traces,
    torn_then_blank,
    garbage_middle,
    bad_row_then_garbage,
    bad_row,
    duplicate_result,
    duplicate_traces,
    odd_keys,
    unhashable_seed,
    unhashable_then_garbage,
    odd_steps,
    odd_steps_overwritten,
    ghosts,
    ghost_node_in_results,
    no_traces,
    traces_a_directory,
    no_config,
    config_a_list,
    config_one_design,
    results_only_one_design,
]


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report"))
    return dst


# --- the same overlays ------------------------------------------------------------------


def test_a_normal_run_reads_as_before(run_dir: Path) -> None:
    task = TASKS[4]
    for arch in ALL:
        new = _read(load_overlay, run_dir, arch)
        assert new[0] != "error" and new == _read(old_load_overlay, run_dir, arch)
        for episode in (task, f"{task}@1", f"{task}@7", "nope"):
            assert _read(load_overlay, run_dir, arch, episode) == _read(
                old_load_overlay, run_dir, arch, episode
            )
    cell = load_run(run_dir, traces=0, overlay=True).cells[0]
    for arch in ALL:
        assert _read(cell_overlay, cell, arch) == _read(old_load_overlay, run_dir, arch)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_run_reads_as_before(run_dir: Path, tmp_path: Path, damage: Any) -> None:
    """`load_overlay` and the report's drawings give what the old reader gave (the overlay
    or its error) on a run damaged in each way, for every design and for one episode."""
    d = _copy(run_dir, tmp_path / "run")
    damage(d)
    cell = load_run(d, traces=0, overlay=True).cells[0]
    for arch in ALL:
        want = _read(old_load_overlay, d, arch)
        assert _read(load_overlay, d, arch) == want, arch
        assert _read(cell_overlay, cell, arch) == want, arch
        ref = f"{TASKS[1]}@1"
        assert _read(load_overlay, d, arch, ref) == _read(old_load_overlay, d, arch, ref)


def test_undecodable_bytes(run_dir: Path, tmp_path: Path) -> None:
    """A byte that is not UTF-8 fails `load_overlay` with the same error as before; the
    report reads it as a replacement character, and draws as before."""
    d = _copy(run_dir, tmp_path / "run")
    data = (d / "traces.jsonl").read_bytes()
    at = data.index(b'"content":"') + len(b'"content":"')
    (d / "traces.jsonl").write_bytes(data[:at] + b"\xff" + data[at:])
    for arch in ALL[:2]:
        assert _read(load_overlay, d, arch) == _read(old_load_overlay, d, arch)
        assert _read(load_overlay, d, arch)[1] == "UnicodeDecodeError"
    cell = load_run(d, traces=0, overlay=True).cells[0]
    for arch in ALL:
        assert _read(cell_overlay, cell, arch) == _read(old_load_overlay, run_dir, arch)


# --- no trace held ---------------------------------------------------------------------


def _peak(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_load_overlay_holds_no_trace(run_dir: Path, tmp_path: Path) -> None:
    """Traces made ~15 times as large (3 MB): the old reader's peak grows with the file (it held
    every line), the streaming one's stays far below it (one line at a time)."""
    d = _copy(run_dir, tmp_path / "run")
    lines = []
    for line in _lines(d, "traces.jsonl"):
        t = json.loads(line)
        for s in t["steps"]:
            s["content"] = "x" * 4000
        lines.append(json.dumps(t))
    _write(d, "traces.jsonl", lines)
    size = (d / "traces.jsonl").stat().st_size
    assert size > 3_000_000
    load_overlay(d, "manus-workflow")  # warm: imports and compiled designs
    old = _peak(lambda: old_load_overlay(d, "manus-workflow"))
    new = _peak(lambda: load_overlay(d, "manus-workflow"))
    assert old > size  # the reference holds the file (and its lines)
    assert new < size / 5, (new, size)  # about one line (~80 KB) at a time, and the rest
    drawn = _read(load_overlay, d, "manus-workflow")
    assert drawn == _read(old_load_overlay, run_dir, "manus-workflow")
