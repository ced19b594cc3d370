"""Record a run's real-model answers next to its results; replay them strictly, offline.

`--record` writes, in the run directory:

    recording.jsonl     a header, {"kind": "archbench-recording", "v", "sim_version"}, then
                        one line per distinct request a real model answered (or failed):
                        {"key", "model", "identity", "step", "request", "response" | "error"}
                        `request` is what the model received (messages, tools, config,
                        seed; never a key, never the oracle), `response` the message, usage,
                        cost and measured latency it gave back
    suite.json          the task suite the run used, so a replay needs no generator
    architectures.json  the architecture specs the run used

`--replay RUN_DIR` reruns the recorded configuration with every real model answered from
`recording.jsonl` by the same request key as the cache, so the results are byte-identical
and no network is touched. A request that is not in the recording fails that episode with
"not recorded: model X, step N". Identical requests within one recorded run share one
answer (a second asks no provider), so a replay can never have to choose between two.

The header's `sim_version` is the simulation version (`harness.sim.version`) of the
archbench that recorded. A replay recomputes the simulated roles, and the real models'
requests follow from what those roles did, so a recording made under another version
(one without a header: version 1) is refused, in one line naming both versions.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

from harness.backends.base import (
    CallStats,
    RealBackend,
    RequestKeys,
    request_json,
    response_from_json,
    response_json,
    step_of,
)
from harness.errors import BackendError, BudgetExhausted, ConfigError, ContextOverflow, RunError
from harness.messages import ModelRequest, ModelResponse
from harness.sim.version import SIM_VERSION, UNSTAMPED_SIM_VERSION
from harness.spec import ArchitectureSpec
from harness.task import TaskSuite
from harness.usage import Usage

RECORDING_FILE = "recording.jsonl"
SUITE_FILE = "suite.json"
ARCHITECTURES_FILE = "architectures.json"
RECORDING_VERSION = 1
HEADER_KIND = "archbench-recording"

_ERRORS: dict[str, type[RunError]] = {
    c.__name__: c for c in (RunError, BackendError, BudgetExhausted, ContextOverflow)
}


def _outcome(entry: dict[str, Any]) -> ModelResponse:
    """The recorded answer, or the recorded failure raised again."""
    if "response" in entry:
        return response_from_json(entry["response"])
    raise _ERRORS.get(entry.get("error_type", ""), BackendError)(entry["error"])


class Recorder:
    """Appends each answer to `recording.jsonl` as it arrives, so an interrupted run keeps
    what it paid for."""

    def __init__(self, run_dir: Path, stats: CallStats) -> None:
        self.path = run_dir / RECORDING_FILE
        self.stats = stats
        header = {"kind": HEADER_KIND, "v": RECORDING_VERSION, "sim_version": SIM_VERSION}
        try:
            self._file: IO[str] | None = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
            self._file.write(json.dumps(header) + "\n")
            self._file.flush()
        except OSError as exc:
            raise ConfigError(f"--record: '{self.path}' cannot be written: {exc}") from None
        self._done: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, asyncio.Future[None]] = {}

    async def call(
        self,
        key: str,
        backend: RealBackend,
        request: ModelRequest,
        generate: Callable[[], Awaitable[ModelResponse]],
    ) -> ModelResponse:
        if key in self._done:
            self.stats.shared += 1
            return _outcome(self._done[key])
        pending = self._pending.get(key)
        if pending is not None:  # the same request is in flight: share its answer
            await asyncio.shield(pending)
            self.stats.shared += 1
            return _outcome(self._done[key])
        future = self._pending[key] = asyncio.get_running_loop().create_future()
        entry: dict[str, Any]
        try:
            try:
                entry = {"response": response_json(await generate())}
            except RunError as exc:
                entry = {"error": str(exc), "error_type": type(exc).__name__}
            self._write(key, backend, request, entry)
        except BaseException:
            del self._pending[key]
            future.cancel()
            raise
        self._done[key] = entry
        del self._pending[key]
        future.set_result(None)
        return _outcome(entry)

    def _write(
        self, key: str, backend: RealBackend, request: ModelRequest, entry: dict[str, Any]
    ) -> None:
        line = {
            "v": RECORDING_VERSION,
            "key": key,
            "model": backend.id,
            "identity": backend.cache_identity,
            "step": step_of(request),
            "purpose": request.purpose,
            "request": request_json(request),
            **entry,
        }
        if self._file is None:
            raise BackendError("the recording is closed")
        self._file.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()
        self.stats.recorded += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class RecordingBackend:
    def __init__(self, inner: RealBackend, recorder: Recorder) -> None:
        self.inner = inner
        self.id = inner.id
        self.cache_identity = inner.cache_identity
        self.recorder = recorder
        self.keys = RequestKeys()

    def reprice(self, usage: Usage) -> Usage:
        return self.inner.reprice(usage)

    async def generate(self, request: ModelRequest) -> ModelResponse:
        key = self.keys(self.cache_identity, request)
        return await self.recorder.call(key, self, request, lambda: self.inner.generate(request))


class Recording:
    """A run's `recording.jsonl`, read whole: request key -> answer. Refused (ConfigError)
    when it was recorded under another simulation version."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / RECORDING_FILE
        if not self.path.is_file():
            raise ConfigError(
                f"--replay '{run_dir}' has no {RECORDING_FILE}: record the run with --record"
            )
        self.entries: dict[str, dict[str, Any]] = {}
        with open(self.path, encoding="utf-8") as f:
            lines = enumerate(f, 1)
            first = next(lines, None)
            header = None if first is None else _header(first[1])
            self.sim_version = _sim_version(header, self.path)
            if self.sim_version != SIM_VERSION:
                raise ConfigError(
                    f"--replay '{run_dir}': {RECORDING_FILE} was recorded under simulation "
                    f"version {self.sim_version}, this archbench simulates version "
                    f"{SIM_VERSION}; record the run again (--record) to replay it"
                )
            if first is not None and header is None:
                self._add(*first)
            for n, line in lines:
                self._add(n, line)

    def _add(self, n: int, line: str) -> None:
        try:
            entry = json.loads(line)
            key = entry["key"]
            if "response" not in entry and "error" not in entry:
                raise KeyError("response")
        except (ValueError, KeyError, TypeError):
            raise ConfigError(f"{self.path}:{n}: not a recording line") from None
        self.entries.setdefault(key, entry)


def _header(line: str) -> dict[str, Any] | None:
    """The first line as a header, or None when it is not one (a recording made before
    recordings had headers)."""
    try:
        first = json.loads(line)
    except ValueError:
        return None
    return first if isinstance(first, dict) and first.get("kind") == HEADER_KIND else None


def _sim_version(header: dict[str, Any] | None, path: Path) -> int:
    """The header's sim_version; a recording without one (or without a header) was made
    before the version was stamped."""
    version = (header or {}).get("sim_version", UNSTAMPED_SIM_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigError(f"{path}:1: the header's sim_version must be a whole number")
    return version


class ReplayBackend:
    """A real model's place in a replay: answers only from the recording, never the network."""

    def __init__(
        self, model_id: str, identity: str, recording: Recording, stats: CallStats
    ) -> None:
        self.id = model_id
        self.cache_identity = identity
        self.recording = recording
        self.stats = stats
        self.keys = RequestKeys()

    async def generate(self, request: ModelRequest) -> ModelResponse:
        key = self.keys(self.cache_identity, request)
        entry = self.recording.entries.get(key)
        if entry is None:
            self.stats.not_recorded += 1
            raise BackendError(
                f"not recorded: model {self.id}, step {step_of(request)} ({request.purpose}): "
                f"{self.recording.path} has no answer to this request (key {key[:12]})"
            )
        self.stats.replayed += 1
        return _outcome(entry)


def save_inputs(run_dir: Path, suite: TaskSuite, specs: list[ArchitectureSpec]) -> None:
    """Keep the suite and the architecture specs with the recording: a replay then needs
    neither the task generator nor the same built-ins."""
    (run_dir / SUITE_FILE).write_text(suite.model_dump_json(indent=1) + "\n", encoding="utf-8")
    archs = {s.name: s.model_dump(mode="json") for s in specs}
    (run_dir / ARCHITECTURES_FILE).write_text(
        json.dumps(archs, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def load_inputs(run_dir: Path) -> tuple[TaskSuite | None, dict[str, ArchitectureSpec]]:
    suite = None
    specs: dict[str, ArchitectureSpec] = {}
    try:
        if (run_dir / SUITE_FILE).is_file():
            suite = TaskSuite.model_validate_json((run_dir / SUITE_FILE).read_bytes())
        if (run_dir / ARCHITECTURES_FILE).is_file():
            raw = json.loads((run_dir / ARCHITECTURES_FILE).read_bytes())
            specs = {k: ArchitectureSpec.model_validate(v) for k, v in raw.items()}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--replay '{run_dir}': saved inputs cannot be read: {exc}") from None
    return suite, specs
