"""What went wrong below HTTP, in words: refused, reset, closed, DNS, timed out.

Why: the SDK wraps every transport failure in `APIConnectionError` or `APITimeoutError`,
and its aiohttp transport maps any `aiohttp.ClientConnectionError` (a refused connection
included) to a *connect timeout*, so a server that was simply not running was reported as
"timed out after 60s" a millisecond after the call began. The cause is still there, at the
bottom of the exception chain (`__cause__`, else `__context__`, even where a transport
suppressed it with `from None`): an `OSError` with its errno, or the transport's own
exception. This module reads the chain from its root up and
names the first failure it recognises. A connection tried on several addresses (`localhost`
is `::1` and `127.0.0.1`) fails with one `OSError("Multiple exceptions: [Errno 111] ...")`
whose errno is not set: its words are read. And a "timeout" reported long before the
deadline is not called one: it is a failed connection, with the time it took.


    connection refused by HOST:PORT
    connection reset by HOST:PORT
    connection closed by HOST:PORT before the response was complete
    DNS lookup failed for HOST (the resolver's message)
    TLS with HOST:PORT failed (the TLS library's reason)
    connection to HOST:PORT failed (the OS's message)
    timed out after Ns

Transport classes are recognised by name (aiohttp's, httpx's and httpcore's, in either
generation), so nothing here imports a transport.
"""

from __future__ import annotations

import errno
import socket
import ssl
from urllib.parse import urlsplit

_CLOSED = {
    "ServerDisconnectedError",  # aiohttp: closed before the response
    "ClientPayloadError",  # aiohttp: closed inside the body
    "RemoteProtocolError",  # httpx, httpcore, h11: closed before or inside the response
    "IncompleteRead",
}
_TIMEOUTS = {"TimeoutException", "ServerTimeoutError", "APITimeoutError"}


def where(base_url: str) -> tuple[str, str]:
    """(host, host:port) of an endpoint, the port made explicit."""
    parts = urlsplit(base_url)
    host = parts.hostname or "?"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    shown = f"[{host}]" if ":" in host else host
    return host, f"{shown}:{port}"


def chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it, outermost first: the cause, else the exception being
    handled when it was raised (httpcore hides the `OSError` under it that way)."""
    out: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        out.append(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return out


def _names(exc: BaseException) -> set[str]:
    return {c.__name__ for c in type(exc).__mro__}


def describe(
    exc: BaseException, base_url: str, timeout_s: float, elapsed_s: float | None = None
) -> str:
    """One line naming why a call to `base_url` failed below HTTP (no key can be in it:
    it holds the host, the port and the OS's words). `elapsed_s`: how long the attempt
    took, when known."""
    host, hostport = where(base_url)
    reason = _describe(exc, host, hostport, f"timed out after {timeout_s:g}s")
    if reason.startswith("timed out") and elapsed_s is not None and elapsed_s < timeout_s / 2:
        return (
            f"connection to {hostport} failed after {elapsed_s:.2f}s (the transport reported "
            "a timeout long before the deadline: is the server running?)"
        )
    return reason


def _refused(e: BaseException) -> bool:
    if isinstance(e, ConnectionRefusedError):
        return True
    if not isinstance(e, OSError):
        return False
    return e.errno == errno.ECONNREFUSED or (
        "Multiple exceptions" in str(e) and f"[Errno {errno.ECONNREFUSED}]" in str(e)
    )


def _describe(exc: BaseException, host: str, hostport: str, timed_out: str) -> str:
    for e in reversed(chain(exc)):
        names = _names(e)
        if isinstance(e, socket.gaierror):
            return f"DNS lookup failed for {host} ({e.strerror or e})"
        if _refused(e):
            return f"connection refused by {hostport}"
        if isinstance(e, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return f"connection reset by {hostport}"
        if isinstance(e, TimeoutError) or names & _TIMEOUTS or type(e).__name__.endswith("Timeout"):
            return timed_out
        if names & _CLOSED:
            return f"connection closed by {hostport} before the response was complete"
        if isinstance(e, ssl.SSLError):
            return f"TLS with {hostport} failed ({e.reason or type(e).__name__})"
        if type(e) is OSError and e.strerror:  # an errno the cases above do not name
            return f"connection to {hostport} failed ({e.strerror})"
        if "ClientConnectionError" in names:  # aiohttp's, whatever its transport calls it
            return f"connection to {hostport} failed ({type(e).__name__})"
    return f"connection to {hostport} failed ({type(chain(exc)[-1]).__name__})"
