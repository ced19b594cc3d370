"""The model factory of one run: what turns a role's model id into the backend it calls.

Simulated models come from the registry as they are. Real ones are wrapped, innermost
first: the provider backend (retries, rate limits, measured latency), the response cache,
the recorder. In a replay a real model is not created at all: its place is taken by the
recording, so no key is needed and no network is touched.

    >>> stack = BackendStack(cache=None)
    >>> stack("mock/kimi-k2").id
    'mock/kimi-k2'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from harness.backends import clients, openai_compat, providers
from harness.backends.base import CallStats, RealBackend
from harness.backends.cache import CachedBackend, ResponseCache
from harness.backends.pricing import PriceTable, load_price_table
from harness.backends.recording import Recorder, Recording, RecordingBackend, ReplayBackend
from harness.errors import ConfigError
from harness.registry import ModelBackend, ModelId, get_model, parse_model_id


def is_real(mid: ModelId) -> bool:
    """Does this id name a model behind an OpenAI-compatible endpoint?"""
    return mid.provider in providers.PROVIDERS


class BackendStack:
    def __init__(
        self,
        base: Callable[[str], ModelBackend] | None = None,
        *,
        cache: ResponseCache | None = None,
        recorder: Recorder | None = None,
        recording: Recording | None = None,
        prices: PriceTable | None = None,
        stats: CallStats | None = None,
    ) -> None:
        self.base = base
        self.cache = cache
        self.recorder = recorder
        self.recording = recording
        self.prices = prices or load_price_table()
        self.stats = stats or CallStats()
        self._real: dict[str, ModelBackend] = {}
        """Real backends (and their replays) by model id, made once per run: they keep no
        state of an episode, and making one resolves its endpoint, price and key."""

    def __call__(self, model_id: str) -> ModelBackend:
        made = self._real.get(model_id)
        if made is not None:
            return made
        mid = parse_model_id(model_id)
        if self.recording is not None and is_real(mid):
            identity = providers.identity(*providers.resolve(mid))
            made = ReplayBackend(model_id, identity, self.recording, self.stats)
            self._real[model_id] = made
            return made
        backend: ModelBackend
        if self.base is None and is_real(mid):
            backend = openai_compat.create_backend(mid, self.prices, self.stats)
        else:
            backend = (self.base or get_model)(model_id)
        if self.recording is None and isinstance(backend, RealBackend):
            if self.cache is not None:
                backend = CachedBackend(backend, self.cache, self.stats)
            if self.recorder is not None:
                backend = RecordingBackend(backend, self.recorder)
            self._real[model_id] = backend
        return backend

    def preflight(self, model_ids: Iterable[str]) -> None:
        """Before the first episode: every real model has its key, the cache opens. A
        replay needs neither."""
        if self.recording is not None:
            return
        real = [mid for mid in map(parse_model_id, model_ids) if is_real(mid)]
        problem = providers.missing_keys(real)
        if problem is not None:
            raise ConfigError(problem)
        if real and self.cache is not None:
            self.cache.open()

    async def aclose(self) -> None:
        """Close the network clients of the running event loop."""
        await clients.close_clients()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.recorder is not None:
            self.recorder.close()
