"""Hostile models: what a server sends back can never crash a run, leak its key, make a
cost negative or hold a call past its deadline. Each scenario runs real archbench episodes
through the real-backend path (the `openai` SDK, the cache, the recorder) against the local
server, then checks what was written: no crash, the outcome recorded, no key on disk,
nothing negative, the deadline honoured. docs/reliability.md lists these promises."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import fake_openai_server
import pytest
from fake_openai_server import FakeServer, Fault

from harness.cli import main
from harness.compare import Comparison, compare
from harness.rerun import replay
from harness.usage import UsageLimits

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server

KEY = "sk-HOSTILE-5f1d9a7c3e2b8d40"
ARCHS = ["kimi-researcher", "orchestrator-workers"]


def _run(server_model: str, suite: Path, out: Path | None, **kw: Any) -> Comparison:
    return compare(
        kw.pop("archs", ARCHS),
        suite=str(suite),
        seeds=1,
        models={"*": server_model},
        out=out,
        **kw,
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _assert_no_key(root: Path) -> None:
    """Not the key, nor any 8 characters of its start, in any file under `root`."""
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data, path
        assert KEY[:8].encode() not in data, path


def _assert_nothing_negative(obj: Any, where: str = "") -> None:
    """No negative number anywhere in a JSON document (tokens, costs, latencies)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            _assert_nothing_negative(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _assert_nothing_negative(v, f"{where}[{i}]")
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        assert obj >= 0, where


# --- text no encoder accepts ------------------------------------------------------------


def test_lone_surrogates_and_control_characters_crash_nothing(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every reply carries lone surrogates, NUL and control characters in its text, its
    tool-call arguments (escaped and raw) and ids, and one names a tool with them. The run
    finishes; the cache, the recording, the results, the traces, a rerun from the cache, a
    run without the cache (the wire encoder), a replay and the report all hold."""
    fake_server.reset(faults=[Fault("hostile_name"), Fault("hostile_text", times=-1)])
    model = fake_server.model_id(max_retries=0)
    run, cache = tmp_path / "run", tmp_path / "cache"
    first = _run(model, mini_file, run, record=True, cache_dir=cache)
    assert {r.outcome for r in first.results} == {"answered"}
    assert sum(r.tool_errors for r in first.results) >= 1  # the hostile tool name
    answers = [r.answer or "" for r in first.results]
    # lone surrogates replaced visibly; NUL, controls and real characters kept as they came
    assert all("\ufffd nul\x00 bel\x07 esc\x1b del\x7f \ufffd pair\U0001f600" in a for a in answers)
    for line in _lines(run / "results.jsonl"):
        assert "\ufffd" in line["answer"]
    traces = (run / "traces.jsonl").read_text(encoding="utf-8")
    assert "\\ufffd" in traces or "\ufffd" in traces
    recording = (run / "recording.jsonl").read_text(encoding="utf-8")
    assert "\ufffd" in recording
    # rerun: every answer from the cache, the same results
    sent = len(fake_server.requests)
    again = _run(model, mini_file, None, cache_dir=cache)
    assert len(fake_server.requests) == sent and again.results_jsonl() == first.results_jsonl()
    # no cache: the hostile answers go back out through the wire encoder
    fresh = _run(model, mini_file, None, cache=False)
    assert [(r.outcome, r.answer) for r in fresh.results] == [
        (r.outcome, r.answer) for r in first.results
    ]
    assert replay(run).matches(run)
    main(["report", str(run), "-o", str(tmp_path / "report")])
    assert (tmp_path / "report" / "index.html").is_file()
    capsys.readouterr()


def test_a_hostile_error_body_is_recorded_readably(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    fake_server.reset(faults=[Fault("500", times=-1)])
    model = fake_server.model_id(max_retries=0)
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], record=True)
    assert {r.outcome for r in result.results} == {"error"}
    for line in _lines(tmp_path / "results.jsonl"):
        assert "HTTP 500: Error code: 500 - server error for" in line["error"]
        assert "\ufffd nul\x00 bel\x07" in line["error"]
    assert replay(tmp_path).matches(tmp_path)


def test_a_body_that_is_not_utf8_is_retried_then_named(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    from test_backend_faults import call

    from harness.backends.base import CallStats

    fake_server.reset(faults=[Fault("bad_utf8")])
    stats = CallStats()
    call(fake_server.model_id(max_retries=1, backoff=0.01), stats)
    assert (stats.retries, stats.network, stats.failed) == (1, 1, 0)
    fake_server.reset(faults=[Fault("bad_utf8", times=-1)])
    model = fake_server.model_id(max_retries=1, backoff=0.01)
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    assert r.error.endswith(": the response body is not valid UTF-8 (gave up after 2 attempts)")


# --- keys echoed back -------------------------------------------------------------------


# The SDK's message is "Error code: 500 - " (18 characters) then the server's; the server's
# is `pad` characters, then "server error for Bearer " (24), then the key: a pad of 150
# puts the key's first 8 characters before archbench's 200-character cut.
@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        (Fault("500", times=-1, pad=150), "Bearer [redact"),  # the key across the cut
        (Fault("500", times=-1, pad=40, cut=80), "Bearer [redacted]"),  # cut by the server
        (Fault("400", times=-1, pad=200), "ppp"),  # the key just past the cut
    ],
    ids=["across-the-cut", "cut-by-the-server", "past-the-cut"],
)
def test_a_key_echoed_near_the_cut_of_an_error_is_never_stored(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: Fault,
    shown: str,
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    fake_server.reset(faults=[fault])
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek", max_retries=0)
    run = tmp_path / "run"
    argv = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    with pytest.raises(SystemExit) as exited:  # every episode ended in error: exit code 1
        main([*argv, "-m", f"*={model}", "-o", str(run), "--record", "-q"])
    assert exited.value.code == 1
    main(["report", str(run), "-o", str(tmp_path / "report")])
    assert all(h["authorization"] == f"Bearer {KEY}" for h in fake_server.headers)
    errors = [r["error"] for r in _lines(run / "results.jsonl")]
    assert errors and all(f"HTTP {fault.kind}: Error code: {fault.kind} - ppp" in e for e in errors)
    assert all(shown in e for e in errors), errors
    _assert_no_key(tmp_path)


def test_a_reply_that_echoes_the_key_is_stored_without_it(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server repeats the key (whole, and cut after 12 characters) in its text and in
    every tool argument: the final answer, the traces, the cache and the recording keep
    "[redacted]" instead."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    fake_server.reset(faults=[Fault("echo_key", times=-1)])
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek", max_retries=0)
    run, cache = tmp_path / "run", tmp_path / "cache"
    result = _run(model, mini_file, run, record=True, cache_dir=cache)
    assert {r.outcome for r in result.results} == {"answered"}
    assert all("[redacted]" in (r.answer or "") for r in result.results)
    again = _run(model, mini_file, None, cache_dir=cache)
    assert again.results_jsonl() == result.results_jsonl()
    _assert_no_key(tmp_path)


# --- usage that cannot be ---------------------------------------------------------------


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": -50_000, "completion_tokens": -300},
        {"prompt_tokens": 40, "prompt_tokens_details": {"cached_tokens": 4000}},
        {"prompt_tokens": "12", "completion_tokens": 2.5, "total_tokens": None},
        {"completion_tokens": 10, "completion_tokens_details": {"reasoning_tokens": -7}},
    ],
    ids=["negative", "cached-above-input", "not-integers", "negative-reasoning"],
)
def test_invalid_usage_never_makes_a_cost_negative(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    usage: dict[str, Any],
) -> None:
    """Invalid usage is counted locally, as for a server that reports none, and the run
    says how many calls had it; costs stay positive and `--max-cost` still stops."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    fake_server.reset(faults=[Fault("bad_usage", times=-1, usage=usage)])
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek", max_retries=0)
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"])
    assert {r.outcome for r in result.results} == {"answered"}
    for r in result.results:
        assert r.totals.cost_usd is not None and r.totals.cost_usd > 0
        assert r.totals.input_tokens > 0 and r.totals.output_tokens > 0
    for line in _lines(tmp_path / "results.jsonl") + _lines(tmp_path / "traces.jsonl"):
        _assert_nothing_negative(line)
    _assert_nothing_negative(json.loads((tmp_path / "summary.json").read_text()))
    assert result.calls is not None and result.calls.invalid_usage == len(fake_server.requests)
    assert result.calls.spent_usd is not None and result.calls.spent_usd > 0
    assert "with invalid usage" in result.calls.describe()
    capped = compare(
        ["kimi-researcher"],
        suite=str(mini_file),
        seeds=1,
        tasks=["mini-lookup"],
        models={"*": model},
        limits=UsageLimits(max_cost_usd=1e-9),
        cache=False,
    )
    assert [r.outcome for r in capped.results] == ["budget_exhausted"]


# --- deadlines --------------------------------------------------------------------------


TRANSPORTS = ["aiohttp", "httpx"]


def _transport(monkeypatch: pytest.MonkeyPatch, transport: str) -> None:
    if transport == "httpx":
        monkeypatch.setenv("ARCHBENCH_HTTP", "httpx")
    else:
        monkeypatch.delenv("ARCHBENCH_HTTP", raising=False)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("kind", ["trickle", "endless"])
def test_a_body_that_never_finishes_ends_at_the_deadline(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
    kind: str,
) -> None:
    """A byte every 0.1 s (the whole body would take a minute) or a body that never ends:
    each byte is well within the timeout, the whole response is not. The call ends at its
    deadline (the timeout), as a timeout; the episode is recorded as `error`."""
    _transport(monkeypatch, transport)
    fake_server.reset(faults=[Fault(kind, times=-1, delay_s=0.1)])  # type: ignore[arg-type]
    model = fake_server.model_id(timeout=1, max_retries=0)
    start = time.monotonic()
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
    elapsed = time.monotonic() - start
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    assert r.error.endswith(": timed out after 1s (gave up after 1 attempts)"), r.error
    assert elapsed < 20  # the deadline fired: the body alone would take a minute
    (line,) = _lines(tmp_path / "results.jsonl")
    assert line["outcome"] == "error"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_trickled_answer_is_retried_after_the_deadline(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    """The deadline cancels the attempt cleanly: the next attempt, on the same client,
    gets its answer."""
    from test_backend_faults import call

    from harness.backends.base import CallStats

    _transport(monkeypatch, transport)
    fake_server.reset(faults=[Fault("trickle", delay_s=0.1)])
    stats = CallStats()
    call(fake_server.model_id(timeout=1, max_retries=1, backoff=0.01), stats)
    assert (stats.retries, stats.network, stats.failed) == (1, 1, 0)


# --- connections ------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_connection_is_named_so(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
) -> None:
    from fake_hostile import refused_url

    _transport(monkeypatch, transport)
    url = refused_url()
    model = f"openai-compatible/fake@{url}?max_retries=1&backoff=0.01&timeout=30"
    start = time.monotonic()
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    host = url.removeprefix("http://").removesuffix("/v1")
    assert r.error.endswith(f": connection refused by {host} (gave up after 2 attempts)"), r.error
    assert time.monotonic() - start < 20  # not the 30 s timeout


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("mode", "reason"),
    [("reset", "connection reset by"), ("close", "connection closed by")],
)
def test_a_reset_or_closed_connection_is_named_so(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
    mode: str,
    reason: str,
) -> None:
    from fake_hostile import RawListener

    _transport(monkeypatch, transport)
    with RawListener(mode) as listener:  # type: ignore[arg-type]
        model = f"openai-compatible/fake@{listener.base_url}?max_retries=1&backoff=0.01"
        result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
        assert listener.accepted >= 2
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    assert f": {reason} 127.0.0.1:{listener.port}" in r.error, r.error
    assert r.error.endswith("(gave up after 2 attempts)")
    assert "timed out" not in r.error


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_connection_dropped_inside_the_body_is_named_so(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
) -> None:
    _transport(monkeypatch, transport)
    fake_server.reset(faults=[Fault("drop", times=-1)])
    model = fake_server.model_id(max_retries=1, backoff=0.01)
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    closed = f"connection closed by 127.0.0.1:{fake_server.port} before the response was complete"
    assert r.error.endswith(f": {closed} (gave up after 2 attempts)"), r.error


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_dns_failure_is_named_so(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
) -> None:
    """The resolver is replaced by one that knows no name, so nothing leaves the machine."""
    import asyncio
    import socket

    async def no_such_name(self: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", no_such_name)
    _transport(monkeypatch, transport)
    model = "vllm/fake?base_url=http://localhost:9/v1&max_retries=0"
    result = _run(model, mini_file, tmp_path, archs=["kimi-researcher"], tasks=["mini-lookup"])
    (r,) = result.results
    assert r.outcome == "error" and r.error is not None
    assert ": DNS lookup failed for localhost (" in r.error, r.error
