"""An API key goes in one place only: the Authorization header of a request. Never in a
model id, trace, result, summary, recording, cache row, log line, error or report, not even
when a careless server echoes it back in its error messages."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import fake_openai_server
import pytest
from fake_openai_server import FakeServer, Fault

from harness.cli import main
from harness.errors import ConfigError
from harness.registry import check_model_id

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server

KEY = "sk-ARCHBENCH-SECRET-7f3a9c1e5b2d"
POISON = "chief executive of Tarsk Mining"  # the mini-conflict task: every request fails


def test_the_key_appears_nowhere_but_in_the_request_header(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)  # every logger: archbench's, the openai SDK's, httpx's
    # the server echoes the request's Authorization header in its 400/500 error messages
    fake_server.reset(faults=[Fault("500", times=-1, match=POISON), Fault("400"), Fault("429")])
    model = fake_server.model_id(
        "deepseek-reasoner", provider="deepseek", max_retries=1, backoff=0.01
    )
    run, cache = tmp_path / "run", tmp_path / "cache"
    # the poisoned episodes end in error: allowed, so each command exits 0
    allow = ["--max-errors", "10", "-v"]  # -v: the retries' log lines go through the CLI too
    common = ["--suite", str(mini_file), "--seeds", "1", "-m", f"*={model}", "-q", *allow]
    archs = ["-a", "kimi-researcher", "-a", "orchestrator-workers"]
    main(["compare", *archs, *common, "-o", str(run), "--record", "--cache-dir", str(cache)])
    main(["compare", *archs, *common, "--cache-dir", str(cache), "--json", str(tmp_path / "s")])
    main(["compare", "--replay", str(run), "-o", str(tmp_path / "replayed"), *allow])
    main(["run", "kimi-researcher", "-t", "mini-conflict", "--suite", str(mini_file)]
         + ["-m", f"agent={model}", *allow])  # fmt: skip
    printed = capsys.readouterr()

    # the key was used, and the server did send it back inside its errors
    assert all(h["authorization"] == f"Bearer {KEY}" for h in fake_server.headers)
    results = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    errors = [r["error"] for r in results if r["error"]]
    assert errors and all("[redacted]" in e for e in errors)
    assert "HTTP 500" in printed.out and "[redacted]" in printed.out  # archbench run's trace

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"results.jsonl", "traces.jsonl", "recording.jsonl", "config.json"} <= names
    assert "responses.sqlite" in names and "s" in names and "summary.json" in names
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in printed.out and KEY not in printed.err
    assert caplog.records and KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in record.getMessage()


def test_a_key_in_a_model_id_is_refused_without_being_repeated() -> None:
    with pytest.raises(ConfigError) as info:
        check_model_id(f"moonshot/kimi-k2-0711-preview?api_key={KEY}")
    assert KEY not in str(info.value) and "api_key_env" in str(info.value)


def test_run_files_name_the_key_variable_never_its_value(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_GPU_KEY", KEY)
    model = fake_server.model_id("MiniMax-M1", provider="vllm", api_key_env="MY_GPU_KEY")
    main(["compare", "-a", "minimax-hybrid", "--suite", str(mini_file), "--seeds", "1", "-q"]
         + ["-m", f"in_house={model}", "-o", str(tmp_path / "run"), "--record"])  # fmt: skip
    config = (tmp_path / "run" / "config.json").read_text()
    assert "api_key_env=MY_GPU_KEY" in config and KEY not in config
    assert fake_server.headers[-1]["authorization"] == f"Bearer {KEY}"
