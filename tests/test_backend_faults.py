"""Faults a real endpoint has, injected by the local server: 429 with Retry-After, 5xx,
responses slower than the timeout, dropped connections, malformed tool-call JSON, unknown
tools. Each is retried or turned into a tool error; when retries run out the episode ends
as `error` with the reason and the run goes on, every episode accounted for."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

import fake_openai_server
import pytest
from fake_openai_server import FakeServer, Fault

from architectures import BUILTINS
from harness.backends.base import CallStats
from harness.backends.openai_compat import create_backend
from harness.backends.retry import RetryPolicy, retry_after_seconds
from harness.compare import compare
from harness.errors import BackendError
from harness.messages import Message, ModelRequest
from harness.registry import parse_model_id
from harness.tools import ANSWER, SEARCH

FAST = {"backoff": 0.01, "max_retries": 2}

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server


def call(model_id: str, stats: CallStats | None = None) -> float:
    """One request; returns the wall-clock seconds it took, retries included."""
    backend = create_backend(parse_model_id(model_id), stats=stats)
    request = ModelRequest(
        (Message("system", "You are a research agent."), Message("user", "Where is X?")),
        (SEARCH, ANSWER),
    )
    start = time.perf_counter()
    asyncio.run(backend.generate(request))
    return time.perf_counter() - start


def test_429_is_retried_after_the_time_the_server_asks(fake_server: FakeServer) -> None:
    fake_server.reset(faults=[Fault("429", retry_after="1")])
    stats = CallStats()
    elapsed = call(fake_server.model_id(**FAST), stats)
    assert elapsed >= 0.95  # Retry-After: 1, although the backoff is 10 ms
    assert len(fake_server.requests) == 2
    assert (stats.retries, stats.network, stats.failed) == (1, 1, 0)


def test_retry_after_is_capped_and_read_in_every_form() -> None:
    policy = RetryPolicy(retry_after_cap_s=60)
    rng = random.Random(0)
    assert policy.delay(0, rng, 3600) == 60
    assert policy.delay(0, rng, 2.5) == 2.5
    assert retry_after_seconds({"retry-after": "7"}) == 7
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "7"}) == 0.25
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert retry_after_seconds({"retry-after": date}, now=1445412480.0) == 10
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_is_exponential_with_seeded_jitter() -> None:
    policy = RetryPolicy(backoff_s=1.0, max_backoff_s=30)
    waits = [policy.delay(n, random.Random(1), None) for n in range(7)]
    for n, wait in enumerate(waits):
        base = min(30, 2**n)
        assert base / 2 <= wait <= base
    assert waits == [policy.delay(n, random.Random(1), None) for n in range(7)]


@pytest.mark.parametrize("kind", ["500", "drop"])
def test_server_errors_and_dropped_connections_are_retried(
    fake_server: FakeServer, kind: str
) -> None:
    fake_server.reset(faults=[Fault(kind, times=2)])  # type: ignore[arg-type]
    stats = CallStats()
    call(fake_server.model_id(**FAST), stats)
    assert len(fake_server.requests) == 3
    assert (stats.retries, stats.network) == (2, 1)


def test_a_response_slower_than_the_timeout_is_retried(fake_server: FakeServer) -> None:
    fake_server.reset(faults=[Fault("slow", delay_s=1.0)])
    elapsed = call(fake_server.model_id(timeout=0.3, **FAST))
    assert 0.3 <= elapsed < 1.0
    assert len(fake_server.requests) == 2


def test_when_retries_run_out_the_error_names_the_reason(fake_server: FakeServer) -> None:
    fake_server.reset(faults=[Fault("slow", times=-1, delay_s=1.0)])
    stats = CallStats()
    with pytest.raises(BackendError) as info:
        call(fake_server.model_id(timeout=0.2, **FAST), stats)
    assert "timed out after 0.2s (gave up after 3 attempts)" in str(info.value)
    assert (stats.retries, stats.failed, stats.network) == (2, 1, 0)


def test_a_client_error_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.reset(faults=[Fault("400")])
    with pytest.raises(BackendError, match="HTTP 400"):
        call(fake_server.model_id(**FAST))
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [("bad_json", "tool arguments are not valid JSON"), ("unknown_tool", "unknown tool 'browse'")],
)
def test_a_bad_tool_call_is_a_tool_error_the_model_sees(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, kind: str, message: str
) -> None:
    fake_server.reset(faults=[Fault(kind)])  # type: ignore[arg-type]
    model = fake_server.model_id(**FAST)
    result = compare(
        ["kimi-researcher"],
        suite=str(mini_file),
        seeds=1,
        tasks=["mini-lookup"],
        models={"agent": model},
        out=tmp_path,
    )
    (r,) = result.results
    assert r.outcome == "answered" and r.tool_errors == 1
    (trace,) = [json.loads(x) for x in (tmp_path / "traces.jsonl").read_text().splitlines()]
    bad = trace["steps"][0]["tools"][0]
    assert bad["error"] and message in bad["result"]
    # the model was told, in the tool result of its next request
    tool_msg = next(m for m in fake_server.requests[1]["messages"] if m["role"] == "tool")
    assert message in tool_msg["content"]


def test_a_faulty_run_accounts_for_every_episode(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    """Random faults on a fifth of the requests, and one task whose requests always fail:
    its episodes end as `error`, the others finish; none is lost or written twice."""
    fake_server.reset(
        faults=[Fault("500", times=-1, match="chief executive of Tarsk Mining")],
        fault_rate=0.2,
        fault_kinds=("429", "500", "slow", "drop", "bad_json"),
        seed=3,
    )
    model = fake_server.model_id(timeout=0.5, max_retries=3, backoff=0.01)
    result = compare(
        sorted(BUILTINS),
        suite=str(mini_file),
        seeds=2,
        models={"*": model},
        out=tmp_path,
        concurrency=8,
    )
    plan = [(a, s, t) for a in sorted(BUILTINS) for s in (0, 1) for t in _task_ids(mini_file)]
    got = [(r.architecture, r.seed, r.task_id) for r in result.results]
    assert got == plan  # every episode, once, in planned order
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(r["architecture"], r["seed"], r["task_id"]) for r in lines] == plan
    traces = (tmp_path / "traces.jsonl").read_text().splitlines()
    assert [(t["architecture"], t["seed"], t["task_id"]) for t in map(json.loads, traces)] == plan
    assert (tmp_path / "summary.json").exists()
    for r in result.results:
        assert r.outcome in ("answered", "error", "no_answer", "budget_exhausted")
        if r.task_id == "mini-conflict":
            assert r.outcome == "error"
            assert r.error is not None and "HTTP 500" in r.error and "gave up after 4" in r.error
    ok = [r for r in result.results if r.task_id != "mini-conflict"]
    assert sum(r.outcome == "answered" for r in ok) >= len(ok) * 3 // 4
    stats = result.calls
    assert stats is not None and stats.retries > 0 and stats.failed >= 8
    summary = {s.architecture: s.episodes for s in result.summaries}
    assert summary == dict.fromkeys(sorted(BUILTINS), 10)


def _task_ids(suite_file: Path) -> list[str]:
    return [t["id"] for t in json.loads(suite_file.read_text())["tasks"]]
