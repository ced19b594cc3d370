"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Starlette + uvicorn in a background thread, on a free port, started and stopped by the
`_server` fixture (one server per test module) and reset for each test by `fake_server`.
It speaks the wire format real providers do (tool_calls, usage with cached and reasoning
tokens) and answers with a small research-agent policy: search the question, open the first
hit, answer; plan with JSON sub-tasks; finish when routing. Tests script faults: 429 with
Retry-After, 500, responses slower than the client's timeout, malformed tool-call JSON,
unknown tool names, dropped connections; for a number of requests, for requests whose text
matches, or at random.

Hostile replies too (made in `fake_hostile.py`), as real servers have been seen to send:
lone UTF-16 surrogates, NUL and control characters in the text, the tool-call arguments and
ids (`hostile_text`) or in a tool's name (`hostile_name`); the request's key echoed in a
reply (`echo_key`) or in an error at any offset (`pad`) or cut by the server (`cut`);
negative or non-integer usage (`bad_usage`); a body that is not UTF-8 (`bad_utf8`), is
trickled a byte at a time (`trickle`) or never ends (`endless`). `RawListener` is a port
that resets or closes the connection instead of answering, and `refused_url()` one where
nothing listens.

Real servers as they are (`fake_imitations.py`): `reset(imitate=Imitation("vllm"))` makes
it treat `tool_choice` as vLLM, Ollama, llama.cpp's `llama-server` or llama-cpp-python's
server do (refusing, ignoring or honouring each choice), with their error and usage shapes.

    import fake_openai_server
    _server = fake_openai_server._server
    fake_server = fake_openai_server.fake_server

    def test_it(fake_server: FakeServer) -> None:
        fake_server.reset(faults=[Fault("429", times=2)])
        model = fake_server.model_id(max_retries=3)   # openai-compatible/fake@http://127.0.0.1:…
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
import uvicorn
from fake_hostile import HOSTILE, ascii_json, echoed_call, endless, hostile_call, trickle
from fake_imitations import Imitation
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from harness.backends.providers import LOOPBACK_ONLY_ENV, PROVIDERS
from harness.backends.ratelimit import reset_limiters
from harness.backends.toolchoice import reset_learned

FaultKind = Literal[
    "429",
    "500",
    "400",
    "slow",
    "drop",
    "bad_json",
    "unknown_tool",
    "no_usage",
    "hostile_text",
    "hostile_name",
    "echo_key",
    "bad_usage",
    "trickle",
    "endless",
    "bad_utf8",
]
Policy = Callable[[dict[str, Any]], dict[str, Any]]
_HIT = re.compile(r"^\[([^\]]+)\] ", re.M)


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1  # how many matching requests it hits; -1: all of them
    match: str | None = None  # only requests whose messages contain this text
    retry_after: str | None = "0"  # for 429
    delay_s: float = 1.0  # for slow; for trickle, the wait between two bytes
    pad: int = 0  # for 400/500: characters before the echoed Authorization header
    cut: int | None = None  # for 400/500: the server cuts its own message to this length
    usage: dict[str, Any] | None = None  # for bad_usage: the usage fields to send instead

    def hits(self, text: str) -> bool:
        if self.times == 0 or (self.match is not None and self.match not in text):
            return False
        if self.times > 0:
            self.times -= 1
        return True


@dataclass
class Script:
    policy: Policy
    faults: list[Fault] = field(default_factory=list)
    latency_s: float = 0.0
    fault_rate: float = 0.0  # chance of a random fault per request
    fault_kinds: tuple[FaultKind, ...] = ("429", "500", "slow", "drop", "bad_json")
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    imitate: Imitation | None = None  # a real server's handling of tool_choice


def _text(body: dict[str, Any]) -> str:
    return json.dumps(body.get("messages", []), ensure_ascii=False)


def _call(name: str, args: dict[str, Any] | str) -> dict[str, Any]:
    raw = args if isinstance(args, str) else json.dumps(args)
    return {"name": name, "arguments": raw}


def research_policy(body: dict[str, Any]) -> dict[str, Any]:
    """Answer like a research agent: {"content": str, "calls": [{"name", "arguments"}]}."""
    msgs = body["messages"]
    system = msgs[0]["content"] if msgs and msgs[0]["role"] == "system" else ""
    user = next((m["content"] for m in msgs if m["role"] == "user"), "")
    question = user.split("\n")[0].removeprefix("Question: ")
    names = [t["function"]["name"] for t in body.get("tools", [])]
    choice = body.get("tool_choice")
    if not names:
        if '"subtasks"' in system:
            return {"content": json.dumps({"subtasks": [{"question": question}]}), "calls": []}
        return {"content": "Notes: nothing new.", "calls": []}
    if "search" not in names and "answer" not in names:  # a router: replan / finish
        choose = "finish" if "finish" in names else names[0]
        return {"content": "Done.", "calls": [_call(choose, {})]}
    last = next((m["content"] for m in reversed(msgs) if m["role"] == "tool"), None)
    forced = isinstance(choice, dict) and choice["function"]["name"] == "answer"
    if forced or "search" not in names or (last and _HIT.match(last) and "Results" not in last):
        cites = _HIT.findall(last or "")[:1]
        answer = {"text": "Lorvale", "citations": cites}
        return {"content": "Final answer.", "calls": [_call("answer", answer)]}
    if last is None or last.startswith("Error"):
        return {"content": "Searching.", "calls": [_call("search", {"query": question})]}
    hits = _HIT.findall(last)
    if not hits:
        return {"content": "Nothing found.", "calls": [_call("answer", {"text": "unknown"})]}
    return {"content": "Opening the first hit.", "calls": [_call("open", {"doc_id": hits[0]})]}


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class _Dropped(Response):
    """Starts a response, then drops the connection before the body is complete."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"500")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"id": "chatcmpl', "more_body": True})
        raise ConnectionResetError("dropped by the fake server")


_ARRIVED = "archbench.arrived"


class _Stamped:
    """The app behind a stamp of when each request arrived (before routing and parsing)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrivals: list[float] = []
        """When each request arrived (time.monotonic()): the benchmark's steady rate."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        scope[_ARRIVED] = now = time.monotonic()
        self.arrivals.append(now)
        await self.app(scope, receive, send)


class FakeServer:
    def __init__(self) -> None:
        self.script = Script(research_policy)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        # Starlette rather than FastAPI on top of it: no per-request validation to pay for,
        # which matters because the server shares the benchmark machine's cores with the
        # client it serves (0.43 instead of 0.55 ms of CPU per request)
        self.app = Starlette(
            routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])]
        )
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit it: without, a kept-alive connection's response
        # waits ~40 ms on Nagle's algorithm and the client's delayed ACK
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        # httptools and uvloop (`uvicorn[standard]`) when installed: they cut the server's
        # CPU per request, which on a small machine competes with the client being measured
        self.stamped = _Stamped(self.app)
        config = uvicorn.Config(
            self.stamped,
            log_level="critical",
            access_log=False,
            lifespan="off",
            ws="none",
            http="httptools" if _has("httptools") else "h11",
            loop="uvloop" if _has("uvloop") else "asyncio",
            timeout_graceful_shutdown=0.2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def reset(
        self,
        policy: Policy = research_policy,
        faults: list[Fault] | None = None,
        latency_s: float = 0.0,
        fault_rate: float = 0.0,
        fault_kinds: tuple[FaultKind, ...] | None = None,
        seed: int = 0,
        imitate: Imitation | None = None,
    ) -> None:
        self.script = Script(policy, list(faults or []), latency_s, fault_rate)
        self.script.imitate = imitate
        if fault_kinds is not None:
            self.script.fault_kinds = fault_kinds
        self.script.rng = random.Random(seed)
        self.requests.clear()
        self.headers.clear()
        self.stamped.arrivals.clear()

    def model_id(self, name: str = "fake", provider: str = "openai-compatible", **opts: Any) -> str:
        """An id for this server; `provider` may be any named one (base_url is then set)."""
        query = {k: str(v) for k, v in opts.items()}
        if provider == "openai-compatible":
            base = f"openai-compatible/{name}@{self.base_url}"
        else:
            base = f"{provider}/{name}"
            query = {"base_url": self.base_url, **query}
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    async def _complete(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        s = self.script
        if s.imitate is not None:
            refused = s.imitate.refusal(body)
            if refused is not None:
                return JSONResponse(refused[1], refused[0])
            body = s.imitate.seen(body)
        text = _text(body)
        fault = next((f for f in s.faults if f.hits(text)), None)
        kind: FaultKind | None = fault.kind if fault else None
        if kind is None and s.fault_rate and s.rng.random() < s.fault_rate:
            kind = s.rng.choice(s.fault_kinds)
            fault = Fault(kind, delay_s=2.0)
        reply = s.policy(body) if kind is None else None
        if s.latency_s:
            # the latency counts from the request's arrival, so a server busy with many
            # requests still answers each one `latency_s` after it came in
            elapsed = time.monotonic() - request.scope[_ARRIVED]
            await asyncio.sleep(max(0.0, s.latency_s - elapsed))
        if kind == "429":
            headers = {"Retry-After": fault.retry_after} if fault and fault.retry_after else {}
            return JSONResponse({"error": {"message": "slow down"}}, 429, headers=headers)
        auth = request.headers.get("authorization", "")
        if kind in ("500", "400"):
            # a careless server that echoes the request's key in its error message
            text = "p" * (fault.pad if fault else 0) + f"server error for {auth}"
            if fault and fault.cut is not None:
                text = text[: fault.cut]
            msg = {"message": text + HOSTILE, "type": "server_error"}
            return ascii_json({"error": msg}, int(kind))
        if kind == "slow":
            await asyncio.sleep(fault.delay_s if fault else 1.0)
        if kind == "drop":
            return _Dropped()
        if kind == "endless":
            return StreamingResponse(endless(request), media_type="application/json")
        reply = reply or s.policy(body)
        content, calls = reply["content"], reply["calls"]
        if kind == "bad_json" and calls:
            calls = [{"name": calls[0]["name"], "arguments": '{"query": "unterminated'}]
        if kind == "unknown_tool" and calls:
            calls = [_call("browse", {"url": "http://example.com"})]
        if kind == "hostile_name" and calls:
            calls = [{**calls[0], "name": calls[0]["name"] + HOSTILE}]
        if kind == "echo_key":
            content = f"{content} (you sent {auth})"
            calls = [echoed_call(c, auth) for c in calls]
        if kind == "hostile_text":
            content += HOSTILE
            calls = [hostile_call(c) for c in calls]
        out = self._completion(body, content, calls, kind != "no_usage")
        if s.imitate is not None:
            out = s.imitate.shape(out)
        if kind == "hostile_text":
            for tc in out["choices"][0]["message"].get("tool_calls", []):
                tc["id"] += HOSTILE
        if kind == "bad_usage" and fault is not None and fault.usage is not None:
            out["usage"] = {**out.get("usage", {}), **fault.usage}
        if kind == "trickle":
            data = json.dumps(out).encode()
            delay = fault.delay_s if fault else 0.1
            headers = {"content-length": str(len(data))}
            return StreamingResponse(trickle(request, data, delay), headers=headers)
        if kind in ("hostile_text", "hostile_name", "bad_usage"):
            return ascii_json(out)
        if kind == "bad_utf8":  # bytes no UTF-8 decoder accepts, inside the text
            data = json.dumps(out).replace('"content": "', '"content": "NOT-UTF8', 1)
            body = data.encode().replace(b"NOT-UTF8", b"\xff\xfe\xc3")
            return Response(body, 200, media_type="application/json")
        return JSONResponse(out)

    def _completion(
        self, body: dict[str, Any], content: str, calls: list[dict[str, Any]], usage: bool
    ) -> dict[str, Any]:
        n = len(self.requests)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            message["tool_calls"] = [
                {"id": f"call_{n}_{i}", "type": "function", "function": c}
                for i, c in enumerate(calls)
            ]
        prompt = len(_text(body)) // 4 + 10 * len(body.get("tools", []))
        completion = len(content) // 4 + sum(len(c["arguments"]) for c in calls) // 4 + 20
        out: dict[str, Any] = {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
        }
        if usage:
            out["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": prompt // 2 if n > 1 else 0},
                "completion_tokens_details": {"reasoning_tokens": 12},
            }
        return out


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeServer]:
    server = FakeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_server(
    _server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> FakeServer:
    """The running server, reset; the environment made safe: only loopback endpoints are
    allowed, no real provider key is visible, the keys file and the cache are temporary."""
    assert urlsplit(_server.base_url).hostname == "127.0.0.1"
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")
    for info in PROVIDERS.values():
        if info.key_env:
            monkeypatch.delenv(info.key_env, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ARCHBENCH_CACHE_DIR", str(home / "cache"))
    monkeypatch.delenv("ARCHBENCH_PRICES", raising=False)
    reset_limiters()
    reset_learned()
    _server.reset()
    return _server
