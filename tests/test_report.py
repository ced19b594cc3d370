"""The HTML report: what it contains, that it is self-contained and deterministic, and that a
missing, partial or older run directory gives a report (or one line), never a traceback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import cli
from report_runs import ARCHS, TASKS, make_run, make_sweep

from harness.errors import ConfigError
from harness.report import DEFAULT_TRACES, write_report
from harness.report.load import load_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("report") / "run")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sweep(tmp_path_factory.mktemp("report") / "sweep")


def copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("report"))
    return dst


def test_report_of_a_run_has_every_section_and_working_links(run_dir: Path) -> None:
    index = write_report(run_dir)
    assert index == run_dir / "report" / "index.html"
    page = index.read_text()
    for heading in (
        "What the report found",
        "Summary",
        "Accuracy vs cost, and the Pareto front",
        "Accuracy vs step budget",
        "Latency vs total tokens",
        "Paired comparisons",
        "Per task family",
        "cost per model and per role",
        "MAST failure modes",
        "The architectures",
        "Episodes",
    ):
        assert heading in page, heading
    assert "a complete run; every file was read" in page
    assert "could not be drawn" not in page
    assert "kimi-researcher" in page and "manus-workflow" in page
    # self-contained: no URL leaves the directory, every figure is embedded
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) >= 7 and all(i.startswith("data:image/svg+xml;base64,") for i in images)
    for name in ("pareto", "latency_tokens", "cost_split", "families", "taxonomy"):
        for ext in ("svg", "png"):
            assert (run_dir / "report" / "img" / f"{name}.{ext}").stat().st_size > 1000
    links = re.findall(r'href="(traces/[^"]+)"', page)
    assert len(links) == len(ARCHS) * len(TASKS) * 2  # every episode: under the default cap
    for link in links[:5]:
        trace = (index.parent / link).read_text()
        assert "Timeline" in trace and 'href="../index.html"' in trace
        assert 'class="lane"' in trace


def test_trace_page_shows_branches_and_failure_evidence(run_dir: Path) -> None:
    write_report(run_dir)
    pages = sorted((run_dir / "report" / "traces").glob("manus-workflow-default-multi_hop-*.html"))
    texts = [p.read_text() for p in pages]
    assert any("workers#1/0" in t for t in texts)  # a sub-agent's swimlane
    failed = [t for t in texts if "wrong answer" in t]
    assert failed and all("failure modes" in t and "FM-" in t for t in failed)


def test_report_is_deterministic(run_dir: Path, tmp_path: Path) -> None:
    a = write_report(run_dir, tmp_path / "a")
    b = write_report(run_dir, tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    for f in ("pareto.svg", "pareto.png", "families.svg"):
        assert (tmp_path / "a" / "img" / f).read_bytes() == (
            tmp_path / "b" / "img" / f
        ).read_bytes()


def test_trace_cap_keeps_failures_first(run_dir: Path, tmp_path: Path) -> None:
    index = write_report(run_dir, tmp_path / "r", max_traces=6)
    assert len(list((tmp_path / "r" / "traces").iterdir())) == 6
    run = load_run(run_dir)
    failed = {r.architecture for r in run.cells[0].results if not r.correct}
    assert failed == set(ARCHS)
    names = [p.name for p in (tmp_path / "r" / "traces").iterdir()]
    for arch in ARCHS:
        assert sum(n.startswith(arch) for n in names) == 3  # taken in turn from each design
    assert "trace</a>" in index.read_text()
    assert DEFAULT_TRACES == 300


def test_report_of_a_sweep_has_curves_and_cell_pages(sweep_dir: Path) -> None:
    index = write_report(sweep_dir)
    page = index.read_text()
    assert "How each design responds" in page and "Accuracy vs step budget" in page
    assert (sweep_dir / "report" / "img" / "sweep_max_steps.svg").exists()
    assert "Drawn above" in page  # the step-budget section points at the sweep curve
    for cell in ("c001", "c002"):
        cell_page = (sweep_dir / "report" / "cells" / f"{cell}.html").read_text()
        assert "Paired comparisons" in cell_page and "../index.html" in cell_page
        for link in re.findall(r'href="(\.\./traces/[^"]+)"', cell_page)[:3]:
            assert (sweep_dir / "report" / "cells" / link).exists()


def test_interrupted_run_is_reported_with_what_was_found(run_dir: Path, tmp_path: Path) -> None:
    d = copy(run_dir, tmp_path)
    (d / "summary.json").unlink()
    lines = (d / "results.jsonl").read_text().splitlines()
    (d / "results.jsonl").write_text("\n".join(lines[:20]) + "\n" + lines[20][:50])
    traces = (d / "traces.jsonl").read_text().splitlines()
    (d / "traces.jsonl").write_text("\n".join(traces[:19]) + "\n")
    page = write_report(d).read_text()
    assert "the run did not finish (interrupted?); 20 of 48 planned episodes" in page
    assert "results.jsonl: 1 unreadable line(s) skipped: 21" in page
    assert "Summary" in page and "kimi-researcher" in page


def test_older_run_is_read_leniently(run_dir: Path, tmp_path: Path) -> None:
    d = copy(run_dir, tmp_path)
    config = json.loads((d / "config.json").read_text())
    del config["format_version"], config["limits"]
    (d / "config.json").write_text(json.dumps(config))
    old = []
    for line in (d / "results.jsonl").read_text().splitlines():
        r = json.loads(line)
        for k in ("by_role", "by_model", "coordination", "format_version"):
            r.pop(k)
        r["legacy_score"] = 1
        r["tool_errors"] = "n/a"  # a field an older version wrote differently
        old.append(json.dumps(r))
    (d / "results.jsonl").write_text("\n".join(old) + "\n")
    page = write_report(d).read_text()
    assert "an older run, read leniently" in page
    assert "48 result(s) from another archbench version were read leniently" in page
    assert "Traceback" not in page and "Paired comparisons" in page


def test_newer_format_and_missing_traces(run_dir: Path, tmp_path: Path) -> None:
    d = copy(run_dir, tmp_path)
    config = json.loads((d / "config.json").read_text())
    config["format_version"] = 99
    (d / "config.json").write_text(json.dumps(config))
    (d / "traces.jsonl").unlink()
    page = write_report(d).read_text()
    assert "written by a newer archbench (run format 99" in page
    assert "no traces.jsonl: no trace pages, no failure tags" in page
    assert "No traces in this run" in page and 'href="traces/' not in page


def test_sweep_with_cells_that_never_ran(sweep_dir: Path, tmp_path: Path) -> None:
    d = copy(sweep_dir, tmp_path)
    shutil.rmtree(d / "cells" / "c002")
    page = write_report(d).read_text()
    assert "1 of 2 planned cells never ran (c002)" in page and "--resume" in page


def test_missing_or_empty_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        write_report(tmp_path / "nope")
    code, _, err = cli(["report", str(tmp_path / "nope")], capsys)
    assert (
        code == 2
        and err == f"archbench: error: run directory '{tmp_path / 'nope'}' does not exist\n"
    )
    (tmp_path / "empty").mkdir()
    code, _, err = cli(["report", str(tmp_path / "empty")], capsys)
    assert code == 2 and "holds no archbench run" in err and err.count("\n") == 1


def test_cli_report_says_where_it_wrote(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "elsewhere"
    code, _, err = cli(["report", str(run_dir), "--out", str(out), "--traces", "2"], capsys)
    assert code == 0 and err.strip().endswith(f"report written to {out / 'index.html'}")
    assert len(list((out / "traces").iterdir())) == 2
    code, _, err = cli(["report", str(run_dir), "--traces", "many"], capsys)
    assert code == 2 and "--traces must be a number or 'all'" in err
    (out / "index.html").write_text("<html>mine</html>")
    code, _, err = cli(["report", str(run_dir), "--out", str(out)], capsys)
    assert code == 2 and "not an archbench report" in err
