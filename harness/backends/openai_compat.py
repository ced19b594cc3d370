"""The backend of every real model: an OpenAI-compatible chat-completions endpoint with
tool calling, through the official `openai` SDK (`openai.AsyncOpenAI`).

`providers.py` says which endpoint, key and settings an id means; this module makes the
calls: the request body (tools as function schemas), a deadline per attempt, retries, rate
limits, the reply read through `reply.py` (text cleaned, key scrubbed, usage checked; cost
and measured latency added), errors that name their reason (`neterrors.py` below HTTP) and
never the key. It registers the providers (openai, deepseek, moonshot, minimax, qwen,
vllm, ollama, llamacpp, openai-compatible) without importing the SDK: only a call does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from harness.backends import callinfo, neterrors, toolchoice
from harness.backends.base import CallStats, step_of
from harness.backends.clients import client_for, post_chat, raw_post
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
from harness.backends.reply import read_reply, reported_tokens, valid_usage
from harness.backends.retry import RetriesExhausted, Retryable, retry, retry_after_seconds
from harness.backends.sanitize import Scrubber, safe_text
from harness.backends.wire import WireEncoder
from harness.errors import BackendError
from harness.messages import ModelRequest, ModelResponse
from harness.model_api import ModelId, Provider
from harness.usage import Price, Usage

if TYPE_CHECKING:
    import openai

log = logging.getLogger("archbench.backends")

ERROR_CHARS = 200
"""How much of a server's error text an error message keeps (after the key is scrubbed)."""


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
        self._wire = WireEncoder(null_content=settings.null_content)

    @cached_property
    def key(self) -> str | None:
        """The key, looked up once per backend: a lookup that misses the environment reads
        the keys file's status, which is not worth doing on every call."""
        return api_key(self.endpoint)

    @cached_property
    def scrub(self) -> Scrubber:
        """What removes this backend's key from any text a server sends back."""
        return Scrubber(self.key)

    def reprice(self, usage: Usage) -> Usage:
        """`usage` with valid counts (none negative; an answer cached before the checks
        of `reply.py` may hold some) and its cost from the current price table: ≥ 0."""
        usage = valid_usage(usage)
        cost = (
            None
            if self.price is None
            else self.price.cost(usage.input_tokens, usage.cached_input_tokens, usage.output_tokens)
        )
        return replace(usage, cost_usd=cost)

    def fields(self, request: ModelRequest, cap: str | None = None) -> tuple[dict[str, Any], Any]:
        """The keyword arguments of the SDK's `chat.completions.create` (the key is a
        header, not here), and the tool choice's strength (None: no tool forced)."""
        settings, strength = self.settings_fields(request, cap)
        body = self._wire.fields(self.endpoint.model, request.messages, request.tools, settings)
        return body, strength

    def payload(self, request: ModelRequest) -> bytes:
        """The same request as wire JSON: what `fields` sends, as the SDK encodes it."""
        settings, _ = self.settings_fields(request)
        return self._wire.body(self.endpoint.model, request.messages, request.tools, settings)

    def settings_fields(
        self, request: ModelRequest, cap: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        """The body's fields after the model, messages and tools: tool choice and the
        sampling settings this endpoint takes; and the tool choice's strength."""
        s, config = self.settings, request.config
        fields: dict[str, Any] = {}
        strength = None
        if request.tools:
            cap = cap or toolchoice.allowed(self.endpoint, s)
            fields["tool_choice"], strength = toolchoice.choose(request, cap)
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
        return fields, strength

    async def generate(self, request: ModelRequest) -> ModelResponse:
        key = self.key
        if key is None and self.endpoint.key_required:
            self.stats.failed += 1
            raise BackendError(f"{self.id}: no API key: set {self.endpoint.key_env}")
        try:
            while True:
                body, strength = self.fields(request)
                try:
                    completion, latency = await self._send(body, request, key)
                    break
                except toolchoice.ToolChoiceRefused as exc:
                    self._weaken(exc, strength, body.get("tool_choice"))
            response = self._response(completion, request, latency)
        except RetriesExhausted as exc:
            self.stats.failed += 1
            raise BackendError(self.scrub(f"{self.id}: {exc}")) from None
        except BackendError as exc:
            self.stats.failed += 1
            raise BackendError(self.scrub(str(exc))) from None
        except Exception as exc:  # a bug or a response we cannot read: this episode only
            self.stats.failed += 1
            detail = safe_text(str(exc), self.scrub, ERROR_CHARS)
            raise BackendError(f"{self.id}: unexpected {type(exc).__name__}: {detail}") from None
        wanted = toolchoice.strength(request)
        if strength is not None and wanted is not None:
            if strength != toolchoice.choose(request, self.settings.tool_choice)[1]:
                response = replace(response, weaker_tool_choice=strength)
                self.stats.weakened(self.id, strength)
        self.stats.network += 1
        self.stats.add_spend(response.usage.cost_usd)
        return response

    def _weaken(self, exc: toolchoice.ToolChoiceRefused, strength: str | None, sent: Any) -> None:
        """After a refusal: learn the next weaker choice for this endpoint (the caller sends
        the request again), or fail with what was refused and the option that fixes it."""
        weaker = toolchoice.weaker_than(strength) if strength else None
        if weaker is None or not self.settings.tool_choice_fallback:
            raise BackendError(
                toolchoice.refusal_message(self.id, strength or str(sent), exc.reason, sent)
            )
        log.warning(
            "%s: the server refused tool_choice=%s; falling back to %s for this endpoint",
            self.id,
            strength,
            weaker,
        )
        toolchoice.learn(self.endpoint, weaker)

    async def _send(
        self, body: dict[str, Any], request: ModelRequest, key: str | None
    ) -> tuple[Any, float]:
        """One request with its retries: the decoded reply and the last attempt's latency."""
        s = self.settings
        estimate = request.input_tokens + (request.config.max_output_tokens or s.max_tokens or 1000)
        latency = 0.0
        encoded = None
        headers = {callinfo.HEADER: callinfo.encode(request)} if s.call_info else None
        if raw_post():  # the same request as bytes, each message encoded once (wire.py)
            settings = {k: v for k, v in body.items() if k not in ("model", "messages", "tools")}
            encoded = self._wire.body(
                self.endpoint.model, request.messages, request.tools, settings
            )

        async def attempt() -> Any:
            nonlocal latency
            import openai

            limiter = limiter_for(self.endpoint.base_url, s.rpm, s.tpm)
            if limiter is not None:
                await limiter.acquire(estimate)
            client = await client_for(self.endpoint, key)
            start = time.perf_counter()
            try:
                # the deadline of the whole attempt: the SDK's timeout bounds each read, so
                # a server sending a byte at a time, or never ending, would outlast it
                async with asyncio.timeout(s.timeout_s):
                    completion = await post_chat(client, body, s.timeout_s, encoded, headers)
            except TimeoutError:
                raise Retryable(f"timed out after {s.timeout_s:g}s") from None
            except openai.APIError as exc:
                raise self._classify(exc, time.perf_counter() - start) from None
            except UnicodeDecodeError:  # the SDK decodes the body strictly
                raise Retryable("the response body is not valid UTF-8") from None
            except ValueError:
                raise Retryable("the response body is not JSON") from None
            latency = time.perf_counter() - start
            if limiter is not None:
                limiter.settle(estimate, reported_tokens(completion) or estimate)
            return completion

        def on_retry(exc: Retryable, wait: float) -> None:
            self.stats.retries += 1
            log.info("%s: %s; retrying in %.2fs", self.id, exc.reason, wait)

        jitter_seed = f"{request.seed}|{len(request.messages)}|{self.cache_identity}"
        completion = await retry(attempt, s.retry, jitter_seed, on_retry)
        return completion, latency

    def _classify(self, exc: openai.APIError, elapsed_s: float) -> Exception:
        import openai

        if isinstance(exc, openai.APIConnectionError):  # APITimeoutError is one too
            reason = neterrors.describe(
                exc, self.endpoint.base_url, self.settings.timeout_s, elapsed_s
            )
            return Retryable(reason)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            reason = f"HTTP {status}: {safe_text(str(exc.message), self.scrub, ERROR_CHARS)}"
            if toolchoice.refuses(status, str(exc.message)):
                return toolchoice.ToolChoiceRefused("", reason)
            if status == 429:
                return Retryable(reason, retry_after_seconds(exc.response.headers))
            if status in (408, 409) or status >= 500:
                return Retryable(reason)
            return BackendError(f"{self.id}: {reason}")
        detail = safe_text(str(exc), self.scrub, ERROR_CHARS)
        return BackendError(f"{self.id}: {type(exc).__name__}: {detail}")

    def _response(self, completion: Any, request: ModelRequest, latency: float) -> ModelResponse:
        """The reply, read (and made safe) by `reply.read_reply`, priced and timed."""
        read = read_reply(completion, request, step_of(request), self.scrub, self.id)
        if read.invalid_usage:
            self.stats.invalid_usage += 1
            log.warning(
                "%s: the server reported invalid usage (%s); counted locally",
                self.id,
                ", ".join(read.invalid_usage),
            )
        return ModelResponse(read.message, self.reprice(read.usage), round(latency, 6), self.id)


def create_backend(
    mid: ModelId, prices: PriceTable | None = None, stats: CallStats | None = None
) -> OpenAIBackend:
    endpoint, settings = resolve(mid)
    price = (prices or load_price_table()).lookup(mid.full)
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return OpenAIBackend(mid.full + suffix, endpoint, settings, price, stats)


def _check(mid: ModelId) -> None:
    resolve(mid)


def _provider(info: ProviderInfo) -> Provider:
    key = f"key ${info.key_env}" + ("" if info.key_required else ", optional")
    where = f"{info.base_url}, " if info.base_url else ""
    return Provider(
        name=info.name,
        description=f"{info.description}: {where}{key if info.key_env else 'no key'}",
        create=create_backend,
        check=_check,
        models=lambda: load_price_table().models(info.name),
    )


PROVIDER_LIST: tuple[Provider, ...] = tuple(_provider(i) for i in PROVIDERS.values())
"""What the registry registers when an id of these providers is first used."""
