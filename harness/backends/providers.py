"""Which endpoint, key and settings a real model id means: the named providers, the
options after `?`, the keys. Pure: no network, no SDK.

    openai/gpt-4.1                 https://api.openai.com/v1                  OPENAI_API_KEY
    deepseek/deepseek-reasoner     https://api.deepseek.com                   DEEPSEEK_API_KEY
    moonshot/kimi-k2-0711-preview  https://api.moonshot.ai/v1                 MOONSHOT_API_KEY
    minimax/MiniMax-M1             https://api.minimax.io/v1                  MINIMAX_API_KEY
    qwen/qwen-plus                 DashScope compatible mode (international)  DASHSCOPE_API_KEY
    vllm/MODEL                     http://localhost:8000/v1                   VLLM_API_KEY, optional
    ollama/MODEL                   http://localhost:11434/v1                  no key
    llamacpp/MODEL                 http://localhost:8080/v1                   no key
    openai-compatible/MODEL@URL    any other server                           optional

Every provider takes its endpoint either way: `NAME@URL` or `?base_url=URL` (one of them:
both at once is refused). Options after `?` tune one role: `base_url=`, `api_key_env=VAR`
(the *name* of the variable holding the key: a key itself is refused in an id), `timeout=`
(seconds, default 60), `max_retries=` (4), `backoff=` (first wait in seconds, 1), `rpm=`,
`tpm=` (limits shared by everything that talks to the same endpoint),
`tool_choice_fallback=true|false` (on a server's refusal of a forced tool choice, retry with
the next weaker one; on by default for `llamacpp`, whose newer servers refuse a named one),
and generation options that change answers and so the cache key: `temperature=` (a number,
or `omit`), `max_tokens=`, `reasoning_effort=`, `seed=false` (do not send the seed),
`tool_choice=named|required|auto` (the strongest choice sent where archbench forces a tool:
a named function by default; `required` or `auto` for servers that refuse it).

Keys come from the environment, else from `~/.config/archbench/keys.toml` (`VAR = "..."`,
outside any repository).

    >>> from harness.registry import parse_model_id
    >>> endpoint, settings = resolve(parse_model_id("deepseek/deepseek-reasoner?timeout=30"))
    >>> endpoint.base_url, endpoint.key_env, settings.timeout_s
    ('https://api.deepseek.com', 'DEEPSEEK_API_KEY', 30.0)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.backends.retry import RetryPolicy
from harness.errors import ConfigError
from harness.model_api import ModelId

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
            "any OpenAI-compatible server (openai-compatible/MODEL@BASE_URL)",
        ),
    )
}

_TRANSPORT = (
    "base_url",
    "api_key_env",
    "timeout",
    "max_retries",
    "backoff",
    "rpm",
    "tpm",
    "tool_choice_fallback",
    "null_content",
)
_GENERATION = (
    "temperature",
    "max_tokens",
    "reasoning_effort",
    "seed",
    "tool_choice",
    "call_info",
)
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
TOOL_CHOICES = ("named", "required", "auto")
"""The choices archbench can send where it forces a tool, strongest first: a fallback
moves one step right."""
FALLBACK_BY_DEFAULT = frozenset({"llamacpp"})
"""Providers whose servers are known to refuse a forced tool choice (llama.cpp's
`llama-server` refuses a named one in newer builds): `tool_choice_fallback` is on."""
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
    tool_choice: str = "named"  # the strongest choice sent where a tool is forced
    tool_choice_fallback: bool = False  # weaken it when the server refuses it
    call_info: bool = False  # send purpose, brief and draws (X-Archbench-Call: callinfo.py)
    null_content: bool = True  # false: "" for an assistant's missing text (wire.py)
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
    m = re.fullmatch(r"(.+?)@(\w+://.+)", mid.name)
    if m:
        if "base_url" in opts:
            raise ConfigError(
                f"{where}: give the endpoint once: {mid.provider}/MODEL@URL or "
                f"{mid.provider}/MODEL?base_url=URL"
            )
        model, base_url = m.group(1), m.group(2)
    elif "@" in mid.name and "://" in mid.name:
        raise ConfigError(f"{where}: write the endpoint as {mid.provider}/MODEL@http://host/v1")
    elif info.base_url is None and "base_url" not in opts:
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


def _flag(opts: dict[str, str], name: str, where: str, default: bool = True) -> bool:
    raw = opts.get(name, str(default)).lower()
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
    if choice not in TOOL_CHOICES:
        raise ConfigError(f"{where}: option tool_choice must be named, required or auto")
    fallback = _flag(opts, "tool_choice_fallback", where, provider in FALLBACK_BY_DEFAULT)
    return Settings(
        timeout_s=_number(opts, "timeout", where, float) or 60.0,
        retry=policy,
        rpm=_number(opts, "rpm", where, float),
        tpm=_number(opts, "tpm", where, float),
        temperature=temperature,
        max_tokens=_number(opts, "max_tokens", where, int),
        reasoning_effort=opts.get("reasoning_effort"),
        send_seed=_flag(opts, "seed", where),
        tool_choice=choice,
        tool_choice_fallback=fallback,
        call_info=_flag(opts, "call_info", where, False),
        null_content=_flag(opts, "null_content", where, True),
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


def missing_keys(model_ids: list[ModelId]) -> str | None:
    """Why these models cannot be called for want of keys (one line), or None."""
    missing: dict[str, str] = {}  # variable -> the first model that needs it
    for mid in model_ids:
        endpoint, _ = resolve(mid)
        if endpoint.key_required and endpoint.key_env and api_key(endpoint) is None:
            missing.setdefault(endpoint.key_env, mid.full)
    if not missing:
        return None
    where = f"in the environment (or in {keys_file()})"
    if len(missing) == 1:
        ((env, model),) = missing.items()
        return f"model '{model}' needs an API key: set {env} {where}"
    wanted = ", ".join(f"{env} (for {model})" for env, model in missing.items())
    return f"{len(missing)} API keys are missing: set {wanted} {where}"
