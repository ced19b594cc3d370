"""`archbench serve` in-process, for tests: a simulated model behind a real HTTP endpoint.

    from serve_fixture import serve, served_id, serve_env

    def test_round_trip(serve_env, mini) -> None:  # serve_env: loopback only, no keys
        with serve("mock/kimi-k2", mini) as url:     # a free port on 127.0.0.1
            model = served_id("kimi-k2", url)   # openai-compatible/kimi-k2@URL?call_info=true
            compare(["kimi-researcher"], suite=mini, models={"agent": model}, record=True, out=...)

Or the `serve_model` fixture (which also applies `serve_env`): `url = serve_model("mock/kimi-k2",
mini)` starts a server that stops when the test ends.

`serve` starts `harness.serve.ServerThread` (uvicorn on a daemon thread) and stops it on
exit. `served_id` is the id a run binds a role to: the generic provider at that URL, with
`call_info=true` so the served model gets the call's purpose, brief and draw position and
answers exactly as the in-process model would (docs/serving.md); `call_info=False` gives a
foreign client's view (no header).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest

from harness.backends.providers import LOOPBACK_ONLY_ENV, PROVIDERS
from harness.serve import ServerThread, served_model
from harness.task import TaskSuite


@contextmanager
def serve(model_id: str, suite: str | TaskSuite = "default", pace: float = 0.0) -> Iterator[str]:
    """Serve `model_id` (a `mock/...` id) on `suite`; yields the base URL (…/v1)."""
    server = ServerThread(served_model(model_id, suite, pace))
    try:
        yield server.start()
    finally:
        server.stop()


def served_id(name: str, url: str, call_info: bool = True) -> str:
    """The model id that calls the served model at `url` through archbench's real-backend
    path. `name` is only the name sent (the server answers as the model it serves)."""
    return f"openai-compatible/{name}@{url}" + ("?call_info=true" if call_info else "")


@pytest.fixture
def serve_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Only loopback endpoints, no provider key visible, a temporary cache and keys file."""
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")
    for info in PROVIDERS.values():
        if info.key_env:
            monkeypatch.delenv(info.key_env, raising=False)
    home = tmp_path_factory.mktemp("serve-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ARCHBENCH_CACHE_DIR", str(home / "cache"))


@pytest.fixture
def serve_model(serve_env: None) -> Iterator[Callable[..., str]]:
    """`serve_model(model_id, suite="default", pace=0.0)` -> the base URL of a fresh server
    (a fresh server has empty prefix caches: see docs/serving.md), stopped after the test."""
    with ExitStack() as stack:

        def start(model_id: str, suite: str | TaskSuite = "default", pace: float = 0.0) -> str:
            return stack.enter_context(serve(model_id, suite, pace))

        yield start
