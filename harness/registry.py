"""Model ids -> backends, through a registry of lazy provider factories.

An id is `provider/model`, split at the first `/`; a query string carries options
(`mock/qwen-plus?skill=0.9`). Providers register a factory with `@register_provider`;
the module behind a factory is imported only when an id of that provider is used, so a
missing optional SDK never breaks `archbench --help` or the simulated comparison. An error
quoting an id leaves its secrets out (`harness.redact`): an id with a key in it is
refused, and the refusal must not repeat the key.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from harness.errors import ConfigError, UnknownNameError
from harness.model_api import ModelBackend as ModelBackend
from harness.model_api import ModelId as ModelId
from harness.model_api import Provider as Provider
from harness.redact import redact

_PROVIDERS: dict[str, Provider] = {}


def register_provider(provider: Provider) -> Provider:
    _PROVIDERS[provider.name] = provider
    return provider


def parse_model_id(model_id: str) -> ModelId:
    base, _, query = model_id.partition("?")
    provider, sep, name = base.partition("/")
    if not sep or not provider or not name:
        raise ConfigError(
            f"model id '{redact(model_id)}' must look like provider/model, e.g. mock/kimi-k2"
        )
    try:
        options = tuple(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise ConfigError(
            f"model id '{redact(model_id)}': options must look like ?key=value&key=value"
        ) from None
    return ModelId(provider, name, options)


def _provider(mid: ModelId, model_id: str) -> Provider:
    _load_builtin_providers()
    try:
        return _PROVIDERS[mid.provider]
    except KeyError:
        known = ", ".join(sorted(_PROVIDERS))
        raise UnknownNameError(
            f"unknown model provider '{redact(mid.provider)}' in '{redact(model_id)}' "
            f"(known: {known})"
        ) from None


def check_model_id(model_id: str) -> None:
    mid = parse_model_id(model_id)
    _provider(mid, model_id).check(mid)


def get_model(model_id: str) -> ModelBackend:
    mid = parse_model_id(model_id)
    provider = _provider(mid, model_id)
    provider.check(mid)
    return provider.create(mid)


def list_providers() -> list[Provider]:
    _load_builtin_providers()
    return [_PROVIDERS[name] for name in sorted(_PROVIDERS)]


def _load_builtin_providers() -> None:
    if "mock" not in _PROVIDERS:
        from harness.sim.provider import PROVIDER

        register_provider(PROVIDER)
    if "openai" not in _PROVIDERS:
        # openai, deepseek, moonshot, minimax, qwen, vllm, ollama, llamacpp and
        # openai-compatible; the openai SDK itself is imported only by a call
        from harness.backends.openai_compat import PROVIDER_LIST

        for provider in PROVIDER_LIST:
            register_provider(provider)
