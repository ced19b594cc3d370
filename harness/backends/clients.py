"""The `openai` SDK clients of a run, and how a chat-completions call goes out through one.

Clients are kept per event loop (an `openai.AsyncOpenAI` and its connections belong to the
loop that made them) and per endpoint and key variable, for the whole run: connections
are reused from one episode to the next, and closed when the run ends or the loop shuts.

How a call goes out: the SDK's public `post` builds its request options (a pydantic model
with a dozen defaults, each deep-copied) and makes a `uuid4` idempotency key on every call,
then encodes the body; that was about a tenth of the CPU of a call at 128 in flight. Where
the SDK's options take raw bytes (`content`, in current SDKs), `post_chat` instead copies
one options object made per timeout, with a cheap unique key, and sends the body that
`wire.WireEncoder` encoded; an SDK without it gets the same body, decoded, through `post`.
The request on the wire is the same either way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import weakref
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from harness.backends.providers import Endpoint

if TYPE_CHECKING:
    import openai

CHAT_PATH = "/chat/completions"


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


async def client_for(endpoint: Endpoint, key: str | None) -> openai.AsyncOpenAI:
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


async def post_chat(client: openai.AsyncOpenAI, payload: bytes, timeout: float) -> Any:
    """POST a chat-completions body (wire JSON); the decoded JSON reply (`cast_to=object`:
    no pydantic `ChatCompletion` is built, the backend reads the dict). SDK errors
    (`openai.APIError`) propagate."""
    template = _options_template(timeout)
    key = idempotency_key()
    if template is None:
        return await client.post(
            CHAT_PATH,
            cast_to=object,
            body=json.loads(payload),
            options={"timeout": timeout, "idempotency_key": key},
        )
    options = template.model_copy(update={"content": payload, "idempotency_key": key})
    return await client.request(object, options)


_TEMPLATES: dict[float, Any] = {}


def _options_template(timeout: float) -> Any | None:
    """The SDK's request options for a chat-completions POST with this timeout, made once;
    None when this SDK's options cannot carry a body of raw bytes."""
    template = _TEMPLATES.get(timeout)
    if template is None:
        template = _TEMPLATES[timeout] = _make_template(timeout) or False
    return template or None


def _make_template(timeout: float) -> Any | None:
    try:
        from openai._models import FinalRequestOptions
    except ImportError:
        return None
    if "content" not in getattr(FinalRequestOptions, "model_fields", {}):
        return None
    return FinalRequestOptions.construct(method="post", url=CHAT_PATH, timeout=timeout)


_REQUEST_KEYS = itertools.count()
_REQUEST_PREFIX = f"archbench-{os.getpid()}-{time.time_ns()}-"


def idempotency_key() -> str:
    """An idempotency key unique in this process and across runs. Given one, the SDK makes
    no `uuid4` per request (and sends it only to endpoints that ask for one: OpenAI's
    do not)."""
    return f"{_REQUEST_PREFIX}{next(_REQUEST_KEYS)}"
