"""The `openai` backend against a real HTTP server on 127.0.0.1: providers and ids, the wire
format, tool calls, usage and cost, measured latency, concurrency, rate limits, and every
built-in architecture end to end with real-model roles."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fake_openai_server
import pytest
from fake_openai_server import FakeServer, Fault

from architectures import BUILTINS
from harness.backends.openai_compat import create_backend
from harness.backends.pricing import load_price_table
from harness.backends.providers import PROVIDERS, resolve
from harness.backends.ratelimit import RateLimiter, TokenBucket, limiter_for
from harness.cli import main
from harness.compare import compare
from harness.errors import ConfigError, UnknownNameError
from harness.messages import GenerateConfig, Message, ModelRequest, ModelResponse
from harness.registry import check_model_id, get_model, parse_model_id
from harness.tools import ANSWER, SEARCH
from harness.usage import Price

KEY = "sk-test-not-a-real-key-0000"

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server


def generate(model_id: str, request: ModelRequest) -> ModelResponse:
    """One call on a fresh event loop; the loop's clients close with it."""
    return asyncio.run(get_model(model_id).generate(request))


def ask(text: str = "Where is Zentrix Corp headquartered?", **config: Any) -> ModelRequest:
    return ModelRequest(
        (Message("system", "You are a research agent."), Message("user", text)),
        (SEARCH, ANSWER),
        seed=7,
        config=GenerateConfig(**config),
    )


# --- ids and providers ------------------------------------------------------------------


def test_registering_the_providers_does_not_import_the_sdk() -> None:
    code = (
        "import sys, harness.registry as r; names = [p.name for p in r.list_providers()]; "
        "r.check_model_id('deepseek/deepseek-reasoner'); "
        "assert 'openai' not in sys.modules, 'SDK imported'; print(' '.join(names))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = set(out.stdout.split())
    assert set(PROVIDERS) <= names and "mock" in names


@pytest.mark.parametrize(
    ("model_id", "base_url", "key_env", "model"),
    [
        ("openai/gpt-4.1", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4.1"),
        ("deepseek/deepseek-reasoner", "https://api.deepseek.com", "DEEPSEEK_API_KEY", None),
        ("moonshot/kimi-k2-0711-preview", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY", None),
        ("minimax/MiniMax-M1", "https://api.minimax.io/v1", "MINIMAX_API_KEY", None),
        (
            "qwen/qwen-plus",
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY",
            None,
        ),
        ("vllm/Qwen/Qwen3-8B", "http://localhost:8000/v1", "VLLM_API_KEY", "Qwen/Qwen3-8B"),
        ("ollama/llama3.1:8b", "http://localhost:11434/v1", None, "llama3.1:8b"),
        ("llamacpp/any", "http://localhost:8080/v1", None, "any"),
        ("openai-compatible/m1@https://llm.example.org/v1/", "https://llm.example.org/v1",
         None, "m1"),
        ("ollama/x?base_url=http://gpu-box:11434/v1&api_key_env=GPU_KEY",
         "http://gpu-box:11434/v1", "GPU_KEY", "x"),
    ],
)  # fmt: skip
def test_named_providers_are_a_base_url_and_a_key_variable(
    model_id: str, base_url: str, key_env: str | None, model: str | None
) -> None:
    check_model_id(model_id)
    endpoint, _ = resolve(parse_model_id(model_id))
    assert endpoint.base_url == base_url
    assert endpoint.model == (model or model_id.split("/", 1)[1])
    if model_id.startswith("openai-compatible"):
        assert endpoint.key_env == "OPENAI_COMPATIBLE_API_KEY" and not endpoint.key_required
    else:
        assert endpoint.key_env == key_env
    needs_key = model_id.split("/")[0] in {"openai", "deepseek", "moonshot", "minimax", "qwen"}
    assert endpoint.key_required == (needs_key or "api_key_env" in model_id)


@pytest.mark.parametrize(
    ("model_id", "message"),
    [
        ("nosuch/model", "unknown model provider 'nosuch'"),
        ("openai-compatible/m", "openai-compatible/MODEL@BASE_URL"),
        ("vllm/m?bogus=1", "unknown option 'bogus'"),
        ("vllm/m?timeout=soon", "option timeout must be a number"),
        ("vllm/m?rpm=0", "option rpm must be positive"),
        ("vllm/m?base_url=ftp://x", "base URL must look like"),
        ("vllm/m?base_url=http://user:pw@host/v1", "must not carry credentials"),
        ("vllm/m?api_key_env=not a var", "api_key_env must name an environment variable"),
        ("deepseek/deepseek-chat?api_key=sk-LEAKED-123", "never put an API key in a model id"),
    ],
)
def test_a_bad_id_fails_before_the_run_in_one_line(model_id: str, message: str) -> None:
    with pytest.raises((ConfigError, UnknownNameError)) as info:
        check_model_id(model_id)
    text = str(info.value)
    assert message in text and "\n" not in text
    assert "LEAKED" not in text and "pw@" not in text


def test_loopback_guard_refuses_remote_endpoints(fake_server: FakeServer) -> None:
    with pytest.raises(ConfigError, match="only local endpoints"):
        check_model_id("deepseek/deepseek-reasoner")
    check_model_id(fake_server.model_id())


# --- one call ---------------------------------------------------------------------------


def test_tools_go_out_as_function_schemas_and_calls_come_back_parsed(
    fake_server: FakeServer,
) -> None:
    response = generate(fake_server.model_id(), ask(tool_choice="answer"))
    body = fake_server.requests[-1]
    assert body["model"] == "fake"
    assert body["tools"][0] == {
        "type": "function",
        "function": {
            "name": "search",
            "description": SEARCH.description,
            "parameters": SEARCH.parameters,
        },
    }
    assert body["tool_choice"] == {"type": "function", "function": {"name": "answer"}}
    assert body["seed"] == 7 and body["temperature"] == 0.0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    (call,) = response.message.tool_calls
    assert call.name == "answer" and call.arguments == {"text": "Lorvale", "citations": []}
    assert call.id == "call_1_0"
    # the fake server's usage: prompt ~ len/4, 12 reasoning tokens, nothing cached at first
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 12
    assert response.usage.reasoning_tokens == 12 and response.usage.cached_input_tokens == 0
    assert response.usage.requests == 1
    assert response.usage.cost_usd is None  # no price for a fake model: unknown, not $0


def test_history_with_tool_calls_and_results_goes_out_in_wire_format(
    fake_server: FakeServer,
) -> None:
    first = generate(fake_server.model_id(), ask())
    (call,) = first.message.tool_calls
    assert call.name == "search"
    follow = ModelRequest(
        (*ask().messages, first.message, Message("tool", "No results.", tool_call_id=call.id)),
        (SEARCH, ANSWER),
        config=GenerateConfig(tool_choice="required", max_output_tokens=50),
    )
    generate(fake_server.model_id(name="m2", seed="false", temperature="omit"), follow)
    body = fake_server.requests[-1]
    assistant, tool = body["messages"][2:]
    assert assistant["tool_calls"][0]["function"] == {
        "name": "search",
        "arguments": json.dumps(call.arguments),
    }
    assert assistant["tool_calls"][0]["id"] == call.id
    assert tool == {"role": "tool", "tool_call_id": call.id, "content": "No results."}
    assert body["tool_choice"] == "required" and body["max_tokens"] == 50
    assert "seed" not in body and "temperature" not in body


def test_cached_and_reasoning_tokens_are_read_and_priced(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    generate(model, ask())  # the second request is half cached on the fake server
    r = generate(model, ask("Who founded Zentrix Corp?"))
    u = r.usage
    assert u.cached_input_tokens == u.input_tokens // 2 > 0
    price = Price(0.55, 0.14, 2.19)  # the shipped DeepSeek-R1 price
    assert u.cost_usd == pytest.approx(
        price.cost(u.input_tokens, u.cached_input_tokens, u.output_tokens)
    )
    assert fake_server.headers[-1]["authorization"] == f"Bearer {KEY}"


def test_missing_usage_is_counted_locally(fake_server: FakeServer) -> None:
    fake_server.reset(faults=[Fault("no_usage")])
    r = generate(fake_server.model_id(), ask())
    assert r.usage.requests == 1 and r.usage.input_tokens == ask().input_tokens


def test_measured_latency_is_the_wall_clock_of_the_call(fake_server: FakeServer) -> None:
    fake_server.reset(latency_s=0.2)
    r = generate(fake_server.model_id(), ask())
    assert 0.2 <= r.latency_s < 1.5


@pytest.mark.parametrize(("transport", "clients"), [("aiohttp", 1), ("httpx", 4)])
def test_clients_per_endpoint_follow_the_transport(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, transport: str, clients: int
) -> None:
    """aiohttp: one client per endpoint (each costs an SSL context to make); httpx: four
    taken in turn (its pool scans every connection per request). Both answer alike."""
    from harness.backends import clients as sdk_clients

    if transport == "httpx":
        monkeypatch.setenv("ARCHBENCH_HTTP", "httpx")
    else:
        monkeypatch.delenv("ARCHBENCH_HTTP", raising=False)
    backend = get_model(fake_server.model_id())

    async def calls() -> tuple[list[ModelResponse], int, list[str]]:
        replies = [await backend.generate(ask()) for _ in range(6)]
        pool = sdk_clients._POOLS[asyncio.get_running_loop()]
        kinds = sorted({type(c._client).__name__ for c in pool.clients.values()})
        n = len(pool.clients)
        await sdk_clients.close_clients()
        return replies, n, kinds

    replies, n, kinds = asyncio.run(calls())
    assert n == clients
    assert ("Aio" in kinds[0]) == (transport == "aiohttp"), kinds
    assert {r.message.tool_calls[0].name for r in replies} == {"search"}


# --- prices -----------------------------------------------------------------------------

PUBLISHED = {  # /work/shared/PUBLISHED_NUMBERS.md
    "deepseek/deepseek-reasoner": (0.55, 0.14, 2.19),
    "moonshot/kimi-k2-0711-preview": (0.60, 0.15, 2.50),
    "minimax/MiniMax-M1": (0.40, 0.40, 2.20),
    "qwen/qwen-plus": (0.40, 0.40, 1.20),
    "openai/o3": (2.0, 0.50, 8.0),
    "openai/gpt-4.1": (2.0, 0.50, 8.0),
}


def test_shipped_prices_are_the_published_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHBENCH_PRICES", raising=False)
    table = load_price_table()
    for model, price in PUBLISHED.items():
        assert table.lookup(model) == Price(*price), model
    assert table.lookup("ollama/llama3") is None
    assert table.lookup("deepseek/deepseek-reasoner?timeout=5") is None  # ids without options


def test_a_user_price_file_overrides_and_extends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "env.toml"
    env_file.write_text('["ollama/*"]\ninput = 0\noutput = 0\n')
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text(
        '["deepseek/deepseek-reasoner"]\ninput = 1\ncached_input = 0.5\noutput = 3\n'
        '["ollama/llama3*"]\ninput = 0.01\noutput = 0.02\n'
    )
    monkeypatch.setenv("ARCHBENCH_PRICES", str(env_file))
    table = load_price_table(flag_file)
    assert table.lookup("deepseek/deepseek-reasoner") == Price(1, 0.5, 3)
    assert table.lookup("ollama/qwen3:8b") == Price(0, 0, 0)  # a local model priced at zero
    assert table.lookup("ollama/llama3.1:8b") == Price(0.01, 0.01, 0.02)  # the longer glob
    assert table.lookup("moonshot/kimi-k2-0711-preview") == Price(0.6, 0.15, 2.5)
    backend = create_backend(parse_model_id("ollama/qwen3:8b"), table)
    assert backend.price == Price(0, 0, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[x]\ninput = 1\noutput = 1\n", "'x' must be a table keyed 'provider/model'"),
        ('["a/b"]\ninput = -1\noutput = 1\n', "non-negative number 'input'"),
        ('["a/b"]\ninput = 1\n', "non-negative number 'output'"),
        ('["a/b"]\ninput = 1\noutput = 1\ncurrency = "EUR"\n', "unknown field 'currency'"),
        ("not toml [", "does not parse"),
    ],
)
def test_a_bad_price_file_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_price_table(path)
    assert str(path) in str(info.value)


# --- keys -------------------------------------------------------------------------------


def test_a_missing_key_stops_the_run_before_it_starts(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    with pytest.raises(ConfigError, match="set DEEPSEEK_API_KEY"):
        compare(["kimi-researcher"], suite=str(mini_file), seeds=1, models={"*": model})
    argv = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "-m", f"agent={model}", "-o", str(tmp_path / "run"), "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("archbench: error: model 'deepseek/deepseek-reasoner' needs an API key")
    assert err.count("\n") == 1
    assert not (tmp_path / "run").exists() and not fake_server.requests


def test_a_key_can_come_from_the_users_keys_file(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    (config / "archbench").mkdir(parents=True)
    (config / "archbench" / "keys.toml").write_text(f'MOONSHOT_API_KEY = "{KEY}"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    generate(fake_server.model_id("kimi-k2-0711-preview", provider="moonshot"), ask())
    assert fake_server.headers[-1]["authorization"] == f"Bearer {KEY}"


# --- runs -------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", sorted(BUILTINS))
def test_every_builtin_architecture_runs_end_to_end_on_a_real_endpoint(
    arch: str, fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    model = fake_server.model_id(max_retries=1, backoff=0.01)
    result = compare(
        [arch], suite=str(mini_file), seeds=1, models={"*": model}, out=tmp_path, concurrency=3
    )
    assert [r.outcome for r in result.results] == ["answered"] * 5
    for r in result.results:
        assert set(r.by_model) == {model}
        assert r.totals.steps > 0 and r.totals.input_tokens > 0
        assert r.totals.cost_usd is None  # unknown price: unknown cost
        assert r.latency_s > 0
    assert result.calls is not None and result.calls.network == len(fake_server.requests) > 0
    traces = [json.loads(x) for x in (tmp_path / "traces.jsonl").read_text().splitlines()]
    assert {s["model"] for t in traces for s in t["steps"]} == {model}
    if arch == "kimi-researcher":
        first = next(t for t in traces if t["task_id"] == "mini-lookup")["steps"]
        assert [t["name"] for s in first for t in s["tools"]] == ["search", "open", "answer"]
    assert all(s["mean_cost_usd"] is None for s in result.summary_json())


def test_the_hybrid_can_run_in_house_local_and_external_remote(
    fake_server: FakeServer, mini_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)
    local = fake_server.model_id("MiniMax-M1", provider="vllm")
    remote = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    result = compare(
        ["minimax-hybrid"],
        suite=str(mini_file),
        seeds=1,
        tasks=["mini-lookup"],
        models={"in_house": local, "external": remote},
    )
    (r,) = result.results
    assert r.outcome == "answered"
    assert r.by_role["external"].cost_usd is not None and r.by_role["external"].cost_usd > 0
    assert r.by_role["in_house"].cost_usd is None  # a local model without a price
    assert r.totals.cost_usd is None
    assert set(r.by_model) == {local, remote}


def test_one_role_real_the_others_simulated(fake_server: FakeServer, mini_file: Path) -> None:
    model = fake_server.model_id()
    result = compare(["minimax-hybrid"], suite=str(mini_file), seeds=1, models={"external": model})
    for r in result.results:
        assert r.by_role["external"].steps > 0
        assert set(r.by_model) == {model, "mock/minimax-m1"}


def test_cli_runs_real_models_concurrently_and_reports_calls(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = fake_server.model_id()
    argv = ["compare", "-a", "kimi-researcher", "-a", "manus-workflow", "--suite", str(mini_file)]
    argv += ["--seeds", "1", "-m", f"*={model}", "-j", "8", "-o", str(tmp_path / "run"), "-q"]
    main(argv)
    captured = capsys.readouterr()
    n = len(fake_server.requests)
    assert f"model calls: {n} to the network" in captured.err
    assert "spent now: unknown" in captured.err
    assert "unknown" in captured.out  # the cost column
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["concurrency"] == 8


def test_concurrent_calls_overlap_on_one_event_loop(fake_server: FakeServer) -> None:
    fake_server.reset(latency_s=0.05)
    backend = get_model(fake_server.model_id())

    async def many(n: int) -> float:
        start = time.perf_counter()
        await asyncio.gather(*(backend.generate(ask(f"question {i}")) for i in range(n)))
        return time.perf_counter() - start

    async def run() -> tuple[float, float]:
        await many(4)  # warm up: connections, the SDK's import
        cpu = time.process_time()
        wall = await many(64)
        return wall, time.process_time() - cpu

    wall, cpu = asyncio.run(run())
    print(f"64 calls at 50 ms, unbounded concurrency: {64 / wall:.0f} calls/s, "
          f"{1000 * cpu / 64:.1f} ms CPU per call (client and server)")  # fmt: skip
    assert wall < 64 * 0.05 / 4  # at least 4 in flight on average


# --- rate limits ------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spreads_calls_at_the_rate() -> None:
    clock = _Clock()
    bucket = TokenBucket(120, clock=clock)  # 2 per second, burst 2
    assert [bucket.take(1) for _ in range(4)] == [0.0, 0.0, 0.5, 1.0]
    clock.now = 10.0  # refilled, but never above the burst
    assert [bucket.take(1) for _ in range(3)] == [0.0, 0.0, 0.5]


def test_token_bucket_for_tokens_corrects_its_estimate() -> None:
    clock = _Clock()
    bucket = TokenBucket(60_000, burst_s=10, clock=clock)  # 1000/s, holds 10 000
    assert bucket.take(9_000) == 0.0
    assert bucket.take(3_000) == pytest.approx(2.0)  # 2 000 short
    bucket.give_back(2_500)  # the calls used less than estimated
    assert bucket.take(400) == 0.0


def test_limits_are_per_endpoint_and_the_strictest_wins() -> None:
    a = limiter_for("http://limits.test/a", 600, None)
    assert limiter_for("http://limits.test/a", None, None) is a
    b = limiter_for("http://limits.test/a", 60, 1000)
    assert b is not None and (b.rpm, b.tpm) == (60, 1000)
    assert limiter_for("http://limits.test/a", 600, 5000) is b
    assert limiter_for("http://limits.test/other", None, None) is None


def test_rpm_limit_holds_across_backends_of_one_provider(fake_server: FakeServer) -> None:
    one = get_model(fake_server.model_id("a", rpm=1200))  # 20 per second, burst 20
    two = get_model(fake_server.model_id("b"))  # same endpoint: shares the limit

    async def run() -> float:
        start = time.perf_counter()
        calls = [b.generate(ask(f"q{i}")) for i in range(20) for b in (one, two)]
        await asyncio.gather(*calls)
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    assert elapsed >= 0.9  # 40 calls at 20/s after a burst of 20


def test_rate_limiter_waits_only_past_the_limit() -> None:
    limiter = RateLimiter(rpm=6000, tpm=None)

    async def run() -> list[float]:
        return [await limiter.acquire(10) for _ in range(3)]

    assert asyncio.run(run()) == [0.0, 0.0, 0.0]
