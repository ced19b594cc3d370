"""`archbench export` (Inspect AI, OpenTelemetry, CSV, Parquet), `Comparison.to_pandas`
and its repr, the live `--otel-endpoint` of compare, and the run files' JSON Schemas.

The optional packages (inspect-ai, opentelemetry-sdk and its OTLP/HTTP exporter, pandas,
pyarrow) are required here: CI installs them."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import cli
from inspect_ai.log import read_eval_log
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from harness.compare import Comparison, compare
from harness.errors import ConfigError
from harness.export import read_run
from harness.export.clock import EPOCH_NS
from harness.export.otel import emit_episode, provider
from harness.export.schemas import (
    SCHEMAS,
    ArchitecturesFile,
    CompareJson,
    ConfigFile,
    RecordingLine,
    ResultLine,
    SummaryFile,
    TraceLine,
    schema_texts,
)
from harness.task import TaskSuite
from harness.trace import EpisodeResult

ARCHS = ["kimi-researcher", "manus-workflow"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, mini_file: Path) -> tuple[Path, Comparison]:
    """A recorded run of two designs on the mini suite (saved with it), two seeds."""
    out = tmp_path_factory.mktemp("export") / "run"
    result = compare(ARCHS, suite=str(mini_file), seeds=2, out=out, record=True)
    return out, result


@pytest.fixture(scope="module")
def run(made: tuple[Path, Comparison]) -> Path:
    return made[0]


def _results(run: Path) -> list[EpisodeResult]:
    lines = (run / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [EpisodeResult.model_validate_json(line) for line in lines]


def _export(run: Path, fmt: str, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(["export", str(run), "--format", fmt, "-o", str(out)], capsys)
    assert code == 0, err


# --- Inspect AI ----------------------------------------------------------------------------


def test_inspect_logs_read_back_with_the_runs_samples_and_scores(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(run, "inspect", tmp_path / "a", capsys)
    _export(run, "inspect", tmp_path / "b", capsys)
    logs = sorted((tmp_path / "a").iterdir())
    assert len(logs) == len(ARCHS)
    for path in logs:  # the same run, the same logs
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    results = _results(run)
    for path in logs:
        log = read_eval_log(str(path))
        assert log.status == "success" and log.samples is not None
        arch = log.eval.solver
        mine = {(r.task_id, r.seed): r for r in results if r.architecture == arch}
        assert len(log.samples) == len(mine) > 0
        assert log.eval.config.epochs == 2
        for s in log.samples:
            r = mine[(str(s.id), s.epoch - 1)]  # seeds 0, 1 are epochs 1, 2
            assert s.scores is not None
            assert s.scores["correct"].value == (1.0 if r.correct else 0.0)
            assert s.scores["supported"].value == (1.0 if r.supported else 0.0)
            assert s.input and s.target  # the mini suite's question and answer
            calls = sum(len(m.tool_calls or []) for m in s.messages if m.role == "assistant")
            assert calls == r.totals.tool_calls
            assert sum(1 for m in s.messages if m.role == "assistant") == r.totals.steps
            assert sum(u.input_tokens for u in s.model_usage.values()) == r.totals.input_tokens
            assert sum(u.output_tokens for u in s.model_usage.values()) == r.totals.output_tokens
            cost = sum(u.total_cost or 0.0 for u in s.model_usage.values())
            assert cost == pytest.approx(r.totals.cost_usd)
        assert log.results is not None
        accuracy = log.results.scores[0].metrics["accuracy"].value
        assert accuracy == pytest.approx(sum(r.correct for r in mine.values()) / len(mine))


# --- OpenTelemetry ------------------------------------------------------------------------


def test_otel_spans_nest_episode_node_call_and_tool(run: Path) -> None:
    source = read_run(run)
    memory = InMemorySpanExporter()
    tp = provider(memory, "test")
    traces = set()
    for r in source.results:
        emit_episode(tp, r, source.steps(r), source.events(r))
        spans = memory.get_finished_spans()
        memory.clear()
        by_id = {s.context.span_id: s for s in spans if s.context is not None}
        (root,) = [s for s in spans if s.parent is None]
        assert root.name == f"invoke_agent {r.architecture}"
        assert root.start_time == EPOCH_NS
        assert root.attributes is not None
        assert root.attributes["archbench.correct"] == r.correct
        assert root.attributes["gen_ai.usage.input_tokens"] == r.totals.input_tokens
        assert {s.context.trace_id for s in spans if s.context} == {root.context.trace_id}
        traces.add(root.context.trace_id)
        chats = [
            s for s in spans if s.attributes and s.attributes["gen_ai.operation.name"] == "chat"
        ]
        tools = [
            s
            for s in spans
            if s.attributes and s.attributes["gen_ai.operation.name"] == "execute_tool"
        ]
        assert len(chats) == r.totals.steps and len(tools) == r.totals.tool_calls
        for s in chats + tools:  # a call and its tools are inside a node visit
            assert s.parent is not None
            node = by_id[s.parent.span_id]
            assert node.name.startswith("invoke_agent ") and node.parent is not None
            assert node.parent.span_id == root.context.span_id
            assert node.attributes and "archbench.node" in node.attributes
            assert node.start_time <= s.start_time <= s.end_time <= node.end_time
        assert (
            sum(s.attributes["gen_ai.usage.input_tokens"] for s in chats) == r.totals.input_tokens
        )
        assert (
            sum(s.attributes["gen_ai.usage.output_tokens"] for s in chats) == r.totals.output_tokens
        )
        assert all(s.attributes["gen_ai.request.model"] for s in chats)
        assert all(s.attributes["gen_ai.tool.name"] for s in tools)
        cost = sum(s.attributes.get("archbench.cost_usd", 0.0) for s in chats)
        assert cost == pytest.approx(r.totals.cost_usd)
    assert len(traces) == len(source.results)  # one trace per episode


def test_otel_file_is_otlp_json_lines_and_deterministic(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(run, "otel", tmp_path / "a.jsonl", capsys)
    _export(run, "otel", tmp_path / "b.jsonl", capsys)
    raw = (tmp_path / "a.jsonl").read_bytes()
    assert raw == (tmp_path / "b.jsonl").read_bytes()
    lines = raw.decode().splitlines()
    assert len(lines) == len(_results(run))
    for line in lines:
        request = json.loads(line)
        (rs,) = request["resourceSpans"]
        assert {"key": "service.name", "value": {"stringValue": "archbench"}} in rs["resource"][
            "attributes"
        ]
        spans = rs["scopeSpans"][0]["spans"]
        ids = {s["spanId"] for s in spans}
        assert all(len(s["traceId"]) == 32 and len(s["spanId"]) == 16 for s in spans)
        assert sum("parentSpanId" not in s for s in spans) == 1
        assert all(s["parentSpanId"] in ids for s in spans if "parentSpanId" in s)
        assert all(int(s["startTimeUnixNano"]) >= EPOCH_NS for s in spans)


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Collector.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def collector() -> Iterator[str]:
    """An OTLP/HTTP collector on localhost that keeps what it is sent."""
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _spans_received() -> list[tuple[str, str]]:
    """(name, parent span id or '') of every span the collector received."""
    out = []
    for path, body in _Collector.received:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest.FromString(body)
        for rs in request.resource_spans:
            for ss in rs.scope_spans:
                out += [(s.name, s.parent_span_id.hex()) for s in ss.spans]
    return out


def test_otel_endpoint_receives_the_runs_spans(
    run: Path, collector: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(["export", str(run), "-f", "otel", "--otel-endpoint", collector], capsys)
    assert code == 0, err
    results = _results(run)
    spans = _spans_received()
    roots = [name for name, parent in spans if not parent]
    assert sorted(roots) == sorted(f"invoke_agent {r.architecture}" for r in results)
    chats = [name for name, _ in spans if name.startswith("chat ")]
    assert len(chats) == sum(r.totals.steps for r in results)


def test_compare_sends_spans_live_after_each_episode(
    mini_file: Path, tmp_path: Path, collector: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    code, _, err = cli([*argv, "-q", "--otel-endpoint", collector, "--json", "-"], capsys)
    assert code == 0, err
    roots = [name for name, parent in _spans_received() if not parent]
    assert roots == ["invoke_agent kimi-researcher"] * len(
        TaskSuite.model_validate_json(mini_file.read_text(encoding="utf-8")).tasks
    )


def test_sweep_sends_spans_live_too(
    tmp_path: Path, collector: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "max_steps=3,10", "-a", "kimi-researcher", "--seeds", "1"]
    argv += ["--family", "dead_end", "--out", str(tmp_path / "sweep"), "--no-report", "-q"]
    code, _, err = cli([*argv, "--otel-endpoint", collector], capsys)
    assert code == 0, err
    episodes = sum(
        len(_results(cell)) for cell in (tmp_path / "sweep" / "cells").iterdir() if cell.is_dir()
    )
    roots = [name for name, parent in _spans_received() if not parent]
    assert len(roots) == episodes > 0


# --- tables -------------------------------------------------------------------------------


def test_csv_and_parquet_tables_read_back_in_pandas(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = _results(run)
    steps = sum(r.totals.steps for r in results)
    _export(run, "csv", tmp_path / "csv", capsys)
    _export(run, "csv", tmp_path / "csv2", capsys)
    _export(run, "parquet", tmp_path / "pq", capsys)
    for name in ("episodes.csv", "steps.csv"):  # the same run, the same bytes
        assert (tmp_path / "csv" / name).read_bytes() == (tmp_path / "csv2" / name).read_bytes()
    for episodes, calls in (
        (
            pd.read_csv(tmp_path / "csv" / "episodes.csv"),
            pd.read_csv(tmp_path / "csv" / "steps.csv"),
        ),
        (
            pd.read_parquet(tmp_path / "pq" / "episodes.parquet"),
            pd.read_parquet(tmp_path / "pq" / "steps.parquet"),
        ),
    ):
        assert len(episodes) == len(results) and len(calls) == steps
        assert episodes["correct"].sum() == sum(r.correct for r in results)
        assert calls["input_tokens"].sum() == sum(r.totals.input_tokens for r in results)
        assert calls["tool_calls"].sum() == sum(r.totals.tool_calls for r in results)


def test_comparison_to_pandas_and_a_short_repr(made: tuple[Path, Comparison]) -> None:
    run, result = made
    frame = result.to_pandas()
    assert len(frame) == len(result.results) and frame["seed"].dtype == "int64"
    lean = Comparison(result.config, [], result.summaries, run)  # keep_results=False
    assert len(lean.to_pandas()) == len(result.results)
    line = repr(result)
    assert "\n" not in line and len(line) < 400
    assert line.startswith("Comparison(") and all(a in line for a in ARCHS)
    assert "<table>" in result._repr_html_() and ARCHS[1] in result._repr_html_()


# --- bad input, secrets -------------------------------------------------------------------


def test_bad_input_is_one_line_and_exit_2(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = str(tmp_path / "out")
    cases: list[tuple[list[str], str, str | None]] = [
        (["export", str(tmp_path / "nowhere"), "-f", "csv"], "does not exist", None),
        (["export", str(run), "-f", "xml"], "not an export format", None),
        (["export", str(tmp_path), "-f", "csv"], "holds no archbench run", None),
        (["export", str(run), "-f", "csv", "--otel-endpoint", "http://x"], "--format otel", None),
        (["export", str(run), "-f", "otel", "--otel-endpoint", "ftp://x"], "http(s) URL", None),
        (["export", str(run), "-f", "inspect", "-o", out], "archbench[inspect]", "inspect_ai.log"),
        (["export", str(run), "-f", "otel", "-o", out], "archbench[otel]", "opentelemetry.sdk"),
        (["export", str(run), "-f", "parquet", "-o", out], "archbench[parquet]", "pyarrow"),
    ]
    for argv, says, missing in cases:
        with monkeypatch.context() as mp:
            if missing:
                mp.setitem(sys.modules, missing, None)  # its import fails, as if not installed
            code, _, err = cli(argv, capsys)
        assert code == 2, (argv, err)
        assert err.count("\n") == 1 and says in err and "Traceback" not in err, err
    with monkeypatch.context() as mp:
        mp.setitem(sys.modules, "pandas", None)
        with pytest.raises(ConfigError, match=r"archbench\[parquet\]"):
            Comparison({}, [], []).to_pandas()


def test_no_secret_reaches_an_export(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run directory that was tampered with to hold a key in its model ids: the exports
    show the ids redacted."""
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    secret = "sk-exportsecret123456"
    for name in ("config.json", "traces.jsonl", "results.jsonl"):
        path = copy / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("mock/kimi-researcher", f"openai/gpt?api_key={secret}"))
    for fmt in ("inspect", "otel", "csv", "parquet"):
        _export(copy, fmt, tmp_path / fmt, capsys)
    assert b"api_key=[redacted]" in (tmp_path / "csv" / "steps.csv").read_bytes()
    for path in tmp_path.rglob("*"):
        if path.is_file() and tmp_path / "run" not in path.parents:
            assert secret.encode() not in path.read_bytes(), path


# --- schemas ------------------------------------------------------------------------------


def test_committed_schemas_are_the_generated_ones() -> None:
    """Regenerate with `python3 scripts/make_schemas.py` when a model changes."""
    generated = schema_texts()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == generated
    assert len(generated) == len(SCHEMAS)


def test_run_files_match_their_schema_models(made: tuple[Path, Comparison]) -> None:
    run, result = made
    ConfigFile.model_validate_json((run / "config.json").read_bytes())
    SummaryFile.model_validate_json((run / "summary.json").read_bytes())
    ArchitecturesFile.model_validate_json((run / "architectures.json").read_bytes())
    TaskSuite.model_validate_json((run / "suite.json").read_bytes())
    for name, model in (
        ("results.jsonl", ResultLine),
        ("traces.jsonl", TraceLine),
        ("recording.jsonl", RecordingLine),
    ):
        for line in (run / name).read_text(encoding="utf-8").splitlines():
            model.model_validate_json(line)
    CompareJson.model_validate(result.to_json())
