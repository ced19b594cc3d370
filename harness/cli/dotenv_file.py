"""`.env`: API keys (and any other setting) in a file beside the project, for the CLI.

`archbench` reads `./.env` (the current directory's, not a parent's: which file is read
should not depend on where in a tree you stand) before a command runs, and sets only the
variables the environment does not already have: the real environment wins over `.env`,
which wins over the keys file `~/.config/archbench/keys.toml` (`harness.backends.providers`
reads that only for a key the environment lacks). Values are never printed or logged, not
even on a mistake: a line that does not parse is reported by its number only.
`ARCHBENCH_NO_DOTENV=1` skips the file (tests; a shell that must not see it).

The Python API reads no `.env`: a library should not change its caller's environment
unasked. Call `load_env_file()` for the same behaviour.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import ConfigError

ENV_FILE = ".env"
NO_DOTENV_ENV = "ARCHBENCH_NO_DOTENV"


def load_env_file(path: Path | str | None = None) -> list[str]:
    """Set the variables of `path` (default `./.env`) that the environment lacks; the
    names set (never the values). A missing file is nothing to load."""
    if os.environ.get(NO_DOTENV_ENV, "") not in ("", "0"):
        return []
    file = Path(path) if path is not None else Path.cwd() / ENV_FILE
    if not file.is_file():
        return []
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"'{file}' cannot be read: {reason}") from None
    values = _parse(text, file)
    added = [k for k, v in values.items() if v is not None and k not in os.environ]
    for name in added:
        os.environ[name] = values[name] or ""
    return added


def _parse(text: str, file: Path) -> dict[str, str | None]:
    """python-dotenv's reading of the file, without its interpolation of `${VAR}` from the
    environment (a key that happens to contain `$` must arrive as written)."""
    import io
    import logging

    from dotenv import dotenv_values

    bad: list[str] = []

    class _Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            bad.extend(str(a) for a in record.args or ())

    log = logging.getLogger("dotenv.main")
    handler, propagate = _Lines(), log.propagate
    log.addHandler(handler)
    log.propagate = False  # its message is fine, but say it our way: file and line only
    try:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    finally:
        log.removeHandler(handler)
        log.propagate = propagate
    if bad:
        raise ConfigError(f"'{file}' line {bad[0]} does not parse (expected NAME=value)")
    return dict(values)
