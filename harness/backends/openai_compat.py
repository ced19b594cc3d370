"""Real models behind any OpenAI-compatible chat-completions endpoint, with tool calling.

    openai/gpt-4.1                 https://api.openai.com/v1                  OPENAI_API_KEY
    deepseek/deepseek-reasoner     https://api.deepseek.com                   DEEPSEEK_API_KEY
    moonshot/kimi-k2-0711-preview  https://api.moonshot.ai/v1                 MOONSHOT_API_KEY
    minimax/MiniMax-M1             https://api.minimax.io/v1                  MINIMAX_API_KEY
    qwen/qwen-plus                 DashScope compatible mode (international)  DASHSCOPE_API_KEY
    vllm/MODEL                     http://localhost:8000/v1                   VLLM_API_KEY, optional
    ollama/MODEL                   http://localhost:11434/v1                  no key
    llamacpp/MODEL                 http://localhost:8080/v1                   no key
    openai-compatible/MODEL@URL    any other server                           optional

Options after `?` tune one role: `base_url=`, `api_key_env=VAR` (the *name* of the variable
holding the key: a key itself is refused in an id), `timeout=` (seconds, default 60),
`max_retries=` (4), `backoff=` (first wait in seconds, 1), `rpm=`, `tpm=` (limits shared by
everything that talks to the same endpoint), and generation options that change answers
and so the cache key: `temperature=` (a number, or `omit`), `max_tokens=`,
`reasoning_effort=`, `seed=false` (do not send the seed), `tool_choice=required` (for
servers that refuse a named tool choice).

Keys come from the environment, else from `~/.config/archbench/keys.toml` (`VAR = "..."`,
outside any repository). The `openai` SDK is imported only when a backend makes a call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import time
import tomllib
import weakref
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.backends.base import CallStats, step_of
from harness.backends.pricing import PriceTable, load_price_table
from harness.backends.ratelimit import limiter_for
from harness.backends.retry import (
    RetriesExhausted,
    Retryable,
    RetryPolicy,
    retry,
    retry_after_seconds,
)
from harness.errors import BackendError, ConfigError
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall
from harness.registry import ModelId, Provider, register_provider
from harness.tools import MALFORMED, parse_arguments
from harness.usage import Price, Usage

if TYPE_CHECKING:
    import openai

log = logging.getLogger("archbench.backends")

LOOPBACK_ONLY_ENV = "ARCHBENCH_LOOPBACK_ONLY"
"""Set (to 1) and any endpoint not on this machine is refused: tests can never spend money."""


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    base_url: str | None  # None: taken from the id (openai-compatible)
    key_env: str | None
    key_required: bool
    description: str


PROVIDERS: dict[str, ProviderInfo] = {
    p.name: p
    for p in (
        ProviderInfo("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", True, "OpenAI API"),
        ProviderInfo("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY", True, "DeepSeek"),
        ProviderInfo(
            "moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY", True, "Moonshot (Kimi)"
        ),
        ProviderInfo("minimax", "https://api.minimax.io/v1", "MINIMAX_API_KEY", True, "MiniMax"),
        ProviderInfo(
            "qwen",
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY",
            True,
            "Qwen on DashScope (compatible mode)",
        ),
        ProviderInfo("vllm", "http://localhost:8000/v1", "VLLM_API_KEY", False, "local vLLM"),
        ProviderInfo("ollama", "http://localhost:11434/v1", None, False, "local Ollama"),
        ProviderInfo("llamacpp", "http://localhost:8080/v1", None, False, "llama.cpp server"),
        ProviderInfo(
            "openai-compatible",
            None,
            "OPENAI_COMPATIBLE_API_KEY",
            False,
            "any OpenAI-compatible server: openai-compatible/MODEL@BASE_URL",
        ),
    )
}

_TRANSPORT = ("base_url", "api_key_env", "timeout", "max_retries", "backoff", "rpm", "tpm")
_GENERATION = ("temperature", "max_tokens", "reasoning_effort", "seed", "tool_choice")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_NO_TEMPERATURE = re.compile(r"^(o\d|gpt-5)")  # OpenAI reasoning models refuse one


@dataclass(frozen=True, slots=True)
class Endpoint:
    provider: str
    model: str  # the name sent to the API
    base_url: str
    key_env: str | None
    key_required: bool


@dataclass(frozen=True, slots=True)
class Settings:
    timeout_s: float = 60.0
    retry: RetryPolicy = RetryPolicy()
    rpm: float | None = None
    tpm: float | None = None
    temperature: float | None | str = "config"  # "config": the request's; None: omit
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    send_seed: bool = True
    named_tool_choice: bool = True
    generation: tuple[tuple[str, str], ...] = ()  # the options that change answers


def resolve(mid: ModelId) -> tuple[Endpoint, Settings]:
    """Endpoint and settings of an id; a ConfigError (one line) for any mistake. Never
    touches the network; never reads a key."""
    where = f"model '{mid.full}'"
    info = PROVIDERS[mid.provider]
    opts = dict(mid.options)
    if "api_key" in opts or "key" in opts:
        raise ConfigError(
            f"{where}: never put an API key in a model id; set it in an environment variable "
            "and name the variable with ?api_key_env=VAR"
        )
    if len(opts) != len(mid.options):
        raise ConfigError(f"{where}: an option is given twice")
    unknown = sorted(set(opts) - set(_TRANSPORT) - set(_GENERATION))
    if unknown:
        known = ", ".join((*_TRANSPORT, *_GENERATION))
        raise ConfigError(f"{where}: unknown option '{unknown[0]}' (known: {known})")
    model, base_url = mid.name, info.base_url
    if info.base_url is None:
        m = re.fullmatch(r"(.+?)@(https?://.+)", mid.name)
        if m:
            model, base_url = m.group(1), m.group(2)
        elif "base_url" not in opts:
            raise ConfigError(f"{where}: use openai-compatible/MODEL@BASE_URL")
    base_url = _check_url(opts.get("base_url", base_url or ""), where)
    if not model.strip() or any(c.isspace() for c in model):
        raise ConfigError(f"{where}: the model name must be non-empty, without spaces")
    key_env = opts.get("api_key_env", info.key_env)
    if key_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key_env):
        raise ConfigError(f"{where}: api_key_env must name an environment variable")
    endpoint = Endpoint(
        mid.provider, model, base_url, key_env, info.key_required or "api_key_env" in opts
    )
    return endpoint, _settings(opts, where, info.name, model)


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: base URL must look like https://host/v1")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError(
            f"{where}: base URL must not carry credentials, a query or a fragment; "
            "put the key in an environment variable"
        )
    if os.environ.get(LOOPBACK_ONLY_ENV) and parts.hostname not in _LOOPBACK:
        raise ConfigError(f"{where}: {LOOPBACK_ONLY_ENV} is set: only local endpoints allowed")
    return url.rstrip("/")


def _number(opts: dict[str, str], name: str, where: str, kind: type[float] | type[int]) -> Any:
    raw = opts.get(name)
    if raw is None:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{where}: option {name} must be a number, got '{raw}'") from None
    if value < 0 or (name in ("timeout", "rpm", "tpm", "max_tokens") and value == 0):
        raise ConfigError(f"{where}: option {name} must be positive, got '{raw}'")
    return value


def _flag(opts: dict[str, str], name: str, where: str) -> bool:
    raw = opts.get(name, "true").lower()
    if raw not in ("true", "false", "1", "0"):
        raise ConfigError(f"{where}: option {name} must be true or false, got '{raw}'")
    return raw in ("true", "1")


def _settings(opts: dict[str, str], where: str, provider: str, model: str) -> Settings:
    policy = RetryPolicy()
    retries = _number(opts, "max_retries", where, int)
    backoff = _number(opts, "backoff", where, float)
    policy = replace(
        policy,
        max_retries=policy.max_retries if retries is None else retries,
        backoff_s=policy.backoff_s if backoff is None else backoff,
    )
    temperature: float | None | str = "config"
    raw_t = opts.get("temperature")
    if raw_t == "omit" or (raw_t is None and provider == "openai" and _NO_TEMPERATURE.match(model)):
        temperature = None
    elif raw_t is not None:
        temperature = _number(opts, "temperature", where, float)
    choice = opts.get("tool_choice", "named")
    if choice not in ("named", "required"):
        raise ConfigError(f"{where}: option tool_choice must be named or required")
    return Settings(
        timeout_s=_number(opts, "timeout", where, float) or 60.0,
        retry=policy,
        rpm=_number(opts, "rpm", where, float),
        tpm=_number(opts, "tpm", where, float),
        temperature=temperature,
        max_tokens=_number(opts, "max_tokens", where, int),
        reasoning_effort=opts.get("reasoning_effort"),
        send_seed=_flag(opts, "seed", where),
        named_tool_choice=choice == "named",
        generation=tuple(sorted((k, v) for k, v in opts.items() if k in _GENERATION)),
    )


def identity(endpoint: Endpoint, settings: Settings) -> str:
    """What the cache and the recording know a model by: no key, no transport options."""
    gen = "&".join(f"{k}={v}" for k, v in settings.generation)
    return f"{endpoint.provider}/{endpoint.model}@{endpoint.base_url}" + (f"?{gen}" if gen else "")


# --- keys -----------------------------------------------------------------------------


def keys_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "archbench" / "keys.toml"


def api_key(endpoint: Endpoint) -> str | None:
    """The key from the environment, else from the user's keys file; None if neither."""
    if endpoint.key_env is None:
        return None
    value = os.environ.get(endpoint.key_env)
    if value:
        return value
    path = keys_file()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    found = _read_keys(path, stamp).get(endpoint.key_env)
    return found if isinstance(found, str) and found else None


_KEYS_CACHE: dict[tuple[Path, int], dict[str, Any]] = {}


def _read_keys(path: Path, stamp: int) -> dict[str, Any]:
    if (path, stamp) not in _KEYS_CACHE:
        try:
            _KEYS_CACHE[(path, stamp)] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(f"keys file '{path}' cannot be read as TOML") from None
    return _KEYS_CACHE[(path, stamp)]


def missing_key(model_id: ModelId) -> str | None:
    """Why a model cannot be called for want of a key (one line), or None."""
    endpoint, _ = resolve(model_id)
    if endpoint.key_required and api_key(endpoint) is None:
        return (
            f"model '{model_id.full}' needs an API key: set {endpoint.key_env} in the "
            f"environment (or in {keys_file()})"
        )
    return None


# --- clients --------------------------------------------------------------------------


class _Pool:
    """The clients of one event loop: one per endpoint and key variable, kept alive across
    episodes (connection reuse) and closed when the loop shuts down or the run ends."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str | None], openai.AsyncOpenAI] = {}
        self.closer: AsyncGenerator[None, None] | None = None

    async def close(self) -> None:
        clients, self.clients = list(self.clients.values()), {}
        for client in clients:
            await client.close()


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
    client = pool.clients.get((endpoint.base_url, endpoint.key_env))
    if client is None:
        import openai

        client = openai.AsyncOpenAI(
            api_key=key or "not-needed", base_url=endpoint.base_url, max_retries=0
        )
        pool.clients[(endpoint.base_url, endpoint.key_env)] = client
    return client


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
        key = api_key(self.endpoint)
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
                completion = await client.chat.completions.create(**body, timeout=s.timeout_s)
            except openai.APIError as exc:
                raise self._classify(exc, key) from None
            latency = time.perf_counter() - start
            if limiter is not None and completion.usage is not None:
                limiter.settle(estimate, completion.usage.total_tokens)
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
        try:
            message = completion.choices[0].message
        except (AttributeError, IndexError, TypeError):
            raise BackendError(f"{self.id}: the response has no choices") from None
        step = step_of(request)
        calls = []
        for i, tc in enumerate(message.tool_calls or []):
            fn = getattr(tc, "function", None)
            call_id = getattr(tc, "id", None) or f"call_{step}_{i}"
            if fn is None:
                calls.append(ToolCall(call_id, "?", {MALFORMED: "unsupported kind of tool call"}))
            else:
                calls.append(ToolCall(call_id, fn.name or "?", parse_arguments(fn.arguments)))
        reply = Message("assistant", message.content or "", tuple(calls))
        usage = self._usage(completion.usage, request, reply)
        return ModelResponse(reply, usage, round(latency, 6), self.id)

    def _usage(self, u: Any, request: ModelRequest, reply: Message) -> Usage:
        if u is None:  # some local servers report none: count it ourselves
            usage = Usage(requests=1, input_tokens=request.input_tokens, output_tokens=reply.tokens)
            return self.reprice(usage)
        cached = getattr(u.prompt_tokens_details, "cached_tokens", None)
        if cached is None:  # DeepSeek reports its own field
            cached = (u.model_extra or {}).get("prompt_cache_hit_tokens")
        reasoning = getattr(u.completion_tokens_details, "reasoning_tokens", None)
        usage = Usage(
            requests=1,
            input_tokens=u.prompt_tokens or 0,
            cached_input_tokens=cached or 0,
            output_tokens=u.completion_tokens or 0,
            reasoning_tokens=reasoning or 0,
        )
        return self.reprice(usage)


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
    register_provider(
        Provider(
            name=info.name,
            description=info.description,
            create=create_backend,
            check=_check,
            models=lambda: load_price_table().models(info.name),
        )
    )


for _info in PROVIDERS.values():
    _register(_info)
