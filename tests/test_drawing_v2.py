"""The language's v2 constructs in every drawing format, in overlays and in the report:
splits and their join, fan-out copies, aggregate strategies and debate rounds, verifier
agents, router conditions, and the verify/judge/merge/revise steps they record.

The designs are `ArchitectureSpec`s that `compile_architecture` accepts (checked below);
`hand_compile` builds the graph the way `harness.graph._build_graph` does (flow edges carry
`label`, defaulting to `when`, and `when`) without its validation, so that the drawing
layer is also tested on the graph alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import pytest

from harness.compare import compare
from harness.drawing import graphviz_available, load_overlay
from harness.drawing import graphviz_render as gv
from harness.drawing.ascii import to_ascii
from harness.drawing.fallback import render_fallback
from harness.drawing.mermaid import to_mermaid
from harness.drawing.overlay import Footprint, Overlay
from harness.drawing.render import draw
from harness.drawing.scene import Figure, build_figure
from harness.drawing.style import model_colours
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import builtin_architectures, load_architecture
from harness.report import write_report
from harness.report.load import CellRun
from harness.report.pages import environment, purpose_counts, render_trace_page
from harness.spec import END, ArchitectureSpec, EdgeSpec, NodeSpec
from harness.taxonomy import diagnose
from harness.trace import EpisodeResult, UsageTotals

needs_dot = pytest.mark.skipif(not graphviz_available(), reason="Graphviz 'dot' not installed")


def _n(name: str, kind: str, **kw: Any) -> NodeSpec:
    return NodeSpec.model_validate({"name": name, "kind": kind, **kw})


def _e(source: str, target: str, **kw: Any) -> EdgeSpec:
    return EdgeSpec.model_validate({"source": source, "target": target, **kw})


ENSEMBLE = ArchitectureSpec(
    name="ensemble-debate",
    description="Three copies answer, debate twice, then vote.",
    roles={"peer": "mock/kimi-k2"},
    entry="copies",
    nodes=[
        _n("copies", "fan_out", target="peer", copies=3),
        _n("peer", "agent", role="peer", input="question", max_steps=5),
        _n("pool", "aggregate", strategy="vote", rounds=2),
    ],
    edges=[_e("copies", "pool"), _e("pool", END)],
)

MOA = ArchitectureSpec(
    name="moa",
    description="A split into three branches on different models, merged by a strong one.",
    roles={
        "a": "mock/qwen-plus",
        "b": "mock/deepseek-r1",
        "c": "mock/minimax-m1",
        "big": "mock/claude-opus-4",
    },
    entry="frame",
    nodes=[
        _n("frame", "agent", role="big", prompt="worker", tools=["answer"], max_steps=1),
        _n("x", "agent", role="a", max_steps=4),
        _n("y", "agent", role="b", max_steps=4),
        _n("y2", "agent", role="b", input="handoff", max_steps=2),
        _n("z", "agent", role="c", max_steps=4),
        _n("mix", "aggregate", strategy="merge", role="big"),
    ],
    edges=[
        _e("frame", "x"),
        _e("frame", "y"),
        _e("frame", "z"),
        _e("x", "mix"),
        _e("y", "y2"),
        _e("y2", "mix"),
        _e("z", "mix"),
        _e("mix", END),
    ],
)

VERIFIER = ArchitectureSpec(
    name="verified",
    description="A researcher answers, a verifier checks, a router sends it back.",
    roles={"r": "mock/kimi-researcher", "v": "mock/o3"},
    entry="research",
    nodes=[
        _n("research", "agent", role="r", max_steps=10),
        _n("check", "agent", role="v", prompt="verify", tools=["open", "answer"], max_steps=4),
        _n("gate", "router", max_visits=3),
        _n("triage", "router", role="v", max_visits=2),
        _n("alt", "agent", role="v", input="handoff", max_steps=3),
        _n("wrap", "agent", role="r", input="handoff", tools=["answer"], max_steps=1),
    ],
    edges=[
        _e("research", "check"),
        _e("check", "gate"),
        _e("gate", END, when="accepted"),
        _e("gate", "research", when="rejected", label="critique"),
        _e("gate", "triage", when="otherwise"),
        _e("triage", "alt", when="choice", label="retry"),
        _e("triage", "wrap", when="choice", label="give up"),
        _e("alt", "check"),
        _e("wrap", END),
    ],
)

PANEL = ArchitectureSpec(
    name="panel",
    description="Workers report, debate once, a judge picks; a verifier checks.",
    roles={"lead": "mock/claude-opus-4", "w": "mock/qwen-plus", "v": "mock/o3"},
    entry="plan",
    nodes=[
        _n("plan", "planner", role="lead"),
        _n("fan", "fan_out", target="worker", width=4),
        _n("worker", "agent", role="w", input="subtask", max_steps=6),
        _n("bench", "aggregate", strategy="judge", role="lead", rounds=1),
        _n("check", "agent", role="v", prompt="verify", input="handoff", max_steps=3),
        _n("gate", "router", rule="model", role="lead", max_visits=2, default="done"),
    ],
    edges=[
        _e("plan", "fan"),
        _e("fan", "bench"),
        _e("bench", "check"),
        _e("check", "gate"),
        _e("gate", END, label="done"),
        _e("gate", "plan", label="replan"),
    ],
)
"""Its overlay is also read from a run directory, as `archbench graph --run` reads one."""

DESIGNS = {s.name: s for s in (ENSEMBLE, MOA, VERIFIER, PANEL)}
BUILTINS = list(builtin_architectures())


def hand_compile(spec: ArchitectureSpec) -> CompiledArchitecture:
    """The graph `_build_graph` builds, without its validation."""
    nodes = {n.name: n for n in spec.nodes}
    g = nx.DiGraph(name=spec.name)
    for n in spec.nodes:
        g.add_node(n.name, kind=n.kind, role=n.role, model=spec.roles.get(n.role or ""), spec=n)
    g.add_node(END, kind="end", role=None, model=None, spec=None)
    for e in spec.edges:
        label = e.label if e.label is not None else e.when
        g.add_edge(e.source, e.target, kind="flow", label=label, when=e.when)
    for n in spec.nodes:
        if n.kind == "fan_out":
            g.add_edge(n.name, n.target, kind="parallel", label=None, width=n.width)
        if n.step_router:
            g.add_edge(n.step_router, n.name, kind="select", label="picks model")
    return CompiledArchitecture(
        spec,
        MappingProxyType({}),
        MappingProxyType(dict(spec.roles)),
        MappingProxyType(nodes),
        g,
    )


def compiled(spec: ArchitectureSpec) -> CompiledArchitecture:
    return compile_architecture(spec)


def fig_of(spec: ArchitectureSpec, overlay: Overlay | None = None) -> Figure:
    c = overlay.compiled if overlay is not None else compiled(spec)
    return build_figure([c], None if overlay is None else [overlay])


def _edges(g: Any) -> list[tuple[str, str, Any, Any, Any]]:
    """Every edge with its kind, label and condition, in the graph's order (widths are
    `${param}`s until a real compile)."""
    return [(u, v, d.get("kind"), d.get("label"), d.get("when")) for u, v, d in g.edges(data=True)]


@pytest.mark.parametrize("name", [*BUILTINS, *DESIGNS])
def test_hand_compile_builds_the_graph_graph_py_builds(name: str) -> None:
    spec = DESIGNS[name] if name in DESIGNS else load_architecture(name)
    assert _edges(hand_compile(spec).graph) == _edges(compile_architecture(spec).graph)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_the_graph_alone_draws_as_the_compiled_design(name: str) -> None:
    """The drawing reads constructs from the graph, not from what the compiler adds."""
    for fmt in ("dot", "mermaid", "ascii"):
        by_hand = draw(build_figure([hand_compile(DESIGNS[name])]), fmt)
        assert by_hand == draw(fig_of(DESIGNS[name]), fmt), fmt


# --- every format ----------------------------------------------------------------------


def test_mermaid_shows_every_construct() -> None:
    ens = to_mermaid(fig_of(ENSEMBLE))
    assert "×3 copies" in ens and "debate, 2 rounds → vote: majority answer" in ens
    assert 'n_copies ==>|"×3 copies"| n_peer' in ens
    moa = to_mermaid(fig_of(MOA))
    for branch in ("x", "y", "z"):
        assert f"n_frame ==> n_{branch}" in moa  # parallel branches: thick arrows
    assert 'n_x -.->|"answer"| n_mix' in moa and 'n_y2 -.->|"answer"| n_mix' in moa
    assert "n_y --> n_y2" in moa  # inside a branch: plain flow
    assert "joins 3 branches · merge: one answer from all" in moa
    assert "splits into 3 parallel branches" in moa
    assert "role: big<br/>mock/claude-opus-4" in moa  # the merging model
    ver = to_mermaid(fig_of(VERIFIER))
    assert 'n_check[/"<b>check</b>' in ver and "verifier: accept or reject" in ver
    for text in ("accepted", "rejected → critique", "choice: retry", "otherwise"):
        assert f'|"{text}"|' in ver
    assert "first condition that holds · ≤ 3 visits" in ver
    assert "its model chooses · ≤ 2 visits" in ver
    panel = to_mermaid(fig_of(PANEL))
    assert "debate, 1 round → judge: picks one answer" in panel
    assert "role: lead<br/>mock/claude-opus-4" in panel


def test_ascii_shows_every_construct() -> None:
    ens = to_ascii(fig_of(ENSEMBLE))
    assert "×3 copies" in ens and "vote: majority answer" in ens and "debate, 2 rounds" in ens
    assert "║" in ens  # the copies run in parallel: a double line
    moa = to_ascii(fig_of(MOA))
    assert "splits into 3 parallel branches" in moa and "joins 3 branches" in moa
    assert "merge: one answer from all" in moa and "║▼ parallel branch" in moa
    ver = to_ascii(fig_of(VERIFIER))
    assert "╓─ verifier ─" in ver and "╓╖ verifier" in ver  # its box and the legend
    for text in ("accepted", "rejected → critique", "choice: retry", "otherwise"):
        assert text in ver
    plain = to_ascii(fig_of(VERIFIER), unicode=False)
    assert plain.isascii() and "rejected -> critique" in plain and "[] verifier" in plain
    assert "x3 copies" in to_ascii(fig_of(ENSEMBLE), unicode=False)
    assert "judge: picks one answer" in to_ascii(fig_of(PANEL))


def _dot_line(src: str, start: str) -> str:
    return next(line for line in src.splitlines() if line.strip().startswith(start))


def test_dot_source_shows_every_construct() -> None:
    ens = gv.dot_source(fig_of(ENSEMBLE))
    assert "×3 copies" in _dot_line(ens, "copies -> peer")
    assert "debate, 2 rounds → vote: majority answer" in ens
    moa = gv.dot_source(fig_of(MOA))
    for branch in ("x", "y", "z"):
        assert '"#444444:invis:#444444"' in _dot_line(moa, f"frame -> {branch}")
    assert "style=dashed" in _dot_line(moa, "x -> mix") and "answer" in _dot_line(moa, "x -> mix")
    assert "parallel branch (split)" in moa  # the legend
    mix = _dot_line(moa, "mix [")
    opus = model_colours(["mock/claude-opus-4"])["mock/claude-opus-4"].fill
    assert f'fillcolor="{opus}"' in mix and "merge: one answer from all" in mix
    ver = gv.dot_source(fig_of(VERIFIER))
    check = _dot_line(ver, "check [")
    assert "shape=octagon" in check and "verifier: accept or reject" in check
    assert "legend_verifier" in ver
    for edge, text in [
        (f"gate -> {END}", "accepted"),
        ("gate -> research", "rejected → critique"),
        ("gate -> triage", "otherwise"),
        ("triage -> alt", "choice: retry"),
        ("triage -> wrap", "choice: give up"),
    ]:
        assert f'label=" {text} "' in _dot_line(ver, edge)


@needs_dot
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_svg_through_dot_draws_every_node(name: str) -> None:
    svg = draw(fig_of(DESIGNS[name]), "svg").decode()
    for node in DESIGNS[name].nodes:
        assert f"<title>{node.name}</title>" in svg
    wants = {
        "ensemble-debate": "×3 copies",
        "moa": "joins 3 branches",
        "verified": "rejected → critique",
        "panel": "judge: picks one answer",
    }
    assert wants[name] in svg


def _texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every text the matplotlib fallback writes in its axes."""
    from matplotlib.axes import Axes

    seen: list[str] = []
    original = Axes.text

    def text(self: Axes, x: float, y: float, s: str, *a: Any, **kw: Any) -> Any:
        seen.append(s)
        return original(self, x, y, s, *a, **kw)

    monkeypatch.setattr(Axes, "text", text)
    return seen


def test_matplotlib_fallback_shows_every_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _texts(monkeypatch)
    for spec in DESIGNS.values():
        assert render_fallback(fig_of(spec), "png")[:4] == b"\x89PNG"
    for text in (
        "×3 copies",
        "debate, 2 rounds → vote: majority answer",
        "joins 3 branches · merge: one answer from all",
        "splits into 3 parallel branches",
        "verifier: accept or reject",
        "rejected → critique",
        "choice: retry",
        "otherwise",
        "accepted",
        "debate, 1 round → judge: picks one answer",
    ):
        assert any(text in s for s in seen), text


def test_matplotlib_fallback_draws_a_verifier_as_an_octagon() -> None:
    from harness.drawing.fallback import _octagon, _outer

    assert len(_octagon(0, 0, 2, 1, 0.2)) == 8
    assert _outer("verifier", 2.0, 1.0) != _outer("agent", 2.0, 1.0)


NEW_BUILTINS = {
    "independent": ["×3 copies", "vote: majority answer"],
    "decentralized": ["×3 copies", "debate, 2 rounds → vote: majority answer"],
    "hybrid-debate": ["debate, 1 round → collects reports"],
    "verifier-loop": ["verifier: accept or reject", "accepted", "rejected"],
    "mixture-of-agents": [
        "splits into 3 parallel branches",
        "joins 3 branches · merge: one answer from all",
        "role: aggregator",
    ],
}


@pytest.mark.parametrize("name", sorted(NEW_BUILTINS))
def test_the_new_built_ins_show_their_constructs_in_every_text_format(name: str) -> None:
    for fmt in ("dot", "mermaid", "ascii"):
        text = draw(build_figure([compile_architecture(load_architecture(name))]), fmt).decode()
        for want in NEW_BUILTINS[name]:
            assert want in text, (fmt, want)
    if name == "independent":  # copies hand on answers (Mermaid draws the graph's edges)
        assert "┆ answers" in draw(build_figure([compiled_builtin(name)]), "ascii").decode()


def compiled_builtin(name: str) -> CompiledArchitecture:
    return compile_architecture(load_architecture(name))


def _formats() -> Iterator[str]:
    yield from ("dot", "mermaid", "ascii")
    if graphviz_available():
        yield "svg"


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_every_format_is_deterministic(name: str) -> None:
    for fmt in _formats():
        assert draw(fig_of(DESIGNS[name]), fmt) == draw(fig_of(DESIGNS[name]), fmt), fmt
    first = render_fallback(fig_of(DESIGNS[name]), "svg")
    assert first == render_fallback(fig_of(DESIGNS[name]), "svg")


# --- traces, overlays, the report -------------------------------------------------------


def _step(i: int, node: str, branch: str, role: str, purpose: str, **kw: Any) -> dict[str, Any]:
    step = {
        "index": i,
        "branch": branch,
        "node": node,
        "role": role,
        "model": "mock/x",
        "purpose": purpose,
        "category": "research" if purpose == "act" else "coordination",
        "start_s": float(i),
        "latency_s": 1.0,
        "input_tokens": 100,
        "cached_input_tokens": 0,
        "output_tokens": 10,
        "reasoning_tokens": 0,
        "cost_usd": 0.001,
        "content": "",
        "tools": [],
    }
    return {**step, **kw}


def _answer(text: str, cites: list[str]) -> list[dict[str, Any]]:
    args = {"text": text, "citations": cites}
    return [{"name": "answer", "arguments": args, "result": "", "error": False, "latency_s": 0}]


def _result(spec: ArchitectureSpec, steps: list[dict[str, Any]], **kw: Any) -> EpisodeResult:
    by_node: dict[str, UsageTotals] = {}
    for s in steps:
        u = by_node.setdefault(s["node"], UsageTotals())
        u.steps += 1
        u.input_tokens += s["input_tokens"]
        u.output_tokens += s["output_tokens"]
        u.cost_usd = (u.cost_usd or 0.0) + s["cost_usd"]
    fields: dict[str, Any] = {
        "architecture": spec.name,
        "task_id": "t1",
        "family": "lookup",
        "seed": 0,
        "outcome": "answered",
        "answer": "Acme",
        "by_node": by_node,
        "totals": UsageTotals(steps=len(steps)),
    }
    return EpisodeResult(**{**fields, **kw})


TRACES: dict[str, list[dict[str, Any]]] = {
    "ensemble-debate": [
        _step(0, "peer", "copies#1/0", "peer", "act"),
        _step(1, "peer", "copies#1/1", "peer", "act"),
        _step(2, "peer", "copies#1/2", "peer", "act"),
        _step(3, "peer", "copies#1/0", "peer", "act"),
        *(_step(4 + i, "pool", f"copies#1/{i}", "peer", "revise") for i in range(3)),
        *(_step(7 + i, "pool", f"copies#1/{i}", "peer", "revise") for i in range(3)),
    ],
    "moa": [
        _step(0, "frame", "main", "big", "act"),
        _step(1, "x", "frame#1/x", "a", "act"),
        _step(2, "y", "frame#1/y", "b", "act"),
        _step(3, "z", "frame#1/z", "c", "act"),
        _step(4, "y2", "frame#1/y", "b", "act"),
        _step(5, "mix", "main", "big", "merge", tools=_answer("Acme", ["d1"])),
    ],
    "verified": [
        _step(0, "research", "main", "r", "act"),
        _step(1, "check", "main", "v", "verify", tools=_answer("reject: no source", [])),
        _step(2, "research", "main", "r", "act"),
        _step(3, "check", "main", "v", "verify", tools=_answer("accept", [])),
    ],
    "panel": [
        _step(0, "plan", "main", "lead", "plan"),
        _step(1, "worker", "fan#1/0", "w", "act"),
        _step(2, "worker", "fan#1/1", "w", "act"),
        _step(3, "bench", "fan#1/0", "w", "revise"),
        _step(4, "bench", "fan#1/1", "w", "revise"),
        _step(5, "bench", "main", "lead", "judge"),
        _step(6, "check", "main", "v", "verify", tools=_answer("accept", [])),
        _step(7, "gate", "main", "lead", "route"),
    ],
}

EXPECTED: dict[str, tuple[dict[str, int], dict[tuple[str, str], int]]] = {
    "ensemble-debate": (
        {"copies": 1, "peer": 3, "pool": 1, END: 1},
        {("copies", "peer"): 3, ("copies", "pool"): 1, ("pool", END): 1},
    ),
    "moa": (
        {"frame": 1, "x": 1, "y": 1, "y2": 1, "z": 1, "mix": 1, END: 1},
        {
            ("frame", "x"): 1,
            ("frame", "y"): 1,
            ("frame", "z"): 1,
            ("x", "mix"): 1,
            ("y", "y2"): 1,
            ("y2", "mix"): 1,
            ("z", "mix"): 1,
            ("mix", END): 1,
        },
    ),
    "verified": (
        {"research": 2, "check": 2, "gate": 2, "triage": 0, "alt": 0, "wrap": 0, END: 1},
        {
            ("research", "check"): 2,
            ("check", "gate"): 2,
            ("gate", "research"): 1,
            ("gate", END): 1,
            ("gate", "triage"): 0,
            ("triage", "alt"): 0,
        },
    ),
    "panel": (
        {"plan": 1, "fan": 1, "worker": 2, "bench": 1, "check": 1, "gate": 1, END: 1},
        {
            ("plan", "fan"): 1,
            ("fan", "worker"): 2,
            ("fan", "bench"): 1,
            ("bench", "check"): 1,
            ("check", "gate"): 1,
            ("gate", END): 1,
            ("gate", "plan"): 0,
        },
    ),
}


def overlay_of(spec: ArchitectureSpec, tmp: Path) -> Overlay:
    fp = Footprint(compiled(spec), tmp)
    steps = TRACES[spec.name]
    fp.add_result(_result(spec, steps))
    fp.walk(steps, finished=True)
    return fp.overlay()


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_overlay_walks_the_new_constructs(name: str, tmp_path: Path) -> None:
    ov = overlay_of(DESIGNS[name], tmp_path)
    visits, edges = EXPECTED[name]
    assert {n: ov.nodes[n].visits for n in visits} == visits
    assert {e: ov.edges[e] for e in edges} == edges
    steps = Counter(s["node"] for s in TRACES[name])
    assert {n: ov.nodes[n].steps for n in steps} == dict(steps)  # revise/judge/merge counted


def test_overlay_drawings_show_the_coordination_steps(tmp_path: Path) -> None:
    ov = overlay_of(ENSEMBLE, tmp_path)
    fig = fig_of(ENSEMBLE, ov)
    pool = next(n for n in fig.scenes[0].nodes if n.id == "pool")
    assert pool.usage is not None and pool.usage.steps == 6  # two debate rounds of three
    mer = to_mermaid(fig)
    assert "1 visit · 6 steps" in mer and '"×3 copies ×3"' in mer
    assert "6 steps" in to_ascii(fig)
    assert "6 steps" in gv.dot_source(fig)
    moa = fig_of(MOA, overlay_of(MOA, tmp_path))
    assert 'n_frame ==>|"×1"| n_x' in to_mermaid(moa)
    for fmt in _formats():
        assert draw(moa, fmt) == draw(fig_of(MOA, overlay_of(MOA, tmp_path)), fmt)
    ver = to_mermaid(fig_of(VERIFIER, overlay_of(VERIFIER, tmp_path)))
    assert '|"rejected → critique ×1"|' in ver and '|"choice: retry ×0"|' in ver


def test_overlay_of_a_run_directory_reads_the_new_purposes(tmp_path: Path) -> None:
    steps = TRACES["panel"]
    result = _result(PANEL, steps)
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["panel"]}), "utf-8")
    (tmp_path / "architectures.json").write_text(
        json.dumps({"panel": PANEL.model_dump(mode="json")}), "utf-8"
    )
    (tmp_path / "results.jsonl").write_text(result.model_dump_json() + "\n", "utf-8")
    line = {"architecture": "panel", "task_id": "t1", "seed": 0, "steps": steps}
    (tmp_path / "traces.jsonl").write_text(json.dumps(line) + "\n", "utf-8")
    ov = load_overlay(tmp_path, "panel")
    assert ov.nodes["bench"].steps == 3 and ov.nodes["check"].steps == 1
    assert ov.edges[("bench", "check")] == 1 and ov.edges[("fan", "worker")] == 2


def test_unknown_purposes_and_branches_never_crash(tmp_path: Path) -> None:
    steps = [
        _step(0, "peer", "copies#1/0", "peer", "ponder"),
        _step(1, "pool", "nowhere#3/1", "peer", "revise"),
        _step(2, "pool", "main", "peer", "tally"),
    ]
    fp = Footprint(compiled(ENSEMBLE), tmp_path)
    fp.walk(steps, finished=True)
    ov = fp.overlay()
    assert ov.nodes["pool"].visits >= 1
    assert "pool" in to_mermaid(fig_of(ENSEMBLE, ov))
    counts = purpose_counts([*steps, {"index": 3}])
    assert [c.purpose for c in counts] == ["revise", "?", "ponder", "tally"]


def test_purpose_counts_follow_the_runtimes_order() -> None:
    counts = purpose_counts([s for steps in TRACES.values() for s in steps])
    names = [c.purpose for c in counts]
    assert names == ["act", "plan", "route", "verify", "judge", "merge", "revise"]
    by = {c.purpose: c for c in counts}
    assert by["revise"].steps == 8 and by["revise"].tokens == 8 * 110
    assert by["verify"].coordination and not by["act"].coordination


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_trace_page_shows_and_counts_the_new_purposes(name: str, tmp_path: Path) -> None:
    spec, steps = DESIGNS[name], TRACES[name]
    result = _result(spec, steps)
    key = (spec.name, "t1", 0)
    cell = CellRun("run", {}, tmp_path, results=[result], traces={key: steps})
    html = render_trace_page(environment(), cell, cell.results[0], None, "../index.html", "t")
    assert "steps by purpose" in html
    for purpose, n in Counter(s["purpose"] for s in steps).items():
        tag = "tag coord" if purpose != "act" else "tag"
        word = "step" if n == 1 else "steps"
        assert f'<span class="{tag}">{purpose}</span> {n} {word}' in html
    for branch in {s["branch"] for s in steps}:
        assert f'title="{branch}"' in html  # one timeline lane per branch
    assert html == render_trace_page(
        environment(), cell, cell.results[0], None, "../index.html", "t"
    )


def test_taxonomy_reads_a_merge_as_the_final_answer_and_a_verdict_as_none() -> None:
    steps = TRACES["moa"]
    wrong = _result(MOA, steps, correct=False, citations=["d1"])
    d = diagnose(wrong, steps)
    assert any(e.tag == "wrong_verification" and e.step == 5 for e in d.evidence)
    ver = TRACES["verified"]
    d = diagnose(_result(VERIFIER, ver, correct=False, citations=["d1"]), ver)
    assert all(e.step not in (1, 3) for e in d.evidence)  # a verdict is not the answer


# --- a real run of the new built-ins ------------------------------------------------------

NEW_RUN = sorted(NEW_BUILTINS)


@pytest.fixture(scope="module")
def new_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five new built-ins on a few default tasks, one seed: traces with revise,
    verify and merge steps written by the runtime itself."""
    out = tmp_path_factory.mktemp("runs") / "v2"
    tasks = [f"default-{f}-01" for f in ("lookup", "multi_hop", "dead_end")]
    compare(NEW_RUN, suite="default", seeds=1, tasks=tasks, out=out)
    return out


def _traces(run: Path) -> list[dict[str, Any]]:
    lines = (run / "traces.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_real_run_overlays_the_new_built_ins(new_run: Path) -> None:
    traces = _traces(new_run)
    purposes = Counter(s["purpose"] for t in traces for s in t["steps"])
    assert purposes["verify"] and purposes["merge"] and purposes["revise"]
    for name in NEW_RUN:
        ov = load_overlay(new_run, name)
        episodes = len(ov.episodes)
        steps = Counter(s["node"] for t in traces if t["architecture"] == name for s in t["steps"])
        assert {n: ov.nodes[n].steps for n in steps} == dict(steps), name
        c = ov.compiled
        for sp in c.splits.values():  # every branch of a split walked once per round
            for branch in sp.branches:
                assert ov.edges[(sp.node, branch[0])] == ov.nodes[sp.node].visits, name
                assert ov.edges[(branch[-1], sp.join)] == ov.nodes[sp.node].visits, name
        fans = [n for n in c.nodes.values() if n.kind == "fan_out" and n.copies]
        for fan in fans:  # copies: the edge to the agent taken once per copy
            assert ov.edges[(fan.name, fan.target)] == fan.copies * ov.nodes[fan.name].visits
        assert ov.nodes[END].visits <= episodes
        for fmt in _formats():
            fig = build_figure([c], [ov])
            assert draw(fig, fmt) == draw(build_figure([c], [ov]), fmt)
    debate = load_overlay(new_run, "decentralized")
    revise = purposes_of(traces, "decentralized", "revise")
    assert revise and debate.nodes["debate"].steps == revise  # debate rounds on the aggregate


def purposes_of(traces: list[dict[str, Any]], arch: str, purpose: str) -> int:
    return sum(
        1
        for t in traces
        if t["architecture"] == arch
        for s in t["steps"]
        if s["purpose"] == purpose
    )


def test_the_report_of_a_real_run_counts_the_new_purposes(new_run: Path) -> None:
    index = write_report(new_run)
    page = index.read_text("utf-8")
    assert "could not be drawn" not in page
    assert "verifying, judging, merging and revising" in page
    pages = {p.name: p.read_text("utf-8") for p in (index.parent / "traces").glob("*.html")}
    for name, purpose in [
        ("verifier-loop", "verify"),
        ("mixture-of-agents", "merge"),
        ("decentralized", "revise"),  # hybrid-debate revises only rounds of 2+ workers
    ]:
        shown = [t for n, t in pages.items() if n.startswith(name)]
        assert shown and all("steps by purpose" in t for t in shown), name
        assert any(f'<span class="tag coord">{purpose}</span>' in t for t in shown), name
