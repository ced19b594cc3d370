"""The hostile side of the fake OpenAI server (`fake_openai_server.py`): replies no
well-behaved server sends but real ones have, and sockets that misbehave below HTTP.

    HOSTILE             lone surrogates, NUL and control characters, appended to strings
    hostile_call        a tool call with HOSTILE in its arguments (escaped and raw)
    echoed_call         a tool call whose arguments echo the request's key, whole and cut
    ascii_json          JSON with every non-ASCII escaped: how a lone surrogate is sent
    trickle, endless    bodies that arrive a byte at a time, or never end
    refused_url         a port where nothing listens
    RawListener         a port that resets or closes each connection instead of answering

Every loop here stops by itself: at the end of its body, when the client hangs up, or
after a cap.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

HOSTILE = " \ud800 nul\x00 bel\x07 esc\x1b del\x7f \udfff pair\U0001f600 max\U0010ffff"
"""What `hostile_text` appends to a reply's strings: lone surrogates (which no UTF-8 encoder
accepts), NUL and control characters, a real astral character."""

ENDLESS_CAP_S = 60.0
"""An `endless` body stops after this long even if the client never lets go."""


def hostile_call(call: dict[str, Any]) -> dict[str, Any]:
    """The call with HOSTILE in its free-text arguments (a search's query, an answer's
    text; not a document id, which would only fail): escaped inside the arguments JSON
    (`\\ud800`) for `search`, as raw characters for the others."""
    args = json.loads(call["arguments"])
    args = {k: v + HOSTILE if k in ("query", "text") else v for k, v in args.items()}
    ascii_only = call["name"] == "search"
    return {"name": call["name"], "arguments": json.dumps(args, ensure_ascii=ascii_only)}


def echoed_call(call: dict[str, Any], auth: str) -> dict[str, Any]:
    """The call with the request's Authorization header in every string argument, whole
    and cut by the server after 12 characters of the key."""
    cut = auth[: len("Bearer ") + 12]
    args = json.loads(call["arguments"])
    args = {k: f"{v} {auth} {cut}..." if isinstance(v, str) else v for k, v in args.items()}
    return {"name": call["name"], "arguments": json.dumps(args)}


def ascii_json(obj: Any, status: int = 200) -> Response:
    """JSON with every non-ASCII character escaped: the only way to send a lone surrogate
    (`\\ud800`), which a UTF-8 body cannot hold."""
    return Response(json.dumps(obj, ensure_ascii=True), status, media_type="application/json")


async def trickle(request: Request, data: bytes, delay_s: float) -> AsyncIterator[bytes]:
    """The body one byte at a time: every byte comes well within a read timeout, the whole
    body long after it. Stops when the client hangs up."""
    for i in range(len(data)):
        if await request.is_disconnected():
            return
        yield data[i : i + 1]
        await asyncio.sleep(delay_s)


async def endless(request: Request) -> AsyncIterator[bytes]:
    """Whitespace (valid JSON padding) for as long as the client reads, at most
    ENDLESS_CAP_S: a body that never completes."""
    stop = time.monotonic() + ENDLESS_CAP_S
    while time.monotonic() < stop and not await request.is_disconnected():
        yield b" " * 256
        await asyncio.sleep(0.01)


def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: a connection to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _read_request(conn: socket.socket) -> None:
    """Read the whole request, headers and body. Closing a socket with unread bytes
    makes the kernel send RST instead of FIN, so a `close` listener that read only the
    first segment would be seen as a `reset` whenever the body came in a second one."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(1 << 16)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(body) < length:
            chunk = conn.recv(1 << 16)
            if not chunk:
                return
            body += chunk
    except (OSError, ValueError):
        pass


class RawListener:
    """A TCP port on 127.0.0.1 that reads each request and, instead of answering, resets
    the connection (`reset`: an RST, as a crashed proxy sends) or closes it (`close`).

    Its thread accepts until `stop()` (or `max_s`), waking every 0.1 s to check."""

    def __init__(self, mode: Literal["reset", "close"], max_s: float = 120.0) -> None:
        self.mode = mode
        self.accepted = 0
        self._stop = threading.Event()
        self._deadline = time.monotonic() + max_s
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # the 0.1 s timeout, or the socket closed
                continue
            with conn:
                conn.settimeout(2.0)
                _read_request(conn)
                if self.mode == "reset":  # linger 0: close sends RST, not FIN
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.accepted += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> RawListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
