"""`archbench export RUN_DIR --format inspect|otel|csv|parquet`: a run in other tools'
formats (harness.export; docs/exports.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from harness.cli.console import say
from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.export.otlp_json import LiveExport as _Live

OtelEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--otel-endpoint",
        metavar="URL",
        help="Send OpenTelemetry spans to this OTLP/HTTP collector (http://host:4318) "
        "(needs archbench[otel]).",
    ),
]


def export_command(
    run_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RUN_DIR", help="A run directory (compare --out).", show_default=False
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="inspect|otel|csv|parquet",
            help="inspect: Inspect AI eval logs; otel: OpenTelemetry spans (OTLP JSON lines); "
            "csv, parquet: episodes and steps tables.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Where to write: a directory (a file for otel). Default RUN_DIR/export/FORMAT; "
            "with --otel-endpoint, no file unless given.",
        ),
    ] = None,
    otel_endpoint: OtelEndpointOpt = None,
) -> None:
    """Export a run: Inspect AI logs (inspect view), OpenTelemetry GenAI spans (a file or
    a collector), or episode and step tables (CSV, Parquet)."""
    from harness.export import FORMATS, export_run, read_run

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if fmt not in FORMATS:
        raise ConfigError(
            f"--format '{fmt}' is not an export format (formats: {', '.join(FORMATS)})"
        )
    if otel_endpoint is not None:
        if fmt != "otel":
            raise ConfigError("--otel-endpoint sends spans: it goes with --format otel")
        from harness.export.otlp_json import endpoint_url, send_run

        endpoint_url(otel_endpoint)  # a malformed URL before the run is read
        sent = send_run(read_run(run_dir), otel_endpoint)
        say(err, f"{sent} episode(s) sent to {otel_endpoint}")
        if out is None:
            return
    for path in export_run(run_dir, fmt, out):
        say(err, f"written: {path}")


def live_export(url: str) -> _Live:
    """The `on_episode` hook of `compare --otel-endpoint` and `sweep --otel-endpoint`:
    OpenTelemetry loads only when the flag is given."""
    from harness.export.otlp_json import LiveExport as Live

    return Live(url)


@contextmanager
def closing(live: _Live | None) -> Iterator[None]:
    """Send what a live export has batched when the block ends, however it ends."""
    try:
        yield
    finally:
        if live is not None:
            live.close()
