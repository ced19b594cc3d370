"""`archbench graph` as a user meets it: what it prints and writes, overlays, the fallback
without Graphviz, and one-line errors with exit code 2."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cli_runner import cli
from mini_suite import mini_suite

from harness.drawing import graphviz_available, load_overlay
from harness.drawing.style import fmt_cost
from harness.loader import builtin_architectures
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec

BUILTINS = list(builtin_architectures())
needs_dot = pytest.mark.skipif(not graphviz_available(), reason="Graphviz 'dot' not installed")


def one_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("archbench: error: ") and "Traceback" not in err
    for f in fragments:
        assert f in lines[0]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    compare_module = sys.modules["harness.compare"]
    out = tmp_path_factory.mktemp("runs") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compare_module, "load_suite", lambda ref: mini_suite())
        compare_module.compare(
            ["kimi-researcher", "minimax-hybrid"], suite="mini", seeds=1, out=out
        )
    return out


def test_help_mentions_formats_and_episode_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["graph", "--help"], capsys)
    assert code == 0
    for word in ("svg", "mermaid", "ascii", "--run", "--episode", "TASK_ID@SEED", "--all"):
        assert word in out
    code, out, _ = cli(["--help"], capsys)
    assert "graph" in out


def test_ascii_on_the_terminal_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["graph", "manus-workflow"], capsys)
    assert code == 0 and err == ""
    for text in ("plan", "workers", "worker", "merge", "write", "mock/qwen-plus", "parallel"):
        assert text in out
    code, plain, _ = cli(["graph", "manus-workflow", "--plain"], capsys)
    assert code == 0 and plain.isascii() and "mock/qwen-plus" in plain


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".dot", lambda b: b.startswith(b"digraph archbench")),
        (".mmd", lambda b: b"flowchart TB" in b),
        (".txt", lambda b: "╭─ agent loop".encode() in b),
    ],
)
def test_text_formats_follow_the_suffix(
    suffix: str, check: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"kimi{suffix}"
    code, stdout, err = cli(["graph", "kimi-researcher", "-o", str(out)], capsys)
    assert code == 0 and err == "" and str(out) in stdout
    assert check(out.read_bytes())


def test_format_flag_prints_text_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["graph", "minimax-hybrid", "--format", "mermaid"], capsys)
    assert code == 0 and "n_route -.->" in out
    code, out, _ = cli(["graph", "minimax-hybrid", "-f", "dot"], capsys)
    assert code == 0 and out.startswith("digraph")


@needs_dot
def test_svg_png_pdf_through_graphviz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")):
        out = tmp_path / f"orch{suffix}"
        code, _, err = cli(["graph", "orchestrator-workers", "-o", str(out)], capsys)
        assert code == 0 and err == ""
        assert out.read_bytes().startswith(magic)


@needs_dot
def test_all_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "designs.svg"
    code, stdout, _ = cli(["graph", "--all", "-o", str(out)], capsys)
    assert code == 0 and all(name in stdout for name in BUILTINS)
    titles = {t.text for t in ET.parse(out).iter("{http://www.w3.org/2000/svg}title")}
    for name in BUILTINS:
        assert f"{name}/end" in titles
    two = tmp_path / "two.svg"
    code, _, _ = cli(["graph", "kimi-researcher", "minimax-hybrid", "-o", str(two)], capsys)
    titles = {t.text for t in ET.parse(two).iter("{http://www.w3.org/2000/svg}title")}
    assert "kimi-researcher/research" in titles and "minimax-hybrid/route" in titles
    assert "manus-workflow/end" not in titles


def test_model_and_set_rebind_the_drawing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        ["graph", "kimi-researcher", "-m", "agent=mock/qwen-plus", "-s", "max_steps=7"], capsys
    )
    assert code == 0 and "mock/qwen-plus" in out and "≤ 7 steps" in out


def test_file_and_plugin_architectures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = ArchitectureSpec(
        name="solo",
        roles={"agent": "mock/kimi-k2"},
        entry="go",
        nodes=[NodeSpec(name="go", kind="agent", role="agent", max_steps=4)],
        edges=[EdgeSpec(source="go", target="end")],
    )
    path = tmp_path / "solo.json"
    path.write_text(spec.model_dump_json(), encoding="utf-8")
    code, out, _ = cli(["graph", str(path)], capsys)
    assert code == 0 and "mock/kimi-k2" in out and "≤ 4 steps" in out

    class EntryPoint:
        def load(self) -> ArchitectureSpec:
            return spec.model_copy(update={"name": "plugged"})

    monkeypatch.setattr("harness.loader.plugin_architectures", lambda: {"plugged": EntryPoint()})
    code, out, _ = cli(["graph", "plugged", "-f", "mermaid"], capsys)
    assert code == 0 and 'title: "plugged"' in out


def test_overlay_of_a_run(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ov = load_overlay(run_dir, "minimax-hybrid")
    code, out, err = cli(["graph", "minimax-hybrid", "--run", str(run_dir)], capsys)
    assert code == 0 and err == ""
    research = ov.nodes["research"]
    assert f"{research.visits} visits · {research.steps} steps" in out
    assert fmt_cost(research.cost_usd) in out and "of cost" in out
    code, out, _ = cli(
        ["graph", "kimi-researcher", "--run", str(run_dir), "--episode", "mini-lookup@0"],
        capsys,
    )
    assert code == 0 and "episode mini-lookup@0" in out
    code, out, _ = cli(["graph", "--run", str(run_dir), "--metric", "steps"], capsys)
    assert code == 0 and "kimi-researcher" in out and "minimax-hybrid" in out
    assert "of steps" in out


@needs_dot
def test_overlay_side_by_side_svg(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "overlay.svg"
    code, _, _ = cli(["graph", "--all", "--run", str(run_dir), "-o", str(out)], capsys)
    assert code == 0
    text = " ".join(t.text or "" for t in ET.parse(out).iter("{http://www.w3.org/2000/svg}text"))
    assert "overlay: cost per node" in text and "all 5 episodes" in text


def test_without_dot_svg_and_png_fall_back_and_pdf_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    svg = tmp_path / "hybrid.svg"
    code, _, err = cli(["graph", "minimax-hybrid", "-o", str(svg)], capsys)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Graphviz" in lines[0] and "not found" in lines[0]
    assert "apt-get install graphviz" in lines[0] and "brew install graphviz" in lines[0]
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    png = tmp_path / "hybrid.png"
    code, _, err = cli(["graph", "minimax-hybrid", "-o", str(png)], capsys)
    assert code == 0 and len(err.strip().splitlines()) == 1
    assert png.read_bytes()[:4] == b"\x89PNG"
    code, _, err = cli(["graph", "minimax-hybrid", "-o", str(tmp_path / "h.pdf")], capsys)
    one_error(code, err, "pdf needs Graphviz", "apt-get install graphviz")
    code, out, err = cli(["graph", "minimax-hybrid", "-f", "dot"], capsys)
    assert code == 0 and err == "" and out.startswith("digraph")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["graph", "no-such-arch"], ["unknown architecture 'no-such-arch'"]),
        (["graph", "kimi-researcher", "--format", "jpg"], ["unknown format 'jpg'"]),
        (["graph", "kimi-researcher", "-o", "x.jpg"], ["cannot tell the format"]),
        (["graph"], ["give an architecture"]),
        (["graph", "kimi-researcher", "--all"], ["not both"]),
        (["graph", "kimi-researcher", "-f", "png"], ["png is a binary format"]),
        (["graph", "kimi-researcher", "--episode", "x"], ["--episode needs --run"]),
        (["graph", "kimi-researcher", "-s", "nope=1"], ["parameter 'nope'"]),
        (["graph", "kimi-researcher", "--bogus"], ["No such option", "--bogus"]),
    ],
)
def test_errors_are_one_line_with_exit_code_2(
    args: list[str], fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(args, capsys)
    one_error(code, err, *fragments)


def test_run_directory_errors(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = str(run_dir)
    code, _, err = cli(["graph", "manus-workflow", "--run", run], capsys)
    one_error(code, err, "does not match architecture 'manus-workflow'", "kimi-researcher")
    code, _, err = cli(["graph", "kimi-researcher", "--run", str(tmp_path)], capsys)
    one_error(code, err, "is not a run directory")
    code, _, err = cli(["graph", "kimi-researcher", "--run", run, "--episode", "zzz@9"], capsys)
    one_error(code, err, "episode 'zzz@9' is not in run", "TASK_ID@SEED")
    code, _, err = cli(["graph", "kimi-researcher", "--run", run, "--metric", "joy"], capsys)
    one_error(code, err, "unknown --metric 'joy'")
    code, _, err = cli(["graph", "kimi-researcher", "--run", run, "-m", "agent=mock/x"], capsys)
    one_error(code, err, "do not apply with --run")
    code, _, err = cli(["graph", "kimi-researcher", "-o", str(tmp_path)], capsys)
    one_error(code, err, "is a directory")
