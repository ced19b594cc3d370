"""The `openai` SDK clients of a run, and how a chat-completions call goes out through one.

Clients are kept per event loop (an `openai.AsyncOpenAI` and its connections belong to the
loop that made them) and per endpoint and key variable, for the whole run: connections
are reused from one episode to the next, and closed when the run ends or the loop shuts.

How a call goes out: through the SDK's public `client.chat.completions.with_raw_response.
create(...)`, the method instrumentation (OpenInference, Logfire, OpenTelemetry's openai
instrumentation) wraps, so a traced run shows every call with its model, messages, tools and
settings, and no SDK release can break a private path. The raw response is read as JSON
(`json.loads` of its bytes): building the SDK's pydantic `ChatCompletion` for every reply
cost ~0.35 ms per call, and `reply.py` reads the dict. (An instrumentation that wants the
parsed object calls the raw response's public `parse()` itself.)

The price: before it builds the request, `create` walks the whole body against the SDK's
typed parameters (`maybe_transform`: every message against the six-way union of message
types), ~0.4 ms of CPU per message on this machine, so a call late in an episode costs a few
ms. `ARCHBENCH_SDK_CALL=post` sends the same request through the client's public,
documented `post` (the SDK's way to call any endpoint) instead, as the bytes
`wire.WireEncoder` made (its `content=`; an SDK without it gets the body as objects): no
walk, no typed parameters, and so nothing for instrumentation that wraps `create` to see.
It is for large uninstrumented runs; docs/performance.md has both measured.
"""

from __future__ import annotations

import asyncio
import json
import os
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


def raw_post() -> bool:
    """Whether calls go out through `post` (`ARCHBENCH_SDK_CALL=post`), not `create`."""
    return os.environ.get("ARCHBENCH_SDK_CALL") == "post"


async def post_chat(
    client: openai.AsyncOpenAI,
    body: dict[str, Any],
    timeout: float,
    encoded: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Create a chat completion from `body` (the fields `create` takes: model, messages,
    tools, tool_choice, sampling settings) through the SDK's public method; the reply as
    decoded JSON. With `encoded` (the same body as wire JSON), through `post` instead.
    SDK errors (`openai.APIError`) propagate; a body that is not UTF-8 raises
    `UnicodeDecodeError`, one that is not JSON `ValueError`. `headers`: extra request
    headers (the call info `archbench serve` reads, `callinfo.py`), or None."""
    if encoded is not None:
        options: Any = {"timeout": timeout}
        if headers:
            options["headers"] = headers
        if _post_takes_content(client):
            return await client.post(CHAT_PATH, cast_to=object, content=encoded, options=options)
        return await client.post(CHAT_PATH, cast_to=object, body=body, options=options)
    raw = await client.chat.completions.with_raw_response.create(
        **body, timeout=timeout, extra_headers=headers
    )
    return json.loads(raw.content)


_TAKES_CONTENT: dict[type, bool] = {}


def _post_takes_content(client: Any) -> bool:
    """Does this SDK's `post` take a body of raw bytes (`content=`, in current SDKs)?"""
    kind = type(client)
    if kind not in _TAKES_CONTENT:
        import inspect

        _TAKES_CONTENT[kind] = "content" in inspect.signature(client.post).parameters
    return _TAKES_CONTENT[kind]
