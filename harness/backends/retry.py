"""Retries with exponential backoff, seeded jitter and a capped `Retry-After`.

Provider-neutral: the backend says which failures are worth another attempt by raising
`Retryable` from its attempt; anything else propagates at once. When the attempts run out
the last `Retryable` is raised as `RetriesExhausted`, which the backend turns into a
`BackendError` (the episode ends as `error`, the run goes on).

    >>> import asyncio
    >>> calls = []
    >>> async def flaky() -> str:
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise Retryable("HTTP 503")
    ...     return "ok"
    >>> asyncio.run(retry(flaky, RetryPolicy(backoff_s=0.001), jitter_seed="call-1"))
    'ok'
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class Retryable(Exception):
    """A failure another attempt may fix: a timeout, a 429, a 5xx, a dropped connection."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class RetriesExhausted(Exception):
    def __init__(self, last: Retryable, attempts: int) -> None:
        super().__init__(f"{last.reason} (gave up after {attempts} attempts)")
        self.last = last
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    backoff_s: float = 1.0  # the first wait; doubled per attempt
    max_backoff_s: float = 30.0
    retry_after_cap_s: float = 60.0  # a server asking for longer is waited on this long

    def delay(self, retry: int, rng: random.Random, retry_after_s: float | None) -> float:
        """The wait before retry number `retry` (0-based): what the server asked for (capped),
        else exponential backoff with "equal jitter" (half fixed, half random)."""
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.retry_after_cap_s)
        base = min(self.max_backoff_s, self.backoff_s * 2.0**retry)
        return base / 2 + rng.random() * base / 2


async def retry(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    jitter_seed: str,
    on_retry: Callable[[Retryable, float], None] | None = None,
) -> T:
    """Run `attempt` until it succeeds, raises something not `Retryable`, or has failed
    `1 + policy.max_retries` times.

    The jitter comes from a `random.Random(jitter_seed)` made at the first retry: the same
    call waits the same on every run, and a call that succeeds at once (nearly all of
    them) does not pay for seeding a generator from a string."""
    rng: random.Random | None = None
    for n in range(policy.max_retries + 1):
        try:
            return await attempt()
        except Retryable as exc:
            if n == policy.max_retries:
                raise RetriesExhausted(exc, n + 1) from None
            rng = rng or random.Random(jitter_seed)
            wait = policy.delay(n, rng, exc.retry_after_s)
            if on_retry is not None:
                on_retry(exc, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """`retry-after-ms`, or `Retry-After` in seconds or as an HTTP date; None if absent or
    unreadable."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
