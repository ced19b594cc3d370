"""Export episodes as OpenTelemetry traces, following the GenAI semantic conventions.

Why: trace back-ends (Jaeger, Tempo, Honeycomb, Langfuse, Phoenix...) already show GenAI
spans; an archbench run sent there sits next to production agent traces and is read with
the same tools. One trace per episode:

    invoke_agent <architecture>          the episode (outcome, scores, totals)
      invoke_agent <node>                a visit to a node on one branch
        chat <model>                     one model call (tokens, cost)
        execute_tool <tool>              each of its tool calls, after it

Times are the simulated clock on `clock.EPOCH` and trace and span ids are derived from
the episode's key, so the same run exports the same spans, whether to a file (OTLP JSON
lines, `otlp_json`) or to a collector (`--otel-endpoint`, live after each episode too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.export.clock import at_ns
from harness.export.optional import need
from harness.redact import redact
from harness.trace import EpisodeResult

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

SCOPE = "archbench"


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).digest()


class EpisodeIds:
    """Trace and span ids that depend only on the episode and the span's place in it
    (the SDK's are random): call `begin(key)` before each episode's spans are made.
    An `IdGenerator` by duck typing, so this module imports without the SDK."""

    def __init__(self) -> None:
        self._key = b""
        self._n = 0

    def begin(self, *key: object) -> None:
        self._key, self._n = _digest(*key), 0

    def is_trace_id_random(self) -> bool:
        return False  # derived from the episode: no sampler may treat it as random

    def generate_trace_id(self) -> int:
        return int.from_bytes(_digest(self._key, "trace")[:16]) or 1

    def generate_span_id(self) -> int:
        self._n += 1
        return int.from_bytes(_digest(self._key, self._n)[:8]) or 1


def provider(exporter: SpanExporter, version: str, *, batch: bool = False) -> TracerProvider:
    """A tracer provider that sends every finished span to `exporter`, with archbench's
    resource and deterministic ids (`batch`: through a batch processor, for a network
    exporter during a run)."""
    need("opentelemetry.sdk", "otel", "OpenTelemetry export")
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource({"service.name": "archbench", "service.version": version})
    tp = TracerProvider(resource=resource, id_generator=EpisodeIds())  # type: ignore[arg-type]
    tp.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    return tp


def emit_episode(
    tp: TracerProvider,
    r: EpisodeResult,
    steps: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]] = (),
) -> None:
    """The spans of one episode (`steps` and `events` as traces.jsonl holds them)."""
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode

    ids = tp.id_generator
    assert isinstance(ids, EpisodeIds)
    ids.begin(r.architecture, r.task_id, r.seed, r.world)
    tracer = tp.get_tracer(SCOPE, str(tp.resource.attributes.get("service.version", "")))
    end = max([r.latency_s, *(_f(s, "start_s") + _f(s, "latency_s") for s in steps)])
    root = tracer.start_span(
        f"invoke_agent {r.architecture}",
        kind=SpanKind.INTERNAL,
        attributes=_episode_attributes(r),
        start_time=at_ns(0),
    )
    for e in events:
        root.add_event(
            str(e.get("kind")),
            {f"archbench.{k}": str(e.get(k, "")) for k in ("node", "branch", "detail")},
            timestamp=at_ns(_f(e, "clock_s")),
        )
    if r.outcome == "error":
        root.set_status(Status(StatusCode.ERROR, r.error or "error"))
    root_ctx = trace.set_span_in_context(root)
    for node, branch, group in visits(steps):
        start = min(_f(s, "start_s") for s in group)
        node_span = tracer.start_span(
            f"invoke_agent {node}",
            context=root_ctx,
            attributes={
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": node,
                "archbench.node": node,
                "archbench.branch": branch,
                "archbench.steps": len(group),
            },
            start_time=at_ns(start),
        )
        ctx = trace.set_span_in_context(node_span)
        for s in group:
            _step_spans(tracer, ctx, s)
        node_span.end(at_ns(max(_f(s, "start_s") + _f(s, "latency_s") for s in group)))
    root.end(at_ns(end))


def visits(
    steps: Sequence[dict[str, Any]],
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Steps grouped into node visits: consecutive steps of one branch at one node (a
    branch that leaves a node and comes back makes a second visit; parallel branches
    interleave in the trace and are told apart by branch)."""
    out: list[tuple[str, str, list[dict[str, Any]]]] = []
    current: dict[str, int] = {}  # branch -> its open visit in `out`
    for s in steps:
        node, branch = str(s.get("node", "")), str(s.get("branch", "main"))
        i = current.get(branch)
        if i is None or out[i][0] != node:
            current[branch] = len(out)
            out.append((node, branch, []))
        out[current[branch]][2].append(s)
    return out


def _step_spans(tracer: Tracer, ctx: Any, s: dict[str, Any]) -> None:
    """A model call's chat span, then one execute_tool span per tool call (the step's
    latency is the model's and then its tools', one after another)."""
    from opentelemetry.trace import SpanKind, Status, StatusCode

    tools = s.get("tools") or []
    start = _f(s, "start_s")
    model_end = start + max(0.0, _f(s, "latency_s") - sum(_f(t, "latency_s") for t in tools))
    model = redact(str(s.get("model", "")))
    i = s.get("index", 0)
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": model.split("/", 1)[0] if "/" in model else model,
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        "gen_ai.usage.input_tokens": int(s.get("input_tokens") or 0),
        "gen_ai.usage.output_tokens": int(s.get("output_tokens") or 0),
        "archbench.usage.cached_input_tokens": int(s.get("cached_input_tokens") or 0),
        "archbench.usage.reasoning_tokens": int(s.get("reasoning_tokens") or 0),
        "archbench.step.index": i,
        "archbench.node": str(s.get("node", "")),
        "archbench.branch": str(s.get("branch", "main")),
        "archbench.role": str(s.get("role", "")),
        "archbench.purpose": str(s.get("purpose", "")),
        "archbench.category": str(s.get("category", "")),
    }
    if s.get("cost_usd") is not None:
        attrs["archbench.cost_usd"] = float(s["cost_usd"])
    chat: Span = tracer.start_span(
        f"chat {model}",
        context=ctx,
        kind=SpanKind.CLIENT,
        attributes=attrs,
        start_time=at_ns(start),
    )
    chat.end(at_ns(model_end))
    at = model_end
    for j, t in enumerate(tools):
        name = str(t.get("name", ""))
        span = tracer.start_span(
            f"execute_tool {name}",
            context=ctx,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": name,
                "gen_ai.tool.type": "function",
                "gen_ai.tool.call.id": f"call-{i}-{j}",
                "gen_ai.tool.call.arguments": json.dumps(
                    t.get("arguments") or {}, ensure_ascii=False, sort_keys=True
                ),
                "archbench.step.index": i,
            },
            start_time=at_ns(at),
        )
        if t.get("error"):
            span.set_attribute("error.type", "tool_error")
            span.set_status(Status(StatusCode.ERROR))
        at += _f(t, "latency_s")
        span.end(at_ns(at))


def _episode_attributes(r: EpisodeResult) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": r.architecture,
        "gen_ai.usage.input_tokens": r.totals.input_tokens,
        "gen_ai.usage.output_tokens": r.totals.output_tokens,
        "archbench.architecture": r.architecture,
        "archbench.task_id": r.task_id,
        "archbench.family": r.family,
        "archbench.seed": r.seed,
        "archbench.world": r.world,
        "archbench.outcome": r.outcome,
        "archbench.correct": r.correct,
        "archbench.supported": r.supported,
        "archbench.latency_s": r.latency_s,
        "archbench.steps": r.totals.steps,
        "archbench.tool_calls": r.totals.tool_calls,
        "archbench.tool_errors": r.tool_errors,
    }
    if r.totals.cost_usd is not None:
        attrs["archbench.cost_usd"] = r.totals.cost_usd
    return attrs


def _f(d: dict[str, Any], key: str) -> float:
    value = d.get(key)
    return float(value) if isinstance(value, int | float) else 0.0
