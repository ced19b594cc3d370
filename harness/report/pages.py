"""HTML pages: the Jinja2 environment, number filters, and the per-episode trace pages.

Trace pages draw an episode's timeline as plain HTML boxes positioned on the simulated
clock (one swimlane per branch, so parallel sub-agents sit side by side), not as images:
hundreds of pages stay small and render instantly, with no script.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import jinja2

from harness import runpaths
from harness.events import MEANING, kinds_in_order
from harness.messages import COORDINATION_PURPOSES, Purpose
from harness.report.episodes import Result
from harness.report.load import CellRun, Key
from harness.report.plots import PARTS
from harness.stats import Estimate
from harness.taxonomy import BY_CODE, OTHER, Diagnosis


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, ci=ci, money=money, num=num, signed=signed, mode=mode_label)
    env.globals.update(event_kinds=event_kinds, event_meaning=MEANING)
    return env


def event_kinds(counts: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The kinds of trace event in per-architecture counts, in `EVENT_KINDS` order."""
    return kinds_in_order(k for c in counts.values() for k in c)


def pct(e: Estimate | float | None) -> str:
    if e is None:
        return "–"
    v = e.mean if isinstance(e, Estimate) else e
    return f"{v:.1%}"


def ci(e: Estimate | None, kind: str = "pct") -> str:
    if e is None:
        return "–"
    if kind == "pct":
        return f"{e.lo:.0%}–{e.hi:.0%}"
    if kind == "pp":
        return f"{100 * e.lo:+.0f} to {100 * e.hi:+.0f} pp"
    if kind == "usd":
        return f"{e.lo:+.4f} to {e.hi:+.4f}"
    return f"{e.lo:+,.0f} to {e.hi:+,.0f}"


def signed(e: Estimate | None, kind: str = "pp") -> str:
    if e is None:
        return "unknown"
    if kind == "pp":
        return f"{100 * e.mean:+.1f} pp"
    if kind == "usd":
        return f"{e.mean:+.4f}"
    return f"{e.mean:+,.0f}"


def money(v: float | Estimate | None) -> str:
    if isinstance(v, Estimate):
        v = v.mean
    return "unknown" if v is None else f"${v:.4f}"


def num(v: float | int | None, digits: int = 0) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def mode_label(code: str) -> str:
    m = BY_CODE.get(code)
    return f"{m.label} ({m.mast})" if m else ("other: no rule fired" if code == OTHER else code)


PAGE_NAME_CHARS = 60
"""How much of an episode's readable name a trace page's file name keeps."""


def trace_file(cell: CellRun, key: Key) -> str:
    """The trace page of an episode: its readable name (cell, architecture, task, seed;
    characters a file name should not hold replaced, cut to `PAGE_NAME_CHARS`) and a
    short hash of the exact key, so that two episodes never share a page (task ids that
    differ only in replaced characters, or beyond the cut) and no name is too long for a
    file system."""
    arch, task, seed = key
    raw = f"{cell.id}-{arch}-{task}-{seed}" if cell.id != "run" else f"{arch}-{task}-{seed}"
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", raw)[:PAGE_NAME_CHARS].strip(".")
    exact = json.dumps([cell.id, arch, task, seed], ensure_ascii=False)
    digest = hashlib.sha256(exact.encode("utf-8", errors="surrogatepass")).hexdigest()[:10]
    return f"traces/{readable}-{digest}.html"


@dataclass(frozen=True)
class Bar:
    index: int
    left: float
    width: float
    colour: str
    label: str
    tip: str
    flagged: bool


@dataclass(frozen=True)
class Lane:
    branch: str
    bars: tuple[Bar, ...]


def _tool_text(tools: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for t in tools:
        args = t.get("arguments") or {}
        arg = args.get("query") or args.get("doc_id") or args.get("text") or ""
        parts.append(f"{t.get('name')}({str(arg)[:40]})")
    return ", ".join(parts)


def timeline(
    steps: Sequence[Mapping[str, Any]], roles: dict[str, str], flagged: set[int]
) -> tuple[list[Lane], list[tuple[float, str]], float]:
    """Swimlanes (main first, then sub-agents in order), axis ticks and the total span."""
    end = max((_f(s.get("start_s")) + _f(s.get("latency_s")) for s in steps), default=0.0)
    span = end or 1.0
    lanes: dict[str, list[Bar]] = {}
    for s in steps:
        role = str(s.get("role", "?"))
        colour = roles.setdefault(role, PARTS[len(roles) % len(PARTS)])
        i = int(s.get("index", -1))
        tools = [t for t in s.get("tools") or [] if isinstance(t, Mapping)]
        label = str(s.get("purpose", "")) + (": " + _tool_text(tools) if tools else "")
        tokens = int(s.get("input_tokens", 0) or 0) + int(s.get("output_tokens", 0) or 0)
        cost = s.get("cost_usd")
        tip = (
            f"step {i} · {s.get('node')} · {role} on {s.get('model')}\n"
            f"start {_f(s.get('start_s')):.1f}s, {_f(s.get('latency_s')):.1f}s · "
            f"{tokens:,} tokens · {money(cost if isinstance(cost, int | float) else None)}\n"
            f"{label}"
        )
        lanes.setdefault(str(s.get("branch", "main")), []).append(
            Bar(
                i,
                100 * _f(s.get("start_s")) / span,
                max(0.6, 100 * _f(s.get("latency_s")) / span),
                colour,
                label,
                tip,
                i in flagged,
            )
        )
    order = sorted(lanes, key=lambda b: (b != "main", _branch_key(b)))
    ticks = _ticks(span)
    return [Lane(b, tuple(lanes[b])) for b in order], ticks, end


PURPOSES: tuple[str, ...] = get_args(Purpose)
"""Every purpose the runtime calls a model for, in the order a trace page counts them."""


@dataclass(frozen=True)
class PurposeCount:
    purpose: str
    steps: int
    tokens: int
    coordination: bool


def purpose_counts(steps: Sequence[Mapping[str, Any]]) -> list[PurposeCount]:
    """Steps and tokens per purpose (act, plan, ..., verify, judge, merge, revise), known
    purposes in `PURPOSES` order, then any other a trace holds (a newer or older run's)
    by name: a purpose the report does not know is still counted, never an error."""
    steps_by: dict[str, int] = {}
    tokens_by: dict[str, int] = {}
    coord: set[str] = set()
    for s in steps:
        p = str(s.get("purpose") or "?")
        steps_by[p] = steps_by.get(p, 0) + 1
        tokens_by[p] = tokens_by.get(p, 0) + _i(s.get("input_tokens")) + _i(s.get("output_tokens"))
        if p in COORDINATION_PURPOSES or s.get("category") == "coordination":
            coord.add(p)
    rank = {p: i for i, p in enumerate(PURPOSES)}
    order = sorted(steps_by, key=lambda p: (rank.get(p, len(rank)), p))
    return [PurposeCount(p, steps_by[p], tokens_by[p], p in coord) for p in order]


def _i(v: Any) -> int:
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0


def _f(v: Any) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


def _branch_key(branch: str) -> tuple[str, int, int]:
    head, _, tail = branch.partition("#")
    rnd, _, i = tail.partition("/")
    return (head, int(rnd) if rnd.isdigit() else 0, int(i) if i.isdigit() else 0)


def _ticks(span: float) -> list[tuple[float, str]]:
    raw = span / 5
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    out: list[tuple[float, str]] = []
    t = 0.0
    while t <= span + 1e-9:
        out.append((100 * t / span, f"{t:g}s"))
        t += step
    return out


def _by_step(diagnosis: Diagnosis | None) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for e in diagnosis.evidence if diagnosis else ():
        if e.step is not None:
            out.setdefault(e.step, []).append(f"{mode_label(e.tag)}: {e.why}")
    return out


def render_trace_page(
    env: jinja2.Environment,
    cell: CellRun,
    result: Result,
    diagnosis: Diagnosis | None,
    back: str,
    title: str,
) -> str:
    """The HTML of an episode's trace page (written at `trace_file(cell, key)`)."""
    key = (result.architecture, result.task_id, result.seed)
    steps = cell.traces.get(key, [])
    flagged = {e.step for e in diagnosis.evidence if e.step is not None} if diagnosis else set()
    roles: dict[str, str] = {}
    lanes, ticks, span = timeline(steps, roles, flagged)
    return env.get_template("trace.html.j2").render(
        title=title,
        back=back,
        cell=cell,
        r=result,
        steps=steps,
        lanes=lanes,
        ticks=ticks,
        span=span,
        roles=roles,
        purposes=purpose_counts(steps),
        diagnosis=diagnosis,
        evidence=_by_step(diagnosis),
        events=cell.events.get(key, []),
    )


def write_trace_page(
    env: jinja2.Environment,
    out_dir: Path,
    cell: CellRun,
    result: Result,
    diagnosis: Diagnosis | None,
    back: str,
    title: str,
) -> None:
    """Write an episode's trace page under `out_dir` (a report writes it through its
    `ReportFiles`, which lists it in the manifest)."""
    page = render_trace_page(env, cell, result, diagnosis, back, title)
    rel = trace_file(cell, (result.architecture, result.task_id, result.seed))
    runpaths.mkdirs(out_dir, "traces")
    runpaths.write_text(out_dir, rel, page)
