"""Drawing architectures: Graphviz SVG, Mermaid, terminal drawing, trace overlays and the
matplotlib fallback used when Graphviz's `dot` is missing."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import graphviz
import pytest
from mini_suite import mini_suite

from harness.drawing import (
    FORMATS,
    draw,
    figure,
    format_for_path,
    graphviz_available,
    load_overlay,
    render,
    side_by_side,
    to_ascii,
    to_digraph,
    to_mermaid,
)
from harness.drawing import graphviz_render as gv
from harness.drawing.layout import layered
from harness.drawing.scene import build_scene
from harness.drawing.style import fmt_cost, model_colours
from harness.errors import ConfigError, UnknownNameError
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import builtin_architectures, load_architecture

ROOT = Path(__file__).resolve().parent.parent
BUILTINS = list(builtin_architectures())
SVG_NS = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(not graphviz_available(), reason="Graphviz 'dot' not installed")

BRANCHY = """
name: branchy
description: A router that branches, loops back and skips a layer.
roles: {lead: mock/claude-opus-4, worker: mock/qwen-plus, cheap: mock/minimax-m1}
entry: plan
params: {width: {default: 3}}
nodes:
  - {name: plan, kind: planner, role: lead, mode: dynamic}
  - {name: fan, kind: fan_out, target: w, width: "${width}"}
  - {name: w, kind: agent, role: worker, input: subtask, max_steps: 5}
  - {name: merge, kind: aggregate}
  - {name: check, kind: router, max_visits: 2, default: finish}
  - {name: quick, kind: agent, role: cheap, input: handoff, tools: [answer], max_steps: 1}
edges:
  - {source: plan, target: fan}
  - {source: fan, target: merge}
  - {source: merge, target: check}
  - {source: check, target: plan, label: replan, when: any_failed}
  - {source: check, target: quick, label: finish, when: none_failed}
  - {source: check, target: end, label: give_up, when: otherwise}
  - {source: quick, target: end}
"""


def compiled(name: str) -> CompiledArchitecture:
    return compile_architecture(load_architecture(name))


@pytest.fixture(scope="module")
def branchy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("arch") / "branchy.yaml"
    path.write_text(BRANCHY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small run of every built-in on the hand-written suite, two seeds."""
    compare_module = sys.modules["harness.compare"]
    out = tmp_path_factory.mktemp("runs") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compare_module, "load_suite", lambda ref: mini_suite())
        compare_module.compare(["all"], suite="mini", seeds=2, out=out)
    return out


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def svg_nodes(svg: bytes | str) -> dict[str, str]:
    """Graphviz SVG: node id (its <title>) -> all the text drawn in the node."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG_NS}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG_NS}title")
            assert title is not None and title.text is not None
            out[title.text] = " ".join(t.text or "" for t in g.iter(f"{SVG_NS}text"))
    return out


# --- Graphviz -------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("name", BUILTINS)
def test_svg_from_dot_holds_every_node_with_role_and_model(name: str) -> None:
    c = compiled(name)
    nodes = svg_nodes(draw(figure(c), "svg"))
    for node, data in c.graph.nodes(data=True):
        assert node in nodes, f"{name}: node {node} missing from the SVG"
        spec = data["spec"]
        if spec is not None and spec.role is not None and data["kind"] != "router":
            assert f"role: {spec.role}" in nodes[node]
            assert c.roles[spec.role] in nodes[node]
        if data["kind"] == "agent" and spec.max_steps > 1:
            assert f"≤ {spec.max_steps} steps" in draw(figure(c), "svg").decode()


@needs_dot
def test_hybrid_models_get_different_colours_and_a_legend() -> None:
    c = compiled("minimax-hybrid")
    svg = draw(figure(c), "svg").decode()
    colours = model_colours(c.roles.values())
    in_house, external = colours[c.roles["in_house"]], colours[c.roles["external"]]
    assert in_house.fill != external.fill
    assert in_house.fill in svg and external.fill in svg
    texts = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG_NS}text"))
    assert "legend" in texts and "mock/minimax-m1" in texts and "picks the step's model" in texts


@needs_dot
def test_svg_is_deterministic_and_marked_with_its_source() -> None:
    fig = figure(BUILTINS)
    first, second = draw(fig, "svg"), draw(figure(BUILTINS), "svg")
    assert first == second
    text = first.decode()
    assert "Generated by graphviz" not in text
    assert gv.svg_source_hash(text) == gv.source_hash(gv.dot_source(fig))


def test_dot_source_shapes_loops_and_parallel_edges() -> None:
    src = to_digraph("orchestrator-workers").source
    assert "shape=hexagon" in src and "shape=trapezium" in src and "shape=diamond" in src
    assert "shape=invtrapezium" in src and "shape=doublecircle" in src
    assert re.search(r"worker -> worker \[.*≤ 10 steps", src)  # the agent loop
    assert re.search(r"workers -> worker \[.*parallel ≤ 5", src)  # fan-out with its width
    assert re.search(r"worker -> merge \[.*reports", src)  # work comes back
    assert "peripheries=2" in src  # sub-agents drawn as a stack


def test_side_by_side_has_one_box_per_architecture_and_one_legend() -> None:
    g = side_by_side(BUILTINS)
    assert isinstance(g, graphviz.Digraph)
    for name in BUILTINS:
        assert f'"{name}/end"' in g.source
    assert g.source.count("subgraph cluster_legend") == 1


def test_colours_are_stable_and_distinct() -> None:
    models = {m for n in BUILTINS for m in compiled(n).roles.values()}
    together = model_colours(models)
    assert len({s.fill for s in together.values()}) == len(models)
    for name in BUILTINS:
        alone = model_colours(compiled(name).roles.values())
        assert all(alone[m] == together[m] for m in alone)


# --- Mermaid and the terminal drawing -------------------------------------------------

_MERMAID_NODE = re.compile(r'^\s+(\w+)(\(\[|\{\{|\[/|\[\\|\{|\(\()"')
_MERMAID_EDGE = re.compile(r"^\s+(\w+) (-->|==>|-\.->)(\|\"[^\"]*\"\|)? (\w+)$")


@pytest.mark.parametrize("name", [*BUILTINS, "branchy"])
def test_mermaid_has_one_node_per_graph_node_and_one_edge_per_graph_edge(
    name: str, branchy: Path
) -> None:
    c = compiled(str(branchy) if name == "branchy" else name)
    text = to_mermaid(c)
    lines = text.splitlines()
    nodes = [m.group(1) for line in lines if (m := _MERMAID_NODE.match(line))]
    edges = [(m.group(1), m.group(4)) for line in lines if (m := _MERMAID_EDGE.match(line))]
    assert len(nodes) == len(set(nodes)) == c.graph.number_of_nodes()
    assert len(edges) == c.graph.number_of_edges()
    assert {f"n_{u}": 1 for u, _ in c.graph.edges}.keys() <= set(nodes)
    assert sorted(edges) == sorted((f"n_{u}", f"n_{v}") for u, v in c.graph.edges)
    assert lines[3] == "flowchart TB"
    assert " end(" not in text and "n_end" in text  # 'end' is a Mermaid keyword


def test_mermaid_side_by_side_uses_subgraphs() -> None:
    text = to_mermaid(BUILTINS)
    assert text.count("subgraph ") == len(BUILTINS)
    node_lines = [line for line in text.splitlines() if _MERMAID_NODE.match(line)]
    assert len(node_lines) == sum(compiled(n).graph.number_of_nodes() for n in BUILTINS)


@pytest.mark.parametrize("name", [*BUILTINS, "branchy"])
def test_ascii_is_a_box_and_arrow_drawing(name: str, branchy: Path) -> None:
    c = compiled(str(branchy) if name == "branchy" else name)
    text = to_ascii(c)
    for node in c.graph.nodes:
        assert node in text
    for role, model in c.roles.items():
        assert f"role: {role}" in text or f"{role} →" in text
        assert model in text
    assert "▼" in text and ("╭" in text or "╔" in text)
    assert " -> " not in text  # not a dump of edges
    plain = to_ascii(c, unicode=False)
    assert plain.isascii() and "v" in plain and all(n in plain for n in c.graph.nodes)


def test_ascii_routes_loops_back_up_the_left_margin(branchy: Path) -> None:
    text = to_ascii(compiled(str(branchy)))
    assert "replan" in text and "give_up" in text and "finish" in text
    lines = text.splitlines()
    plan_row = next(i for i, line in enumerate(lines) if "║ plan" in line)
    assert any("▶║" in line for line in lines[plan_row - 1 : plan_row + 4])


def test_layering_finds_the_replan_loop() -> None:
    lay = layered(build_scene(compiled("orchestrator-workers")))
    assert lay.back == {("review", "lead_plan")}
    assert lay.rows[0] == ("lead_plan",) and lay.rows[-1] == ("end",)
    hybrid = layered(build_scene(compiled("minimax-hybrid")))
    assert hybrid.layer["route"] == hybrid.layer["research"]


# --- overlays -------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTINS)
def test_overlay_numbers_equal_the_runs_recorded_totals(name: str, run_dir: Path) -> None:
    ov = load_overlay(run_dir, name)
    results = [r for r in read_jsonl(run_dir / "results.jsonl") if r["architecture"] == name]
    traces = [t for t in read_jsonl(run_dir / "traces.jsonl") if t["architecture"] == name]
    assert len(ov.episodes) == len(results) == 10
    for key in ("steps", "input_tokens", "output_tokens", "tool_calls"):
        recorded = sum(r["totals"][key] for r in results)  # type: ignore[index]
        assert sum(getattr(u, key) for u in ov.nodes.values()) == recorded
        assert getattr(ov.totals, key) == recorded
        for node, usage in ov.nodes.items():
            by_node = sum(r["by_node"].get(node, {}).get(key, 0) for r in results)  # type: ignore[attr-defined]
            assert getattr(usage, key) == by_node
    cost = sum(r["totals"]["cost_usd"] for r in results)  # type: ignore[index]
    assert sum(u.cost_usd or 0.0 for u in ov.nodes.values()) == pytest.approx(cost)
    assert ov.totals.cost_usd == pytest.approx(cost)
    # visits and edges, read back from the traces
    finished = sum(r["outcome"] in ("answered", "no_answer") for r in results)
    assert ov.nodes["end"].visits == finished
    assert ov.nodes[ov.compiled.spec.entry].visits >= len(results)
    steps = [s for t in traces for s in t["steps"]]  # type: ignore[attr-defined]
    c = ov.compiled
    for spec in c.nodes.values():
        if spec.kind == "fan_out":
            runs = {
                (t["task_id"], t["seed"], s["branch"])
                for t in traces
                for s in t["steps"]  # type: ignore[attr-defined]
                if s["branch"].startswith(f"{spec.name}#")
            }
            assert ov.nodes[spec.target or ""].visits == len(runs) > 0
            assert ov.edges[(spec.name, spec.target or "")] == len(runs)
        if spec.step_router:
            router = c.nodes[spec.step_router]
            escalated = sum(s["node"] == spec.name and s["role"] == router.roles[1] for s in steps)
            assert ov.edges[(spec.step_router, spec.name)] == escalated
            assert ov.nodes[spec.step_router].visits == ov.nodes[spec.name].steps
        if spec.kind == "planner":
            assert ov.nodes[spec.name].visits == ov.nodes[spec.name].steps
    for (u, v), n in ov.edges.items():
        if c.graph.edges[u, v]["kind"] == "flow" and c.nodes.get(u) and c.nodes[u].kind != "router":
            assert n == ov.nodes[u].visits or v == "end"  # one way out of a plain node


def test_overlay_of_one_episode_equals_its_result(run_dir: Path) -> None:
    results = read_jsonl(run_dir / "results.jsonl")
    row = next(r for r in results if r["architecture"] == "orchestrator-workers")
    ref = f"{row['task_id']}@{row['seed']}"
    ov = load_overlay(run_dir, "orchestrator-workers", ref)
    assert ov.episodes == (ref,)
    for node, usage in row["by_node"].items():  # type: ignore[attr-defined]
        assert ov.nodes[node].steps == usage["steps"]
        assert ov.nodes[node].input_tokens == usage["input_tokens"]
    by_task = load_overlay(run_dir, "orchestrator-workers", str(row["task_id"]))
    assert len(by_task.episodes) == 2  # every seed of the task
    text = to_ascii(None, ov)
    total = ov.nodes["write"]
    assert f"{total.visits} visit" in text and fmt_cost(total.cost_usd) in text
    assert ref in text


@needs_dot
def test_overlay_svg_shows_the_numbers_and_heat(run_dir: Path) -> None:
    ov = load_overlay(run_dir, "manus-workflow")
    nodes = svg_nodes(draw(figure(None, ov), "svg"))
    worker = ov.nodes["worker"]
    assert f"{worker.visits} visits · {worker.steps} steps" in nodes["worker"]
    assert fmt_cost(worker.cost_usd) in nodes["worker"]
    src = to_digraph(None, ov).source
    assert re.search(r"workers -> worker \[.*×" + str(worker.visits), src)


def test_overlay_errors(run_dir: Path, tmp_path: Path, branchy: Path) -> None:
    with pytest.raises(ConfigError, match="does not match architecture 'branchy'"):
        load_overlay(run_dir, str(branchy))
    with pytest.raises(UnknownNameError, match="episode 'nope' is not in run"):
        load_overlay(run_dir, "kimi-researcher", "nope")
    with pytest.raises(ConfigError, match="is not a run directory"):
        load_overlay(tmp_path, "kimi-researcher")
    with pytest.raises(ConfigError, match="does not exist"):
        load_overlay(tmp_path / "missing", "kimi-researcher")
    # a run whose traces name a node the architecture lacks
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in ("config.json", "results.jsonl"):
        (bad / f).write_text((run_dir / f).read_text(encoding="utf-8"), encoding="utf-8")
    trace = (run_dir / "traces.jsonl").read_text(encoding="utf-8")
    (bad / "traces.jsonl").write_text(trace.replace('"node":"research"', '"node":"ghost"'))
    with pytest.raises(ConfigError, match="node 'ghost'"):
        load_overlay(bad, "kimi-researcher")


# --- formats and the matplotlib fallback ----------------------------------------------


def test_format_follows_the_suffix() -> None:
    assert format_for_path("a.svg") == "svg" and format_for_path("a.PNG") == "png"
    assert format_for_path("a.mmd") == "mermaid" and format_for_path("a.gv") == "dot"
    assert format_for_path("a.txt") == "ascii" and format_for_path("a.x", "pdf") == "pdf"
    with pytest.raises(ConfigError, match="cannot tell the format"):
        format_for_path("a.jpg")
    with pytest.raises(ConfigError, match="unknown format 'jpg'"):
        format_for_path("a.svg", "jpg")
    assert set(FORMATS) == {"svg", "png", "pdf", "dot", "mermaid", "ascii"}


def _no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    assert not graphviz_available()


def test_text_formats_need_no_binary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_dot(monkeypatch, tmp_path)
    for fmt in ("dot", "mermaid", "ascii"):
        data = draw(figure("manus-workflow"), fmt).decode()
        assert "worker" in data
    assert capsys.readouterr().err == ""


def test_fallback_draws_svg_and_png_without_dot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_dot(monkeypatch, tmp_path)
    svg = render(BUILTINS, tmp_path / "designs.svg")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Graphviz" in err[0] and "apt-get install graphviz" in err[0]
    assert "brew install graphviz" in err[0]
    root = ET.fromstring(svg.read_bytes())
    assert root.tag == f"{SVG_NS}svg"
    png = render("minimax-hybrid", tmp_path / "hybrid.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ConfigError, match="pdf needs Graphviz"):
        render("minimax-hybrid", tmp_path / "hybrid.pdf")


def test_fallback_when_detection_says_no(
    monkeypatch: pytest.MonkeyPatch, run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(gv, "graphviz_available", lambda: False)
    ov = load_overlay(run_dir, "orchestrator-workers")
    seen: list[str] = []
    svg = draw(figure(None, ov), "svg", on_fallback=seen.append)
    assert len(seen) == 1 and "not found" in seen[0]
    assert ET.fromstring(svg).tag == f"{SVG_NS}svg"
    assert b"lead_plan" in svg or b"<path" in svg  # text drawn as paths, deterministically
    assert draw(figure(None, ov), "svg", on_fallback=seen.append) == svg


# --- the documentation drawings -------------------------------------------------------


def _script() -> ModuleType:
    path = ROOT / "scripts" / "render_architecture_drawings.py"
    spec = importlib.util.spec_from_file_location("render_architecture_drawings", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_drawings_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--check"]) == 0, capsys.readouterr().err


def test_check_names_stale_and_missing_drawings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    monkeypatch.setattr(script, "IMG", tmp_path)
    for name in BUILTINS:
        src = ROOT / "docs" / "img" / f"{name}.svg"
        (tmp_path / f"{name}.svg").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    stale = tmp_path / "kimi-researcher.svg"
    text = re.sub(r"sha256: [0-9a-f]{64}", "sha256: " + "0" * 64, stale.read_text("utf-8"))
    stale.write_text(text, encoding="utf-8")
    assert script.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "kimi-researcher.svg: stale" in err and "designs.svg: missing" in err
    assert "manus-workflow.svg" not in err
    assert len([line for line in err.splitlines() if line.endswith(("stale", "missing"))]) == 2


def test_a_name_cannot_break_out_of_the_mermaid_header() -> None:
    from architectures import BUILTINS as SPECS
    from harness.drawing import to_mermaid

    spec = SPECS["kimi-researcher"].model_copy(update={"name": "evil\n---\nflowchart LR"})
    lines = to_mermaid(spec).splitlines()
    assert lines[:4] == ["---", 'title: "evil --- flowchart LR"', "---", "flowchart TB"]


def test_the_article_models_keep_their_colour_in_every_figure() -> None:
    from harness.drawing.style import FIXED_SLOTS

    every = model_colours([*FIXED_SLOTS, "openai/gpt-4o", "vllm/qwen2"])
    for model in FIXED_SLOTS:
        assert model_colours([model, "mock/kimi-k2", "mock/claude-opus-4"])[model] == every[model]
        assert model_colours([model])[model] == every[model]
    assert len({s.fill for s in every.values()}) == len(every)
