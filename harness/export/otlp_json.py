"""OpenTelemetry spans as OTLP JSON, and where they go: a file or a collector.

The file holds one OTLP/JSON `ExportTraceServiceRequest` per line, one line per episode
(the layout the OpenTelemetry Collector's file exporter writes and its otlpjsonfile
receiver reads): ids in hex, 64-bit integers as strings, enums as numbers. It is encoded
here, not through protobuf's JSON mapping (which writes ids in base64, unlike OTLP/JSON),
and with sorted keys, so the same run gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.errors import ConfigError
from harness.export.optional import fresh, need
from harness.export.otel import SCOPE, emit_episode, provider
from harness.export.source import RunSource

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider

    from harness.runtime import Episode


def _value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [_value(x) for x in v]}}
    return {"stringValue": str(v)}


def _attributes(attrs: Any) -> list[dict[str, Any]]:
    return [{"key": k, "value": _value(v)} for k, v in (attrs or {}).items()]


def span_json(span: ReadableSpan) -> dict[str, Any]:
    """One span as OTLP/JSON."""
    ctx = span.context
    assert ctx is not None
    out: dict[str, Any] = {
        "traceId": f"{ctx.trace_id:032x}",
        "spanId": f"{ctx.span_id:016x}",
        "name": span.name,
        "kind": span.kind.value + 1,  # the API counts from INTERNAL=0, OTLP from 1
        "startTimeUnixNano": str(span.start_time),
        "endTimeUnixNano": str(span.end_time),
        "attributes": _attributes(span.attributes),
        "status": {"code": span.status.status_code.value},
    }
    if span.parent is not None:
        out["parentSpanId"] = f"{span.parent.span_id:016x}"
    if span.status.description:
        out["status"]["message"] = span.status.description
    if span.events:
        out["events"] = [
            {
                "name": e.name,
                "timeUnixNano": str(e.timestamp),
                "attributes": _attributes(e.attributes),
            }
            for e in span.events
        ]
    return out


def request_json(spans: Sequence[ReadableSpan]) -> str:
    """Spans (of one resource and scope) as one OTLP/JSON export request line."""
    if not spans:
        return ""
    resource = _attributes(spans[0].resource.attributes)
    scope = spans[0].instrumentation_scope
    request = {
        "resourceSpans": [
            {
                "resource": {"attributes": resource},
                "scopeSpans": [
                    {
                        "scope": {
                            "name": scope.name if scope else SCOPE,
                            "version": (scope.version if scope else None) or "",
                        },
                        "spans": [span_json(s) for s in spans],
                    }
                ],
            }
        ]
    }
    return json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def _memory() -> Any:
    need("opentelemetry.sdk", "otel", "OpenTelemetry export")
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    return InMemorySpanExporter()


def run_version(run: RunSource) -> str:
    """The archbench version that made the run (the resource's service.version)."""
    return str(run.config.get("archbench_version", "0+unknown"))


def otel_lines(run: RunSource) -> str:
    """Every episode of `run` as OTLP/JSON lines, one per episode, in results order."""
    memory = _memory()
    tp = provider(memory, run_version(run))
    lines = []
    for r in run.results:
        emit_episode(tp, r, run.steps(r), run.events(r))
        lines.append(request_json(memory.get_finished_spans()))
        memory.clear()
    tp.shutdown()
    return "".join(lines)


def endpoint_url(url: str) -> str:
    """The OTLP/HTTP traces URL for `url`: a collector's base URL (http://host:4318) gets
    the standard /v1/traces path; a URL with a path is used as given."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--otel-endpoint '{url}' is not an http(s) URL")
    return url if parts.path.strip("/") else url.rstrip("/") + "/v1/traces"


def endpoint_provider(url: str, version: str) -> TracerProvider:
    """A provider sending spans, batched, to the OTLP/HTTP collector at `url`."""
    target = endpoint_url(url)
    need("opentelemetry.exporter.otlp.proto.http", "otel", "--otel-endpoint")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return provider(OTLPSpanExporter(endpoint=target), version, batch=True)


def send_run(run: RunSource, url: str) -> int:
    """Send every episode of `run` to the collector at `url`; the number of episodes."""
    tp = endpoint_provider(url, run_version(run))
    try:
        for r in run.results:
            emit_episode(tp, r, run.steps(r), run.events(r))
    finally:
        tp.shutdown()  # flushes what is batched
    return len(run.results)


class LiveExport:
    """`on_episode` for `compare`/`run_sweep`: each episode's spans sent to a collector
    as it finishes (episodes run in other processes arrive without steps: their
    episode span only; `archbench export` sends a finished run whole)."""

    def __init__(self, url: str) -> None:
        from harness.compare import archbench_version

        self.tp = endpoint_provider(url, archbench_version())

    def __call__(self, episode: Episode, done: int, total: int) -> None:
        from harness.events import event_dict
        from harness.execution.plan import step_dict

        steps = [step_dict(s) for s in episode.steps]
        emit_episode(self.tp, episode.result, steps, [event_dict(e) for e in episode.events])

    def close(self) -> None:
        self.tp.shutdown()


def write_otel(run: RunSource, out: Path) -> list[Path]:
    """Write `run` as OTLP/JSON lines to the file `out`."""
    if out.is_dir():
        out = out / "otel.jsonl"
    text = otel_lines(run)  # a missing package says so before anything is made
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh(out).write_text(text, encoding="utf-8")
    return [out]
