"""Exports of a run directory to other tools' formats (`archbench export`).

    inspect   Inspect AI eval logs, one per architecture      (extra: inspect)
    otel      OpenTelemetry GenAI spans, OTLP JSON lines       (extra: otel)
    csv       episodes.csv and steps.csv                       (standard library)
    parquet   episodes.parquet and steps.parquet               (extra: parquet)

Why a package of its own: each format's library is optional and imported only when that
format is asked for, so archbench installs and runs without any of them. Every format
reads the run once through `source.read_run`; docs/exports.md says what maps to what.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness import runpaths
from harness.errors import ConfigError
from harness.export.source import RunSource, read_run

FORMATS = ("inspect", "otel", "csv", "parquet")
DEFAULT_OUT = {
    "inspect": "inspect",
    "otel": "otel.jsonl",
    "csv": "csv",
    "parquet": "parquet",
}
"""Where each format goes under RUN_DIR/export/ without -o: a directory, or otel's file."""


def _writer(fmt: str) -> Callable[[RunSource, Path], list[Path]]:
    if fmt == "inspect":
        from harness.export.inspect_log import write_inspect

        return write_inspect
    if fmt == "otel":
        from harness.export.otlp_json import write_otel

        return write_otel
    if fmt == "csv":
        from harness.export.tables import write_csv

        return write_csv
    if fmt == "parquet":
        from harness.export.tables import write_parquet

        return write_parquet
    raise ConfigError(f"--format '{fmt}' is not an export format (formats: {', '.join(FORMATS)})")


def export_run(run_dir: Path | str, fmt: str, out: Path | str | None = None) -> list[Path]:
    """Export the run in `run_dir` as `fmt` to `out` (a directory; for otel a file;
    default RUN_DIR/export/<format>); the files written."""
    writer = _writer(fmt)  # an unknown format before the run is read
    run = read_run(run_dir)
    if out is None:  # inside a run directory, perhaps received: no link followed
        target = runpaths.check(Path(run_dir), f"export/{DEFAULT_OUT[fmt]}")
    else:
        target = Path(out)
    try:
        return writer(run, target)
    except OSError as exc:
        raise ConfigError(f"-o '{target}' cannot be written: {exc.strerror or exc}") from None


__all__ = ["FORMATS", "RunSource", "export_run", "read_run"]
