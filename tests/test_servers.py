"""Real servers as they are (issue 17): calls through the SDK's public method, which
instrumentation sees; `tool_choice` per model and the fallback when a server refuses one;
`@URL` for every provider; imitations of vLLM, Ollama, llama.cpp's `llama-server` and
llama-cpp-python's server each running the four default designs with the settings
docs/backends.md gives them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import fake_openai_server
import pytest
from fake_hostile import refused_url
from fake_imitations import Imitation
from fake_openai_server import FakeServer

from harness.backends.providers import PROVIDERS, resolve
from harness.compare import compare
from harness.errors import BackendError, ConfigError
from harness.messages import GenerateConfig, Message, ModelRequest, ModelResponse
from harness.registry import check_model_id, get_model, parse_model_id
from harness.tools import ANSWER, SEARCH

_server = fake_openai_server._server
fake_server = fake_openai_server.fake_server

DEFAULT_DESIGNS = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]


def ask(tool_choice: str = "auto") -> ModelRequest:
    return ModelRequest(
        (Message("system", "You are a research agent."), Message("user", "Who founded X?")),
        (SEARCH, ANSWER),
        seed=7,
        config=GenerateConfig(tool_choice=tool_choice),
    )


def generate(model_id: str, *requests: ModelRequest) -> list[ModelResponse]:
    backend = get_model(model_id)

    async def run() -> list[ModelResponse]:
        return [await backend.generate(r) for r in requests]

    return asyncio.run(run())


# --- the public SDK path ----------------------------------------------------------------


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
def test_instrumentation_of_the_public_create_sees_every_call(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    """What OpenTelemetry's openai instrumentation patches: `AsyncCompletions.create`. A
    wrapper there sees each call's model and messages, and the usage of its reply."""
    from openai.resources.chat.completions import AsyncCompletions

    monkeypatch.setenv("ARCHBENCH_HTTP", transport)
    seen: list[dict[str, Any]] = []
    original = AsyncCompletions.create

    async def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, *args, **kwargs)
        parsed = result.parse() if hasattr(result, "parse") else result
        seen.append({**kwargs, "usage": parsed.usage})
        return result

    monkeypatch.setattr(AsyncCompletions, "create", traced)
    replies = generate(fake_server.model_id(), ask(), ask("answer"))
    assert len(seen) == len(fake_server.requests) == 2
    assert [c["model"] for c in seen] == ["fake", "fake"]
    assert seen[0]["messages"] == fake_server.requests[0]["messages"]
    assert seen[0]["messages"][1]["content"] == "Who founded X?"
    assert seen[1]["tool_choice"] == {"type": "function", "function": {"name": "answer"}}
    for call, reply in zip(seen, replies, strict=True):
        assert call["usage"].prompt_tokens == reply.usage.input_tokens > 0
        assert call["usage"].completion_tokens == reply.usage.output_tokens > 0


def test_the_sdk_sends_the_request_archbench_encodes(fake_server: FakeServer) -> None:
    """What goes out through `create` is the body `WireEncoder.body` encodes (the cache and
    the recording key the request on it)."""
    backend = get_model(fake_server.model_id())
    request = ask("answer")
    generate(fake_server.model_id(), request)
    assert fake_server.requests[-1] == json.loads(backend.payload(request))  # type: ignore[attr-defined]


# --- tool_choice per model, and the fallback --------------------------------------------


@pytest.mark.parametrize(
    ("option", "sent"),
    [
        ("", {"type": "function", "function": {"name": "answer"}}),
        ("?tool_choice=named", {"type": "function", "function": {"name": "answer"}}),
        ("?tool_choice=required", "required"),
        ("?tool_choice=auto", "auto"),
    ],
)
def test_tool_choice_option_caps_what_is_sent(
    fake_server: FakeServer, option: str, sent: Any
) -> None:
    generate(fake_server.model_id() + option, ask("answer"), ask("required"), ask())
    forced, required, free = (r["tool_choice"] for r in fake_server.requests)
    assert forced == sent
    assert required == ("auto" if option.endswith("auto") else "required")
    assert free == "auto"


def test_a_bad_tool_choice_option_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="tool_choice must be named, required or auto"):
        check_model_id("vllm/m?tool_choice=always")


def test_a_refused_tool_choice_names_the_option_to_set(fake_server: FakeServer) -> None:
    fake_server.reset(imitate=Imitation("llama-cpp-python"))
    with pytest.raises(BackendError) as info:
        generate(fake_server.model_id(), ask("answer"))
    text = str(info.value)
    assert "refused tool_choice=named" in text and "HTTP 500" in text
    assert "?tool_choice=required" in text and "?tool_choice_fallback=true" in text
    assert len(fake_server.requests) == 1  # a refusal is not retried as is


def test_vllm_without_auto_tool_choice_says_how_to_start_it(fake_server: FakeServer) -> None:
    fake_server.reset(imitate=Imitation("vllm", auto_tool_choice=False))
    with pytest.raises(BackendError, match="--enable-auto-tool-choice"):
        generate(fake_server.model_id(provider="vllm"), ask())


def test_the_fallback_weakens_step_by_step_and_remembers_the_endpoint(
    fake_server: FakeServer,
) -> None:
    fake_server.reset(imitate=Imitation("llama-cpp-python"))
    model = fake_server.model_id(tool_choice_fallback="true")
    first, second = generate(model, ask("answer"), ask("answer"))
    sent = [r.get("tool_choice") for r in fake_server.requests]
    name = {"type": "function", "function": {"name": "answer"}}
    assert sent == [name, "required", "auto", "auto"]  # the second call goes straight to auto
    assert first.weaker_tool_choice == second.weaker_tool_choice == "auto"
    assert generate(model, ask())[0].weaker_tool_choice is None  # nothing forced: as asked


def test_llamacpp_falls_back_by_default_and_the_run_says_so(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    fake_server.reset(imitate=Imitation("llama-server", reject_named=True))
    model = fake_server.model_id(provider="llamacpp")
    assert resolve(parse_model_id(model))[1].tool_choice_fallback
    result = compare(
        ["manus-workflow"], suite=str(mini_file), seeds=1, models={"*": model}, out=tmp_path
    )
    assert {r.outcome for r in result.results} == {"answered"}
    assert result.calls is not None and result.calls.weaker_tool_choice == {model: "required"}
    assert (
        f"ran with a weaker tool choice (the server refused the design's): {model} (required)"
        in (result.calls.describe())
    )
    steps = [
        s for line in (tmp_path / "traces.jsonl").read_text().splitlines()
        for s in json.loads(line)["steps"]
    ]  # fmt: skip
    marked = [s for s in steps if "weaker_tool_choice" in s]
    assert marked and all(s["weaker_tool_choice"] == "required" for s in marked)
    assert len(marked) < len(steps)  # only the forced calls; the others stay as they were


# --- @URL and ?base_url= for every provider ---------------------------------------------


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_provider_takes_at_url_and_base_url(provider: str) -> None:
    url = "http://127.0.0.1:9999/v1"
    for model_id in (f"{provider}/m@{url}", f"{provider}/m?base_url={url}"):
        endpoint, _ = resolve(parse_model_id(model_id))
        assert (endpoint.model, endpoint.base_url) == ("m", url)
    with pytest.raises(ConfigError, match=f"{provider}/MODEL@URL or {provider}/MODEL\\?base_url"):
        resolve(parse_model_id(f"{provider}/m@{url}?base_url={url}"))


def test_a_refused_connection_is_called_refused_not_timed_out(fake_server: FakeServer) -> None:
    url = refused_url()
    with pytest.raises(BackendError) as info:
        generate(f"llamacpp/m@{url}?timeout=150&max_retries=0", ask())
    text = str(info.value)
    assert f"connection refused by 127.0.0.1:{url.split(':')[2].split('/')[0]}" in text, text
    assert "timed out" not in text


# --- the four servers, each with the settings docs/backends.md gives it ------------------

RECIPES = {  # imitation -> (provider, options) as docs/backends.md's recipes say
    "vllm": (Imitation("vllm"), "vllm", {}),
    "ollama": (Imitation("ollama"), "ollama", {}),
    "llama-server": (Imitation("llama-server"), "llamacpp", {}),
    "llama-server, newer": (Imitation("llama-server", reject_named=True), "llamacpp", {}),
    "llama-cpp-python": (
        Imitation("llama-cpp-python"),
        "openai-compatible",
        {"tool_choice": "auto"},
    ),
}


@pytest.mark.parametrize("server", list(RECIPES))
def test_each_server_runs_the_default_designs(
    server: str, fake_server: FakeServer, mini_file: Path, tmp_path: Path
) -> None:
    imitation, provider, options = RECIPES[server]
    fake_server.reset(imitate=imitation)
    model = fake_server.model_id(provider=provider, max_retries=0, **options)
    result = compare(
        DEFAULT_DESIGNS, suite=str(mini_file), seeds=1, models={"*": model}, out=tmp_path,
        concurrency=4,
    )  # fmt: skip
    outcomes = {(r.architecture, r.outcome) for r in result.results}
    assert outcomes == {(a, "answered") for a in DEFAULT_DESIGNS}, outcomes
    assert result.calls is not None and result.calls.failed == 0


def test_refused_on_every_address_and_an_early_timeout_are_named() -> None:
    """`localhost` is two addresses: both refused is one `OSError` without an errno; and a
    transport that calls a failed connection a timeout after 0.1 s is not believed."""
    from harness.backends.neterrors import describe

    both = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 8080, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 8080)"
    )
    outer = TimeoutError("connect timeout")
    outer.__context__ = both
    url = "http://localhost:8080/v1"
    assert describe(outer, url, 150, 0.1) == "connection refused by localhost:8080"
    early = describe(TimeoutError(), url, 150, 0.1)
    assert early.startswith("connection to localhost:8080 failed after 0.10s"), early
    assert describe(TimeoutError(), url, 150, 150.2) == "timed out after 150s"


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
def test_the_post_call_sends_the_same_request(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    """`ARCHBENCH_SDK_CALL=post` (the SDK's public `post`, for uninstrumented runs) sends
    what `create` sends and reads the same answer."""
    monkeypatch.setenv("ARCHBENCH_HTTP", transport)
    request = ModelRequest(
        (*ask().messages, Message("tool", "Zürich — 北京", tool_call_id="c1")), (SEARCH, ANSWER), 3
    )
    from harness.backends import clients

    replies, bodies = [], []
    for how in ("create", "post", "post as objects"):  # the last: an SDK without content=
        monkeypatch.setenv("ARCHBENCH_SDK_CALL", how.split()[0])
        if how == "post as objects":
            monkeypatch.setattr(clients, "_post_takes_content", lambda client: False)
        replies.append(generate(fake_server.model_id(), request)[0])
        bodies.append(fake_server.requests[-1])
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["messages"][-1]["content"] == "Zürich — 北京"
    assert replies[0].message.tool_calls[0].arguments == replies[1].message.tool_calls[0].arguments
    assert (
        replies[0].usage.input_tokens == replies[1].usage.input_tokens > 0
    )  # (cached: by request)


def test_a_real_instrumentation_library_records_model_and_tokens(
    fake_server: FakeServer,
) -> None:
    """OpenInference's openai instrumentation (what Phoenix and Arize use), with the
    OpenTelemetry SDK's in-memory exporter: each archbench call is a span with its model,
    its messages and its token counts."""
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        replies = generate(fake_server.model_id(), ask(), ask("answer"))
    finally:
        instrumentor.uninstrument()
    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    for span, reply in zip(spans, replies, strict=True):
        attrs = dict(span.attributes or {})
        assert attrs["llm.model_name"] == "fake"
        assert attrs["llm.token_count.prompt"] == reply.usage.input_tokens > 0
        assert attrs["llm.token_count.completion"] == reply.usage.output_tokens > 0
        assert "Who founded X?" in str(attrs.get("input.value", ""))
