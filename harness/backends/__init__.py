"""Real model backends: any OpenAI-compatible endpoint, behind the same `ModelBackend`
protocol as the simulated models, with retries, rate limits, a response cache and
record/replay. See docs/backends.md.

    base.py           request keys, response JSON, call counts (what the layers share)
    providers.py      what an id means: the providers (openai, deepseek, moonshot, minimax,
                      qwen, vllm, ollama, llamacpp, openai-compatible), options, keys
    openai_compat.py  the backend over the `openai` SDK; registers the providers
    reply.py          reading a reply: where a server's answer enters archbench
    sanitize.py       text made safe there: no lone surrogates, no key
    neterrors.py      failures below HTTP named: refused, reset, closed, DNS, timed out
    pricing.py        the shipped price table (prices.toml) and user overrides
    retry.py          backoff with seeded jitter, Retry-After
    ratelimit.py      per-endpoint requests/tokens per minute
    cache.py          the SQLite response cache
    recording.py      recording.jsonl: record a run, replay it offline
    stack.py          the model factory of a run, wrapping real backends in the above

Nothing here imports the `openai` SDK until a real model is called.
"""

from harness.backends.base import CallStats, RealBackend, request_key
from harness.backends.cache import CachedBackend, ResponseCache, default_cache_dir
from harness.backends.pricing import PriceTable, load_price_table
from harness.backends.recording import Recorder, Recording, RecordingBackend, ReplayBackend
from harness.backends.stack import BackendStack

__all__ = [
    "BackendStack",
    "CachedBackend",
    "CallStats",
    "PriceTable",
    "RealBackend",
    "Recorder",
    "Recording",
    "RecordingBackend",
    "ReplayBackend",
    "ResponseCache",
    "default_cache_dir",
    "load_price_table",
    "request_key",
]
