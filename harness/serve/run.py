"""Running the served model: in the foreground (the CLI) or on a background thread (tests,
notebooks, a round trip in one process).

The socket is bound before uvicorn starts, so a port that is taken is one clear error
(exit 2 from the CLI) rather than a log line, and port 0 picks a free port whose number
is known before the first request. uvicorn installs its own SIGINT/SIGTERM handlers in
the foreground: Ctrl-C finishes the requests in flight (at most a second) and returns.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from types import TracebackType

from harness.errors import ConfigError, UnknownNameError
from harness.registry import check_model_id, parse_model_id
from harness.serve.app import ServedModel, create_app
from harness.suites import load_suite
from harness.task import TaskSuite

try:  # the `serve` extra, as starlette in app.py
    import uvicorn
except ImportError:  # pragma: no cover - installed with the dev and serve extras
    raise ConfigError("archbench serve needs uvicorn: pip install 'archbench[serve]'") from None


def check_served_id(model_id: str) -> None:
    """A simulated model id (`mock/...`, options included), or a one-line error."""
    mid = parse_model_id(model_id)
    if mid.provider != "mock":
        raise UnknownNameError(
            f"archbench serve serves simulated models (mock/...); '{model_id}' is not one"
        )
    check_model_id(model_id)


def served_model(model_id: str, suite: str | TaskSuite, pace: float = 0.0) -> ServedModel:
    check_served_id(model_id)
    if pace < 0:
        raise ConfigError(f"--pace must be 0 or more, got {pace}")
    loaded = load_suite(suite) if isinstance(suite, str) else suite
    return ServedModel(model_id, loaded, pace)


def bind(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port must be 0 to 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConfigError(f"--host '{host}': {exc.strerror or exc}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
        sock.listen(128)  # connections wait in the backlog until uvicorn serves them
    except OSError as exc:
        sock.close()
        raise ConfigError(f"--port {port}: cannot listen on {host}: {exc.strerror}") from None
    return sock


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class Server:
    """The served model on a bound socket; `url` is its OpenAI base URL (…/v1)."""

    def __init__(self, served: ServedModel, host: str = "127.0.0.1", port: int = 0) -> None:
        self.served = served
        self.sock = bind(host, port)
        bound = self.sock.getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        self.port: int = bound[1]
        self.url = f"http://{shown}:{self.port}/v1"
        config = uvicorn.Config(
            create_app(served),
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="httptools" if _has("httptools") else "h11",
            timeout_graceful_shutdown=1,
        )
        self.uvicorn = uvicorn.Server(config)

    def run(self) -> None:
        """Serve in the foreground until Ctrl-C (SIGINT) or SIGTERM."""
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.sock.close()


class ServerThread(Server):
    """The same server on a daemon thread: `with ServerThread(...) as url:`."""

    def __init__(self, served: ServedModel, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(served, host, port)
        self.uvicorn.config.log_level = "critical"
        self._thread = threading.Thread(target=self.run, daemon=True, name="archbench-serve")

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.uvicorn.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("archbench serve did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
