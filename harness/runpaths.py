"""Files inside a run directory, read and written without ever leaving it.

Run directories are meant to be shared (`--replay`, `archbench report`), so a directory
archbench receives is input it did not make: a `results.jsonl` that is a symbolic link to
someone's file would be truncated by `--resume`, a `report/img` that links elsewhere would
have files deleted and written there, a `traces.jsonl` linked to /dev/zero would be read
forever. So every file or folder archbench reads or writes inside a run directory goes
through here:

- each path component below the run directory is checked not to be a symbolic link, and
  the file itself is opened with O_NOFOLLOW (a link swapped in after the check still fails);
  the run directory itself may be a link (that is the user's own choice of where it is);
- only regular files are read or written (not a FIFO, a device, a directory: an
  `OSError`, as the operating system would raise for a directory);
- a whole file is replaced, never rewritten in place: written beside it, then renamed over
  it, so a crash leaves the old file or the new one and a hard link is never written through;
- what is read is bounded: a JSON file or one line of a .jsonl file longer than
  `MAX_RECORD_BYTES` is refused, with a message saying so, instead of filling memory.

Refusals are `ConfigError`s: one line, exit code 2.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from harness.errors import ConfigError

MAX_RECORD_BYTES = 64 * 2**20
"""The longest JSON file, or line of a .jsonl file, read from a run directory. archbench
writes nothing near it (a long real-model trace line is a few MB): anything longer is not
a run file, and reading it would only grow memory."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class LinkRefused(ConfigError):
    """A symbolic link where archbench reads or writes a run directory's file."""


class RecordTooLong(ConfigError):
    """A JSON file or a .jsonl line longer than `MAX_RECORD_BYTES`."""


def limit() -> int:
    """`MAX_RECORD_BYTES`, read at each call (tests lower it)."""
    return MAX_RECORD_BYTES


def mib(n: int) -> str:
    return f"{n / 2**20:g} MiB"


def _parts(rel: str | PurePosixPath) -> tuple[str, ...]:
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ConfigError(f"'{rel}' is not a plain relative path inside a run directory")
    return parts


def check(root: Path, rel: str | PurePosixPath) -> Path:
    """`root/rel`, once no component of `rel` is a symbolic link (missing ones are fine:
    they will be created as real files or folders)."""
    here = root
    for part in _parts(rel):
        here = here / part
        if here.is_symlink():
            raise LinkRefused(
                f"'{here}' is a symbolic link: archbench follows no link inside a run "
                "directory (it could read or write outside it); put the file or folder itself "
                "there"
            )
    return here


def check_all(root: Path, names: tuple[str, ...] | list[str]) -> None:
    for name in names:
        check(root, name)


def _refuse_special(path: Path, fd: int) -> None:
    """Only regular files: a FIFO would block a reader forever, a device never ends (an
    `OSError`, as opening a directory for writing is)."""
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise OSError(errno.EINVAL, "not a regular file", str(path))


def _open(root: Path, rel: str | PurePosixPath, flags: int) -> int:
    path = check(root, rel)
    try:
        fd = os.open(path, flags | _NOFOLLOW | _CLOEXEC | _NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link after the check
            raise LinkRefused(
                f"'{path}' is a symbolic link; archbench does not follow it"
            ) from None
        raise
    _refuse_special(path, fd)
    if _NONBLOCK:  # only there so that opening a FIFO does not wait; regular files ignore it
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    return fd


def open_read(root: Path, rel: str | PurePosixPath) -> IO[bytes]:
    """The file `root/rel`, for reading (`OSError` if it cannot be opened)."""
    return os.fdopen(_open(root, rel, os.O_RDONLY), "rb")


def open_text(root: Path, rel: str | PurePosixPath, errors: str = "strict") -> IO[str]:
    """The file `root/rel`, for reading text (UTF-8, `errors` for undecodable bytes)."""
    return os.fdopen(_open(root, rel, os.O_RDONLY), encoding="utf-8", errors=errors)


def open_append(root: Path, rel: str | PurePosixPath) -> IO[bytes]:
    """The file `root/rel`, created if missing, for appending."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    return os.fdopen(_open(root, rel, flags), "ab")


def open_update(root: Path, rel: str | PurePosixPath) -> IO[bytes]:
    """The existing file `root/rel`, for reading and writing in place (`--resume` cuts a
    torn last line off)."""
    return os.fdopen(_open(root, rel, os.O_RDWR), "r+b")


def read_bytes(root: Path, rel: str | PurePosixPath) -> bytes:
    """The whole (bounded) file `root/rel`."""
    cap = limit()
    chunks: list[bytes] = []
    size = 0
    with open_read(root, rel) as fh:  # `read(cap)` would allocate all of cap at once
        step = os.fstat(fh.fileno()).st_size + 1  # all of it, unless it grows
        while size <= cap and (chunk := fh.read(min(step, cap + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
            step = 1 << 16
    data = b"".join(chunks)
    if len(data) > cap:
        raise RecordTooLong(
            f"'{root / rel}' is larger than {mib(cap)}: not a file archbench writes; it is not read"
        )
    return data


def read_json(root: Path, rel: str | PurePosixPath) -> Any:
    """The JSON value in `root/rel` (`OSError`, `ValueError` as `json.loads` raises)."""
    return json.loads(read_bytes(root, rel))


def read_line(fh: IO[bytes], path: Path, number: int) -> bytes:
    """The next line of `fh` (b"" at the end), refusing one longer than the bound."""
    cap = limit()
    raw = fh.readline(cap + 1)
    if len(raw) > cap:
        raise RecordTooLong(
            f"'{path}' line {number} is longer than {mib(cap)}: not a line archbench writes"
        )
    return raw


def mkdirs(root: Path, rel: str | PurePosixPath) -> Path:
    """Create `root` and the folders `root/rel` (each a real folder, never a link)."""
    root.mkdir(parents=True, exist_ok=True)
    here = root
    for part in _parts(rel):
        here = check(root, PurePosixPath(*here.relative_to(root).parts, part))
        try:
            here.mkdir()
        except FileExistsError:
            if not here.is_dir():
                raise ConfigError(f"'{here}' is not a folder") from None
    return here


@contextmanager
def replacing(root: Path, rel: str | PurePosixPath) -> Iterator[IO[bytes]]:
    """A new file to write that replaces `root/rel` when the block ends without error:
    written beside it, then renamed over it (a link there is replaced, never followed; a
    hard link is never written through; a crash leaves the old file or the new one). Its
    folders must exist."""
    path = check(root, rel)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LinkRefused(f"'{tmp}' is a symbolic link; archbench does not follow it") from None
        raise
    try:
        _refuse_special(tmp, fd)
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(root: Path, rel: str | PurePosixPath, data: bytes) -> Path:
    """Replace `root/rel` with `data` (see `replacing`)."""
    with replacing(root, rel) as fh:
        fh.write(data)
    return root / rel


def write_text(root: Path, rel: str | PurePosixPath, text: str) -> Path:
    return write_bytes(root, rel, text.encode("utf-8"))


def unlink(root: Path, rel: str | PurePosixPath) -> bool:
    """Delete the regular file `root/rel` if it is there (True if it was)."""
    path = check(root, rel)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise ConfigError(f"'{path}' is not a regular file; archbench does not delete it")
    path.unlink(missing_ok=True)
    return True
