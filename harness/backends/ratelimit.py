"""Per-provider rate limits: requests and tokens per minute, as token buckets.

One `RateLimiter` per endpoint (base URL) in the process, shared by every backend that talks
to it, whatever role or episode it serves. The buckets hold no asyncio primitives: a caller
takes its share at once (the balance may go negative) and sleeps until the balance it left
behind is paid back, so callers are served in the order they asked, on any event loop.

Capacity is one second's worth of requests (at least one) and ten seconds' worth of
tokens: calls are spread evenly over the minute rather than sent as one burst the provider
refuses, while one large prompt still goes out at once.

    >>> import asyncio
    >>> limiter = RateLimiter(rpm=6000, tpm=None)
    >>> asyncio.run(limiter.acquire(tokens=100))  # the first call never waits
    0.0
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, per_minute: float, burst_s: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute <= 0:
            raise ValueError("a rate must be positive")
        self.rate = per_minute / 60.0  # units per second
        self.capacity = max(1.0, self.rate * burst_s)
        self.level = self.capacity
        self.clock = clock
        self.updated = clock()

    def take(self, amount: float) -> float:
        """Take `amount` now; returns how long the caller must wait before using it."""
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now
        self.level -= amount
        return 0.0 if self.level >= 0 else -self.level / self.rate

    def give_back(self, amount: float) -> None:
        """Correct an estimate: a positive `amount` returns units, a negative one takes more."""
        self.level = min(self.capacity, self.level + amount)


class RateLimiter:
    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm, burst_s=10.0) if tpm else None
        self.waited_s = 0.0

    async def acquire(self, tokens: int) -> float:
        """Wait until one more request of about `tokens` tokens is within the limits;
        returns the wait."""
        wait = 0.0
        if self.requests is not None:
            wait = self.requests.take(1)
        if self.tokens is not None:
            wait = max(wait, self.tokens.take(tokens))
        if wait > 0:
            self.waited_s += wait
            await asyncio.sleep(wait)
        return wait

    def settle(self, estimated: int, actual: int) -> None:
        """After the call: the tokens it really used replace the estimate."""
        if self.tokens is not None:
            self.tokens.give_back(estimated - actual)


_LIMITERS: dict[str, RateLimiter] = {}


def limiter_for(endpoint: str, rpm: float | None, tpm: float | None) -> RateLimiter | None:
    """The process-wide limiter of one endpoint. Backends that set different limits for the
    same endpoint share the strictest of them."""
    if not rpm and not tpm:
        return _LIMITERS.get(endpoint)
    current = _LIMITERS.get(endpoint)
    if current is not None:
        rpm = _strictest(current.rpm, rpm)
        tpm = _strictest(current.tpm, tpm)
        if (rpm, tpm) == (current.rpm, current.tpm):
            return current
    limiter = _LIMITERS[endpoint] = RateLimiter(rpm, tpm)
    return limiter


def _strictest(a: float | None, b: float | None) -> float | None:
    values = [v for v in (a, b) if v]
    return min(values) if values else None


def reset_limiters() -> None:
    """Forget every endpoint's limiter (tests, or a new run with new limits)."""
    _LIMITERS.clear()
