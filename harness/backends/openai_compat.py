"""The backend of every real model: an OpenAI-compatible chat-completions endpoint with
tool calling, through the official `openai` SDK (`openai.AsyncOpenAI`).

`providers.py` says which endpoint, key and settings an id means; this module makes the
calls: the request body (tools as function schemas), retries, rate limits, the parsed reply
(tool calls, usage, cost, measured latency), errors that name their reason and never the
key. It registers the providers (openai, deepseek, moonshot, minimax, qwen, vllm, ollama,
llamacpp, openai-compatible) without importing the SDK: only a call does.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from harness.backends.base import CallStats, step_of
from harness.backends.clients import client_for, post_chat
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
from harness.backends.wire import WireEncoder
from harness.errors import BackendError
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall
from harness.registry import ModelId, Provider, register_provider
from harness.tools import MALFORMED, parse_arguments
from harness.usage import Price, Usage

if TYPE_CHECKING:
    import openai

log = logging.getLogger("archbench.backends")


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
        self._wire = WireEncoder()

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

    def payload(self, request: ModelRequest) -> bytes:
        """The chat-completions request body as wire JSON (the key is a header, not here)."""
        return self._wire.body(
            self.endpoint.model, request.messages, request.tools, self.settings_fields(request)
        )

    def settings_fields(self, request: ModelRequest) -> dict[str, Any]:
        """The body's fields after the model, messages and tools: tool choice and the
        sampling settings this endpoint takes."""
        s, config = self.settings, request.config
        fields: dict[str, Any] = {}
        if request.tools:
            fields["tool_choice"] = self._tool_choice(request)
        temperature = config.temperature if s.temperature == "config" else s.temperature
        if temperature is not None:
            fields["temperature"] = temperature
        max_tokens = config.max_output_tokens or s.max_tokens
        if max_tokens is not None:
            field = "max_completion_tokens" if self.endpoint.provider == "openai" else "max_tokens"
            fields[field] = max_tokens
        if s.send_seed:
            fields["seed"] = request.seed
        if s.reasoning_effort is not None:
            fields["reasoning_effort"] = s.reasoning_effort
        return fields

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
        payload = self.payload(request)
        s = self.settings
        estimate = request.input_tokens + (request.config.max_output_tokens or s.max_tokens or 1000)
        latency = 0.0

        async def attempt() -> Any:
            nonlocal latency
            import openai

            limiter = limiter_for(self.endpoint.base_url, s.rpm, s.tpm)
            if limiter is not None:
                await limiter.acquire(estimate)
            client = await client_for(self.endpoint, key)
            start = time.perf_counter()
            try:
                completion = await post_chat(client, payload, s.timeout_s)
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

        jitter_seed = f"{request.seed}|{len(request.messages)}|{self.cache_identity}"
        try:
            completion = await retry(attempt, s.retry, jitter_seed, on_retry)
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
