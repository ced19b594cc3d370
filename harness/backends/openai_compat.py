"""The backend of every real model: an OpenAI-compatible chat-completions endpoint with
tool calling, through the official `openai` SDK (`openai.AsyncOpenAI`).

`providers.py` says which endpoint, key and settings an id means; this module makes the
calls: the request body (tools as function schemas), retries, rate limits, the parsed reply
(tool calls, usage, cost, measured latency), errors that name their reason and never the
key. It registers the providers (openai, deepseek, moonshot, minimax, qwen, vllm, ollama,
llamacpp, openai-compatible) without importing the SDK: only a call does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
import weakref
from collections.abc import AsyncGenerator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from harness.backends.base import CallStats, step_of
from harness.backends.pricing import PriceTable, load_price_table
from harness.backends.providers import (
    PROVIDERS,
    Endpoint,
    ProviderInfo,
    Settings,
    api_key,
    identity,
    resolve,
)
from harness.backends.ratelimit import limiter_for
from harness.backends.retry import RetriesExhausted, Retryable, retry, retry_after_seconds
from harness.errors import BackendError
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall
from harness.registry import ModelId, Provider, register_provider
from harness.tools import MALFORMED, parse_arguments
from harness.usage import Price, Usage

if TYPE_CHECKING:
    import openai

log = logging.getLogger("archbench.backends")


# --- clients --------------------------------------------------------------------------


class _Pool:
    """The clients of one event loop: one per endpoint and key variable, kept alive across
    episodes (connection reuse) and closed when the loop shuts down or the run ends."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str | None, int], openai.AsyncOpenAI] = {}
        self.turn = 0
        self.shards = 1
        """Clients per endpoint: 1 on aiohttp, `_HTTPX_SHARDS` on httpx."""
        self.closer: AsyncGenerator[None, None] | None = None

    async def close(self) -> None:
        clients, self.clients = list(self.clients.values()), {}
        for client in clients:
            await client.close()


# Clients per endpoint with the httpx transport, taken in turn: each has its own connection
# pool, whose bookkeeping scans every connection twice per request (httpcore), so at 128
# calls in flight one pool costs ~0.15 ms of CPU per call more than four pools of 32.
# aiohttp's pool does not scan, and every client costs ~45 ms to create (an SSL context),
# which a run pays before its first calls go out: one client per endpoint there.
_HTTPX_SHARDS = 4

_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()


async def _closer(pool: _Pool) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await pool.close()


async def _client(endpoint: Endpoint, key: str | None) -> openai.AsyncOpenAI:
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = _Pool()
        # asyncio.run finalises async generators before it closes the loop: this one closes
        # the pool's clients then, so no connection outlives its loop.
        pool.closer = _closer(pool)
        await pool.closer.__anext__()
    pool.turn += 1
    slot = (endpoint.base_url, endpoint.key_env, pool.turn % pool.shards)
    client = pool.clients.get(slot)
    if client is None:
        import openai

        http_client = _http_client(openai)
        if http_client is None:
            pool.shards = _HTTPX_SHARDS
        client = openai.AsyncOpenAI(
            api_key=key or "not-needed",
            base_url=endpoint.base_url,
            max_retries=0,
            http_client=http_client,
        )
        pool.clients[slot] = client
    return client


def _http_client(openai: Any) -> Any:
    """The SDK's aiohttp transport when `openai[aiohttp]` is installed: it spends about
    half the CPU per request of the default httpx one, which is what bounds throughput at
    high concurrency. ARCHBENCH_HTTP=httpx forces the default."""
    if os.environ.get("ARCHBENCH_HTTP") == "httpx":
        return None
    try:
        return openai.DefaultAioHttpClient()
    except (AttributeError, RuntimeError, ImportError):
        return None


async def close_clients() -> None:
    """Close the current event loop's clients now (the run is over)."""
    pool = _POOLS.pop(asyncio.get_running_loop(), None)
    if pool is not None and pool.closer is not None:
        await pool.closer.aclose()


# --- the backend ----------------------------------------------------------------------


class OpenAIBackend:
    """A `ModelBackend` over one OpenAI-compatible endpoint and model."""

    def __init__(
        self,
        model_id: str,
        endpoint: Endpoint,
        settings: Settings,
        price: Price | None,
        stats: CallStats | None = None,
    ) -> None:
        self.id = model_id
        self.endpoint = endpoint
        self.settings = settings
        self.price = price
        self.stats = stats or CallStats()
        self.cache_identity = identity(endpoint, settings)

    @cached_property
    def key(self) -> str | None:
        """The key, looked up once per backend: a lookup that misses the environment reads
        the keys file's status, which is not worth doing on every call."""
        return api_key(self.endpoint)

    def reprice(self, usage: Usage) -> Usage:
        cost = (
            None
            if self.price is None
            else self.price.cost(usage.input_tokens, usage.cached_input_tokens, usage.output_tokens)
        )
        return replace(usage, cost_usd=cost)

    def body(self, request: ModelRequest) -> dict[str, Any]:
        """The chat-completions request body (without the model's key, which is a header)."""
        s, config = self.settings, request.config
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": [_wire_message(m) for m in request.messages],
        }
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in request.tools
            ]
            body["tool_choice"] = self._tool_choice(request)
        temperature = config.temperature if s.temperature == "config" else s.temperature
        if temperature is not None:
            body["temperature"] = temperature
        max_tokens = config.max_output_tokens or s.max_tokens
        if max_tokens is not None:
            field = "max_completion_tokens" if self.endpoint.provider == "openai" else "max_tokens"
            body[field] = max_tokens
        if s.send_seed:
            body["seed"] = request.seed
        if s.reasoning_effort is not None:
            body["reasoning_effort"] = s.reasoning_effort
        return body

    def _tool_choice(self, request: ModelRequest) -> Any:
        choice = request.config.tool_choice
        if choice in ("auto", "required", "none"):
            return choice
        if choice not in {t.name for t in request.tools}:
            return "auto"
        if not self.settings.named_tool_choice:
            return "required"
        return {"type": "function", "function": {"name": choice}}

    async def generate(self, request: ModelRequest) -> ModelResponse:
        key = self.key
        if key is None and self.endpoint.key_required:
            self.stats.failed += 1
            raise BackendError(f"{self.id}: no API key: set {self.endpoint.key_env}")
        body = self.body(request)
        s = self.settings
        estimate = request.input_tokens + (request.config.max_output_tokens or s.max_tokens or 1000)
        latency = 0.0

        async def attempt() -> Any:
            nonlocal latency
            import openai

            limiter = limiter_for(self.endpoint.base_url, s.rpm, s.tpm)
            if limiter is not None:
                await limiter.acquire(estimate)
            client = await _client(self.endpoint, key)
            start = time.perf_counter()
            try:
                # the client's low-level post: the body is already wire JSON, so the SDK's
                # per-call re-validation of every message is skipped, and `cast_to=object`
                # hands back the decoded JSON instead of building pydantic `ChatCompletion`
                # objects (~0.35 ms of CPU per call); `_response` reads the dict
                completion = await client.post(
                    "/chat/completions",
                    cast_to=object,
                    body=body,
                    options={"timeout": s.timeout_s},
                )
            except openai.APIError as exc:
                raise self._classify(exc, key) from None
            latency = time.perf_counter() - start
            if limiter is not None:
                u = completion.get("usage") if isinstance(completion, dict) else None
                used = (_field(u, "prompt_tokens") or 0) + (_field(u, "completion_tokens") or 0)
                limiter.settle(estimate, used or estimate)
            return completion

        def on_retry(exc: Retryable, wait: float) -> None:
            self.stats.retries += 1
            log.info("%s: %s; retrying in %.2fs", self.id, exc.reason, wait)

        rng = random.Random(f"{request.seed}|{len(request.messages)}|{self.cache_identity}")
        try:
            completion = await retry(attempt, s.retry, rng, on_retry)
            response = self._response(completion, request, latency)
        except RetriesExhausted as exc:
            self.stats.failed += 1
            raise BackendError(_redact(f"{self.id}: {exc}", key)) from None
        except BackendError:
            self.stats.failed += 1
            raise
        except Exception as exc:  # a bug or a response we cannot read: this episode only
            self.stats.failed += 1
            reason = f"{self.id}: unexpected {type(exc).__name__}: {str(exc)[:200]}"
            raise BackendError(_redact(reason, key)) from None
        self.stats.network += 1
        self.stats.add_spend(response.usage.cost_usd)
        return response

    def _classify(self, exc: openai.APIError, key: str | None) -> Exception:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return Retryable(f"timed out after {self.settings.timeout_s:g}s")
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            return Retryable(f"connection failed ({type(cause).__name__})")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            reason = _redact(f"HTTP {status}: {exc.message[:200]}", key)
            if status == 429:
                return Retryable(reason, retry_after_seconds(exc.response.headers))
            if status in (408, 409) or status >= 500:
                return Retryable(reason)
            return BackendError(f"{self.id}: {reason}")
        return BackendError(_redact(f"{self.id}: {type(exc).__name__}: {exc}", key))

    def _response(self, completion: Any, request: ModelRequest, latency: float) -> ModelResponse:
        """The reply from the decoded JSON body (a dict; anything else has no choices)."""
        try:
            message = completion["choices"][0]["message"]
            if not isinstance(message, dict):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"{self.id}: the response has no choices") from None
        step = step_of(request)
        calls = []
        for i, tc in enumerate(message.get("tool_calls") or ()):
            tc = tc if isinstance(tc, dict) else {}
            fn = tc.get("function")
            call_id = tc.get("id") or f"call_{step}_{i}"
            if not isinstance(fn, dict):
                calls.append(ToolCall(call_id, "?", {MALFORMED: "unsupported kind of tool call"}))
            else:
                raw = fn.get("arguments")
                args = (
                    parse_arguments(raw)
                    if raw is None or isinstance(raw, str | dict)
                    else {MALFORMED: "tool arguments must be a JSON object"}
                )
                calls.append(ToolCall(call_id, fn.get("name") or "?", args))
        content = message.get("content")
        reply = Message("assistant", content if isinstance(content, str) else "", tuple(calls))
        usage = self._usage(completion.get("usage"), request, reply)
        return ModelResponse(reply, usage, round(latency, 6), self.id)

    def _usage(self, u: Any, request: ModelRequest, reply: Message) -> Usage:
        if u is None:  # some local servers report none: count it ourselves
            usage = Usage(requests=1, input_tokens=request.input_tokens, output_tokens=reply.tokens)
            return self.reprice(usage)
        cached = _field(u, "prompt_tokens_details", "cached_tokens")
        if cached is None:  # DeepSeek reports its own field
            cached = _field(u, "prompt_cache_hit_tokens")
        usage = Usage(
            requests=1,
            input_tokens=_field(u, "prompt_tokens") or 0,
            cached_input_tokens=cached or 0,
            output_tokens=_field(u, "completion_tokens") or 0,
            reasoning_tokens=_field(u, "completion_tokens_details", "reasoning_tokens") or 0,
        )
        return self.reprice(usage)


def _field(obj: Any, *path: str) -> int | None:
    """A usage field of the decoded JSON, e.g. `prompt_tokens_details.cached_tokens`."""
    for name in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(name)
    return obj if isinstance(obj, int) and not isinstance(obj, bool) else None


def _wire_message(m: Message) -> dict[str, Any]:
    if m.role == "tool":
        return {"role": "tool", "tool_call_id": m.tool_call_id or "", "content": m.content}
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["content"] = m.content or None
        out["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": _json(c.arguments)},
            }
            for c in m.tool_calls
        ]
    return out


def _json(args: dict[str, Any]) -> str:
    return json.dumps(args, ensure_ascii=False)


def _redact(text: str, key: str | None) -> str:
    return text.replace(key, "[redacted]") if key and len(key) >= 4 else text


def create_backend(
    mid: ModelId, prices: PriceTable | None = None, stats: CallStats | None = None
) -> OpenAIBackend:
    endpoint, settings = resolve(mid)
    price = (prices or load_price_table()).lookup(mid.full)
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return OpenAIBackend(mid.full + suffix, endpoint, settings, price, stats)


def _check(mid: ModelId) -> None:
    resolve(mid)


def _register(info: ProviderInfo) -> None:
    key = f"key ${info.key_env}" + ("" if info.key_required else ", optional")
    where = f"{info.base_url}, " if info.base_url else ""
    register_provider(
        Provider(
            name=info.name,
            description=f"{info.description}: {where}{key if info.key_env else 'no key'}",
            create=create_backend,
            check=_check,
            models=lambda: load_price_table().models(info.name),
        )
    )


for _info in PROVIDERS.values():
    _register(_info)
