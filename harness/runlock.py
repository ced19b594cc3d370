"""One writer per run directory: an advisory lock every command that writes one takes.

Two processes appending to the same results.jsonl tear and duplicate its lines, and both
believe they finished the run; a report written while a resume reorders the files reads
half of each. So whatever writes a run directory (`compare --out`, `--resume`, a replay
with `--out`, a sweep and each of its cells, `archbench report`) first takes
`RUN_DIR/.archbench.lock` with `fcntl.flock`. A second writer is refused at once, in one
line naming the holder's pid and host (recorded in the lock file), and writes nothing.

Why flock: the kernel releases it when the holder's process ends however it ends (a
crash, `kill -9`, a lost machine's NFS client aside), so a lock left behind by a dead
process never blocks anyone; the file it leaves is only a note. A lock released normally
removes its file, so a finished run directory holds exactly the files it held before.

Within one process the lock is re-entrant (`resume` takes it, then the run's writer takes
it again), and a forked worker process (`--workers N`) closes its inherited copy at once:
it never holds, waits for or releases its parent's lock.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from harness.errors import ConfigError

LOCK_FILE = ".archbench.lock"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, one writer by convention
    fcntl = None  # type: ignore[assignment]


@dataclass
class _Held:
    fd: int
    path: Path
    count: int
    thread: int
    """The thread that took it: only that one re-enters it (two threads of one process
    writing one directory would tear its lines just as two processes would)."""


_HELD: dict[tuple[int, int], _Held] = {}
_GUARD = threading.Lock()


def _forget_in_child() -> None:
    """A forked child drops its copies of the parent's locks without releasing them:
    `flock` locks belong to the open file, which the parent still holds."""
    global _GUARD
    _GUARD = threading.Lock()  # another thread may have held it at the fork
    for held in _HELD.values():
        try:
            os.close(held.fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


class RunLock:
    """A held lock on a run directory; `release` it (or use `with`). Releasing twice is
    harmless."""

    def __init__(self, key: tuple[int, int] | None) -> None:
        self._key = key

    def release(self) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        with _GUARD:
            held = _HELD.get(key)
            if held is None:
                return
            held.count -= 1
            if held.count > 0:
                return
            del _HELD[key]
        _unlock(held)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock(directory: Path, flag: str) -> RunLock:
    """Take the one-writer lock of `directory`, creating the directory if needed; a
    `ConfigError` (one line) if another process holds it or the directory cannot be
    written. `flag` names the command for the message (`--out`, `--resume`, ...)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        st = directory.stat()
    except OSError as exc:
        raise ConfigError(f"{flag} '{directory}' cannot be written: {exc.strerror}") from None
    key = (st.st_dev, st.st_ino)
    with _GUARD:
        held = _HELD.get(key)
        if held is not None:
            if held.thread != threading.get_ident():
                raise ConfigError(
                    f"{flag}: '{directory}' is being written by another thread of this process "
                    f"(pid {os.getpid()}); use another directory"
                )
            held.count += 1
            return RunLock(key)
        if fcntl is None:  # pragma: no cover
            return RunLock(None)
        fd = _acquire(directory / LOCK_FILE, directory, flag)
        _HELD[key] = _Held(fd, directory / LOCK_FILE, 1, threading.get_ident())
    return RunLock(key)


def _acquire(path: Path, directory: Path, flag: str) -> int:
    for _ in range(100):  # a holder releasing removes the file: lock the one now there
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ConfigError(
                    f"{flag}: '{path}' is a symbolic link; archbench follows no link out of a "
                    "run directory"
                ) from None
            raise ConfigError(f"{flag} '{directory}' cannot be written: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ConfigError(
                    f"{flag}: '{directory}' is being written by another archbench ({holder}); "
                    "wait for it to finish, or use another directory"
                ) from None
            raise ConfigError(f"{flag} '{directory}' cannot be locked: {exc.strerror}") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except OSError:
            same = False
        if same:
            _note_holder(fd)
            return fd
        os.close(fd)
    raise ConfigError(f"{flag}: '{directory}' could not be locked (its lock file keeps changing)")


def _note_holder(fd: int) -> None:
    """Record who holds the lock, for the message a second writer gets."""
    note = json.dumps({"pid": os.getpid(), "host": socket.gethostname()}) + "\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8"), 0)
    except OSError:
        pass  # a note only: the lock is what counts


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0))
        return f"pid {int(data['pid'])} on host {str(data['host'])[:200]}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"


def _unlock(held: _Held) -> None:
    """Remove the lock file while still holding it (whoever opens it next sees it gone and
    opens a new one), then release."""
    try:
        if os.path.samestat(os.fstat(held.fd), os.stat(held.path, follow_symlinks=False)):
            os.unlink(held.path)
    except OSError:
        pass  # gone already (a sweep removed the cell), or a read-only directory
    try:
        fcntl.flock(held.fd, fcntl.LOCK_UN)
    finally:
        os.close(held.fd)
