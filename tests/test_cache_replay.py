"""The response cache and record/replay, against the local server: a rerun costs nothing,
a recorded run replays offline byte for byte, and a request missing from the recording
fails only its episode, with a message naming the model and the step."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import fake_openai_server
import pytest
from fake_openai_server import FakeServer, Fault
from mini_suite import mini_suite

from harness.backends.base import RequestKeys, request_key
from harness.backends.cache import CACHE_FILE
from harness.backends.providers import identity, resolve
from harness.cli import main
from harness.compare import compare
from harness.errors import ConfigError
from harness.messages import GenerateConfig, Message, ModelRequest, ToolCall
from harness.registry import parse_model_id
from harness.rerun import replay
from harness.sim.version import SIM_VERSION, UNSTAMPED_SIM_VERSION
from harness.tools import ANSWER, SEARCH

ARCHS = ["kimi-researcher", "orchestrator-workers"]
KEY = "sk-replay-test-key-0000"

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server


def _identity(model_id: str) -> str:
    return identity(*resolve(parse_model_id(model_id)))


# --- the key ----------------------------------------------------------------------------


def test_keys_made_with_remembered_messages_are_the_keys() -> None:
    """The cache's and recorder's keyer remembers each message's JSON; its keys must be
    `request_key`'s exactly, or every existing cache and recording would stop matching."""
    call = ToolCall("c1", "search", {"query": "Zürich 北京", "k": 5})
    turns = [
        Message("system", "You are a research agent."),
        Message("user", "Who founded Lorvale?"),
        Message("assistant", "", (call,)),
        Message("tool", "[doc-1] Lorvale | founded 2011", tool_call_id="c1", name="search"),
        Message("assistant", "2011 [doc-1]"),
    ]
    for keys in (RequestKeys(), RequestKeys(limit=2)):
        for n in range(1, len(turns) + 1):
            for config in (GenerateConfig(), GenerateConfig(tool_choice="answer", temperature=0.7)):
                request = ModelRequest(tuple(turns[:n]), (SEARCH, ANSWER), config=config, seed=n)
                assert keys("vllm/q@http://127.0.0.1:1/v1", request) == request_key(
                    "vllm/q@http://127.0.0.1:1/v1", request
                )
        no_tools = ModelRequest(tuple(turns[:2]))
        assert keys("m", no_tools) == request_key("m", no_tools)


def test_the_key_is_the_request_a_model_sees_and_nothing_else() -> None:
    base = ModelRequest(
        (Message("system", "s"), Message("user", "q")), (SEARCH, ANSWER), "act", seed=3
    )
    ident = _identity("vllm/m")
    k = request_key(ident, base)
    oracle = mini_suite().tasks[0].solution
    assert k == request_key(ident, replace(base, oracle=oracle))  # never the oracle
    assert k == request_key(ident, replace(base, purpose="plan"))  # not sent, not keyed
    for other in (
        replace(base, seed=4),
        replace(base, tools=(SEARCH,)),
        replace(base, config=GenerateConfig(tool_choice="answer")),
        replace(base, messages=(Message("system", "s"), Message("user", "q2"))),
    ):
        assert request_key(ident, other) != k
    assert request_key(_identity("vllm/other"), base) != k
    # transport options do not change the answer, so not the key; endpoints and sampling do
    assert _identity("vllm/m?timeout=5&rpm=60&max_retries=1&api_key_env=X") == ident
    assert _identity("vllm/m?base_url=http://gpu:8000/v1") != ident
    assert _identity("vllm/m?temperature=0.7") != ident
    assert ident == "vllm/m@http://localhost:8000/v1"


# --- the cache --------------------------------------------------------------------------


def test_a_rerun_is_answered_from_the_cache(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    model = fake_server.model_id()
    run = {"suite": str(mini_file), "seeds": 1, "models": {"*": model}, "cache_dir": tmp_path}
    first = compare(ARCHS, **run)  # type: ignore[arg-type]
    sent = len(fake_server.requests)
    assert first.calls is not None and first.calls.network == sent > 0
    second = compare(ARCHS, **run)  # type: ignore[arg-type]
    assert len(fake_server.requests) == sent  # nothing sent
    assert second.calls is not None and second.calls.network == 0
    assert second.calls.cached == first.calls.network
    assert second.results_jsonl() == first.results_jsonl()  # same answers, tokens, latency
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        rows = db.execute("SELECT key, model, response FROM responses").fetchall()
    db.close()
    assert len(rows) == sent
    assert {m for _, m, _ in rows} == {_identity(model)}
    assert all(len(k) == 64 and json.loads(r)["model"] == model for k, _, r in rows)
    third = compare(ARCHS, cache=False, **run)  # type: ignore[arg-type]
    assert third.calls is not None and third.calls.cached == 0
    assert len(fake_server.requests) == 2 * sent


def test_a_cached_answer_is_priced_with_todays_prices(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    run = {"suite": str(mini_file), "seeds": 1, "models": {"*": model}, "cache_dir": tmp_path}
    first = compare(["kimi-researcher"], tasks=["mini-lookup"], **run)  # type: ignore[arg-type]
    prices = tmp_path / "prices.toml"
    prices.write_text('["deepseek/deepseek-reasoner"]\ninput = 0\noutput = 0\n')
    again = compare(["kimi-researcher"], tasks=["mini-lookup"], prices=prices, **run)  # type: ignore[arg-type]
    assert again.calls is not None and again.calls.network == 0
    assert first.results[0].totals.cost_usd and again.results[0].totals.cost_usd == 0
    assert again.calls.spent_usd == 0


def test_cli_says_how_many_calls_were_cached(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    argv += ["-m", f"agent={fake_server.model_id()}", "--cache-dir", str(tmp_path), "-q"]
    main(argv)
    n = len(fake_server.requests)
    capsys.readouterr()
    main(argv)
    assert f"model calls: {n} from the cache; spent now: $0.0000" in capsys.readouterr().err
    main([*argv, "--no-cache"])
    assert f"model calls: {n} to the network" in capsys.readouterr().err


# --- record and replay ------------------------------------------------------------------


def _record(server: FakeServer, suite: Path, out: Path, **kw: object) -> None:
    model = server.model_id("deepseek-reasoner", provider="deepseek", max_retries=1, backoff=0.01)
    compare(
        ARCHS + ["minimax-hybrid"],
        suite=str(suite),
        seeds=2,
        models={"*": model, "in_house": "mock/minimax-m1"},
        out=out,
        record=True,
        concurrency=6,
        cache=False,
        **kw,  # type: ignore[arg-type]
    )


def test_a_recorded_run_replays_offline_byte_for_byte(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one task always fails: its error episodes must replay too
    fake_server.reset(faults=[Fault("500", times=-1, match="chief executive of Tarsk Mining")])
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    recorded = tmp_path / "recorded"
    _record(fake_server, mini_file, recorded)
    assert {p.name for p in recorded.iterdir()} >= {
        "config.json", "results.jsonl", "traces.jsonl", "summary.json",
        "recording.jsonl", "suite.json", "architectures.json",
    }  # fmt: skip
    outcomes = [
        json.loads(x)["outcome"] for x in (recorded / "results.jsonl").read_text().splitlines()
    ]
    assert "error" in outcomes and "answered" in outcomes
    sent = len(fake_server.requests)
    header, *lines = [
        json.loads(x) for x in (recorded / "recording.jsonl").read_text().splitlines()
    ]
    assert header == {"kind": "archbench-recording", "v": 1, "sim_version": SIM_VERSION}
    assert any("error" in x for x in lines) and all("oracle" not in x["request"] for x in lines)
    first = lines[0]
    assert first["request"]["messages"][0]["role"] == "system" and "usage" in first["response"]

    # offline: no key, the suite file gone, the server would notice any request
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    mini_file.rename(tmp_path / "moved.json")
    try:
        again = replay(recorded, out=tmp_path / "replayed", concurrency=3)
    finally:
        (tmp_path / "moved.json").rename(mini_file)
    assert len(fake_server.requests) == sent
    assert again.matches(recorded)
    assert (tmp_path / "replayed" / "results.jsonl").read_bytes() == (
        recorded / "results.jsonl"
    ).read_bytes()
    assert again.calls is not None and again.calls.replayed > 0 and again.calls.network == 0
    config = json.loads((tmp_path / "replayed" / "config.json").read_text())
    assert config["replay_of"] == str(recorded) and config["seeds"] == [0, 1]


def test_a_request_not_in_the_recording_fails_only_its_episode(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    recorded = tmp_path / "recorded"
    _record(fake_server, mini_file, recorded)
    lines = (recorded / "recording.jsonl").read_text().splitlines()
    # forget one answer: kimi-researcher's third step on mini-multi, in one of its seeds
    drop = next(
        i
        for i, x in enumerate(lines)
        if (e := json.loads(x)).get("step") == 2
        and e["request"]["messages"][0]["content"].startswith("You are a research agent")
        and "maker of the Vexa drone" in e["request"]["messages"][1]["content"]
    )
    (recorded / "recording.jsonl").write_text("\n".join(lines[:drop] + lines[drop + 1 :]) + "\n")
    again = replay(recorded)
    assert not again.matches(recorded)
    recorded_results = [
        json.loads(x) for x in (recorded / "results.jsonl").read_text().splitlines()
    ]
    failed = []
    for got, want in zip(again.results, recorded_results, strict=True):
        if got.model_dump(mode="json") != want:
            failed.append(got)
    (r,) = failed
    assert (r.architecture, r.task_id, r.outcome) == ("kimi-researcher", "mini-multi", "error")
    assert r.error is not None
    assert r.error.startswith("not recorded: model deepseek/deepseek-reasoner?base_url=http")
    assert ", step 2 (act): " in r.error and "recording.jsonl has no answer" in r.error
    assert again.calls is not None and again.calls.not_recorded == 1


def test_cli_replay_reports_identity_and_refuses_other_flags(
    fake_server: FakeServer,
    mini_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    run = tmp_path / "run"
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    argv = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    main([*argv, "-m", f"agent={model}", "-o", str(run), "--record", "-q", "-j", "4"])
    err = capsys.readouterr().err
    assert "recorded" in err and f"recording written to {run}/recording.jsonl" in err
    monkeypatch.delenv("DEEPSEEK_API_KEY")
    main(["compare", "--replay", str(run), "-o", str(tmp_path / "again"), "-q"])
    err = capsys.readouterr().err
    assert "replayed" in err and f"replay: results identical to {run}/results.jsonl" in err
    for extra in (["-a", "kimi-researcher"], ["--seeds", "2"], ["--record"], ["--no-cache"]):
        with pytest.raises(SystemExit) as info:
            main(["compare", "--replay", str(run), *extra])
        assert info.value.code == 2
        assert "--replay reruns the recorded configuration" in capsys.readouterr().err


def test_record_needs_a_run_dir_and_replay_needs_a_recording(
    mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="--record needs --out"):
        compare(["kimi-researcher"], suite=str(mini_file), seeds=1, record=True)
    plain = tmp_path / "plain"
    compare(["kimi-researcher"], suite=str(mini_file), seeds=1, out=plain)
    with pytest.raises(SystemExit) as info:
        main(["compare", "--replay", str(plain)])
    assert info.value.code == 2
    assert "has no recording.jsonl: record the run with --record" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="no readable config.json"):
        replay(tmp_path / "nowhere")


def test_a_simulated_run_records_and_replays_too(mini_file: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    compare(ARCHS, suite=str(mini_file), seeds=1, out=run, record=True)
    # simulated models are not recorded: the header alone
    (header,) = (run / "recording.jsonl").read_text().splitlines()
    assert json.loads(header)["sim_version"] == SIM_VERSION
    assert replay(run).matches(run)


# --- the simulation version -------------------------------------------------------------


def test_cache_rows_and_recordings_carry_the_simulation_version(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    model = fake_server.model_id()
    compare(
        ["kimi-researcher"],
        suite=str(mini_file),
        seeds=1,
        models={"*": model},
        out=run,
        record=True,
        cache_dir=tmp_path,
    )
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        rows = db.execute("SELECT response FROM responses").fetchall()
    db.close()
    assert rows and {json.loads(r)["sim_version"] for (r,) in rows} == {SIM_VERSION}
    header = json.loads((run / "recording.jsonl").read_text().splitlines()[0])
    assert header["sim_version"] == SIM_VERSION
    assert replay(run).matches(run)


@pytest.mark.parametrize("stamp", ["none", "no-field", "other"])
def test_a_recording_of_another_simulation_version_is_refused(
    mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], stamp: str
) -> None:
    """Made before the version was stamped (no header, or a header without the field:
    version 1) or under another one: refused in one line naming both versions, exit 2."""
    run = tmp_path / "run"
    compare(ARCHS, suite=str(mini_file), seeds=1, out=run, record=True)
    path = run / "recording.jsonl"
    header, *lines = path.read_text().splitlines()
    if stamp == "none":
        path.write_text("".join(x + "\n" for x in lines))
        old = UNSTAMPED_SIM_VERSION
    else:
        old = UNSTAMPED_SIM_VERSION if stamp == "no-field" else SIM_VERSION + 1
        fields = {"kind": "archbench-recording", "v": 1}
        fields |= {} if stamp == "no-field" else {"sim_version": old}
        path.write_text("".join(x + "\n" for x in [json.dumps(fields), *lines]))
    message = (
        f"recording.jsonl was recorded under simulation version {old}, "
        f"this archbench simulates version {SIM_VERSION}"
    )
    with pytest.raises(ConfigError, match=message):
        replay(run)
    with pytest.raises(SystemExit) as info:
        main(["compare", "--replay", str(run), "-q"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
