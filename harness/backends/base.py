"""What the cache, the recorder and the replayer share: a request's key, a response as
JSON, the interface of a real backend, and the counts a run reports.

The key is the sha256 of a canonical JSON of everything that decides a real model's answer
and nothing else: the model's identity (provider, model name, endpoint; never a key or a
transport option such as the timeout), the messages, the tool schemas, the generation
config and the seed. Not the `purpose` (a real model never sees it) and never the oracle.

    >>> from harness.messages import Message, ModelRequest
    >>> request = ModelRequest((Message("user", "hi"),))
    >>> len(request_key("vllm/qwen3@http://localhost:8000/v1", request))
    64
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, runtime_checkable

from harness.backends.wire import JsonMemo
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall, ToolSchema
from harness.usage import Usage

KEY_VERSION = 1


@runtime_checkable
class RealBackend(Protocol):
    """A backend whose answers cost money and time: the ones worth caching and recording."""

    id: str
    cache_identity: str
    """Provider, model and endpoint, without secrets or transport options."""

    async def generate(self, request: ModelRequest) -> ModelResponse: ...

    def reprice(self, usage: Usage) -> Usage:
        """`usage` with its cost computed from the current price table."""
        ...


@dataclass
class CallStats:
    """How a run's real-model calls were served; printed after a run, never saved in results."""

    network: int = 0  # calls answered by a provider
    retries: int = 0  # extra attempts after timeouts, 429s, 5xx and dropped connections
    failed: int = 0  # calls that failed for good (the episode ended as `error`)
    cached: int = 0  # answered from the on-disk cache
    recorded: int = 0  # responses written to recording.jsonl
    shared: int = 0  # answered by an identical request earlier in the same recorded run
    replayed: int = 0  # answered from a recording
    not_recorded: int = 0  # replay misses (the episode ended as `error`)
    invalid_usage: int = 0  # answers whose reported usage could not be true (counted locally)
    spent_usd: float | None = 0.0  # cost of the network calls; None once a price is unknown
    # model id -> the weakest tool choice it ran with after a server refused a stronger
    # one (it changes the design: see harness/backends/toolchoice.py)
    weaker_tool_choice: dict[str, str] = field(default_factory=dict)

    def weakened(self, model_id: str, choice: str) -> None:
        """Note that `model_id` answered with a weaker tool choice than asked for."""
        order = ("named", "required", "auto")
        old = self.weaker_tool_choice.get(model_id)
        if old is None or order.index(choice) > order.index(old):
            self.weaker_tool_choice[model_id] = choice

    def add_spend(self, cost: float | None) -> None:
        self.spent_usd = None if cost is None or self.spent_usd is None else self.spent_usd + cost

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "spent_usd")

    def describe(self) -> str:
        """One line, e.g. "model calls: 40 to the network (2 retries), 12 from the cache"."""
        parts = []
        if self.network or not (self.cached or self.replayed or self.not_recorded):
            retry = f" ({self.retries} retries)" if self.retries else ""
            parts.append(f"{self.network} to the network{retry}")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.cached:
            parts.append(f"{self.cached} from the cache")
        if self.recorded:
            parts.append(f"{self.recorded} recorded")
        if self.shared:
            parts.append(f"{self.shared} shared with an identical request")
        if self.replayed or self.not_recorded:
            parts.append(f"{self.replayed} replayed")
        if self.not_recorded:
            parts.append(f"{self.not_recorded} not in the recording")
        if self.invalid_usage:
            parts.append(f"{self.invalid_usage} with invalid usage (counted locally)")
        spent = "unknown" if self.spent_usd is None else f"${self.spent_usd:.4f}"
        line = f"model calls: {', '.join(parts)}; spent now: {spent}"
        if self.weaker_tool_choice:
            ran = ", ".join(f"{m} ({c})" for m, c in sorted(self.weaker_tool_choice.items()))
            line += f"; ran with a weaker tool choice (the server refused the design's): {ran}"
        return line


def step_of(request: ModelRequest) -> int:
    """The request's position in its conversation: how many answers the model gave so far."""
    return sum(1 for m in request.messages if m.role == "assistant")


def message_json(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls
        ]
    if m.tool_call_id is not None:
        out["tool_call_id"] = m.tool_call_id
    if m.name is not None:
        out["name"] = m.name
    return out


def message_from_json(d: dict[str, Any]) -> Message:
    calls = tuple(
        ToolCall(c["id"], c["name"], dict(c["arguments"])) for c in d.get("tool_calls", [])
    )
    return Message(d["role"], d["content"], calls, d.get("tool_call_id"), d.get("name"))


def request_json(request: ModelRequest) -> dict[str, Any]:
    """The request as a real model receives it: no purpose, no oracle."""
    c = request.config
    return {
        "messages": [message_json(m) for m in request.messages],
        "tools": [_tool_json(t) for t in request.tools],
        "config": {
            "temperature": c.temperature,
            "max_output_tokens": c.max_output_tokens,
            "tool_choice": c.tool_choice,
        },
        "seed": request.seed,
    }


def _tool_json(t: ToolSchema) -> dict[str, Any]:
    return {"name": t.name, "description": t.description, "parameters": t.parameters}


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_key(identity: str, request: ModelRequest) -> str:
    payload = {"v": KEY_VERSION, "model": identity, **request_json(request)}
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()


class RequestKeys:
    """`request_key`, the same keys, with each message's and tool's canonical JSON made
    once: every call of an episode repeats the conversation so far, and keying it all
    again was a tenth of a cached real call's CPU. The text hashed is `canonical(payload)`
    exactly (top-level keys in sorted order: config, messages, model, seed, tools, v), so
    caches and recordings keep their keys."""

    def __init__(self, limit: int = 4096) -> None:
        self._messages = JsonMemo(canonical, limit)
        self._tools = JsonMemo(canonical, limit)

    def __call__(self, identity: str, request: ModelRequest) -> str:
        c = request.config
        config = {
            "temperature": c.temperature,
            "max_output_tokens": c.max_output_tokens,
            "tool_choice": c.tool_choice,
        }
        messages = ",".join([self._messages.encoded(m, message_json) for m in request.messages])
        tools = ",".join([self._tools.encoded(t, _tool_json) for t in request.tools])
        text = (
            f'{{"config":{canonical(config)},"messages":[{messages}],'
            f'"model":{canonical(identity)},"seed":{canonical(request.seed)},'
            f'"tools":[{tools}],"v":{canonical(KEY_VERSION)}}}'
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def response_json(r: ModelResponse) -> dict[str, Any]:
    return {
        "message": message_json(r.message),
        "usage": r.usage.as_dict(),
        "latency_s": r.latency_s,
        "model": r.model,
        **({"weaker_tool_choice": r.weaker_tool_choice} if r.weaker_tool_choice else {}),
    }


def response_from_json(d: dict[str, Any]) -> ModelResponse:
    return ModelResponse(
        message_from_json(d["message"]),
        Usage(**d["usage"]),
        d["latency_s"],
        d["model"],
        d.get("weaker_tool_choice"),
    )
