"""The chat-completions request body as it goes on the wire, each message encoded once.

Every call of an agent loop sends the whole conversation so far: the tenth call of an
episode re-sends the nine answers and tool results before it, and every call re-sends the
tool schemas. Encoding all of that again on every call was the largest piece of CPU per
call archbench itself spent on a real backend. `WireEncoder` remembers the JSON of each
message and tool schema it encoded, by identity, so a call encodes only what is new and a
few settings. The bytes are what `json.dumps` gives for the whole body with the `openai`
SDK's settings (no ASCII escaping, no spaces, no NaN).

Calls go out through the SDK's public `create`, which takes the body as Python objects and
encodes it itself: `WireEncoder.fields` gives those, each message's and tool schema's dict
made once (the SDK copies what it sends, never changes them). `body` (the same request as
bytes) is what the cache, the recording and the tests compare against.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from harness.messages import Message, ToolCall, ToolSchema

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

T = TypeVar("T")


class JsonMemo:
    """The JSON of objects that never change (frozen dataclasses: messages, tool schemas),
    by identity, up to `limit` of them and `max_chars` of JSON.

    An entry holds its object, so the object's id cannot be reused by another while the
    entry lives; when the memo is full it is emptied (what is still in use is encoded
    again on its next call), which bounds its memory without bookkeeping per call. The
    bounds hold the live conversations of a few hundred episodes in flight."""

    def __init__(
        self, dumps: Callable[[Any], str], limit: int = 4096, max_chars: int = 4_000_000
    ) -> None:
        self.dumps = dumps
        self.limit = limit
        self.max_chars = max_chars
        self._memo: dict[int, tuple[object, str]] = {}
        self._chars = 0

    def encoded(self, obj: T, as_json: Callable[[T], Any]) -> str:
        """`dumps(as_json(obj))`, made once per object (one memo per `as_json`)."""
        hit = self._memo.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        text = self.dumps(as_json(obj))
        if len(self._memo) >= self.limit or self._chars + len(text) > self.max_chars:
            self._memo.clear()
            self._chars = 0
        self._memo[id(obj)] = (obj, text)
        self._chars += len(text)
        return text

    def __len__(self) -> int:
        return len(self._memo)


class DictMemo:
    """The wire dicts of objects that never change, by identity, up to `limit` of them:
    `JsonMemo`'s scheme (an entry holds its object; full, it is emptied) for objects."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._memo: dict[int, tuple[object, dict[str, Any]]] = {}

    def made(self, obj: T, as_json: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
        hit = self._memo.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self._memo) >= self.limit:
            self._memo.clear()
        made = self._memo[id(obj)] = (obj, as_json(obj))
        return made[1]


class WireEncoder:
    """Encodes request bodies, remembering the JSON of the messages and tool schemas."""

    def __init__(self, limit: int = 4096, null_content: bool = True) -> None:
        # null_content=False: an assistant message with tool calls and no text says
        # "content": "" (llama-cpp-python's server refuses null, which OpenAI documents)
        self._as_json = wire_message if null_content else _wire_message_text
        self._messages = JsonMemo(_dumps, limit)
        self._tools = JsonMemo(_dumps, limit)
        self._message_dicts = DictMemo(limit)
        self._tool_dicts = DictMemo(limit)

    def fields(
        self,
        model: str,
        messages: Sequence[Message],
        tools: Sequence[ToolSchema],
        settings: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The keyword arguments of the SDK's `chat.completions.create` for this request:
        the same request as `body`, as objects (no "tools" when there are none)."""
        out: dict[str, Any] = {
            "model": model,
            "messages": [self._message_dicts.made(m, self._as_json) for m in messages],
        }
        if tools:
            out["tools"] = [self._tool_dicts.made(t, wire_tool) for t in tools]
        out.update(settings)
        return out

    def body(
        self,
        model: str,
        messages: Sequence[Message],
        tools: Sequence[ToolSchema],
        settings: Mapping[str, Any],
    ) -> bytes:
        """`{"model": ..., "messages": [...], "tools": [...], **settings}` as UTF-8 JSON
        (no "tools" when there are none)."""
        parts = ['{"model":', _dumps(model), ',"messages":[']
        parts.append(",".join([self._messages.encoded(m, self._as_json) for m in messages]))
        parts.append("]")
        if tools:
            parts.append(',"tools":[')
            parts.append(",".join([self._tools.encoded(t, wire_tool) for t in tools]))
            parts.append("]")
        for name, value in settings.items():
            parts.extend((",", _dumps(name), ":", _dumps(value)))
        parts.append("}")
        return "".join(parts).encode("utf-8")

    def __len__(self) -> int:
        return len(self._messages) + len(self._tools)


def wire_message(m: Message) -> dict[str, Any]:
    if m.role == "tool":
        return {"role": "tool", "tool_call_id": m.tool_call_id or "", "content": m.content}
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["content"] = m.content or None
        out["tool_calls"] = wire_tool_calls(m.tool_calls)
    return out


def wire_tool_calls(calls: Sequence[ToolCall]) -> list[dict[str, Any]]:
    """Tool calls as chat completions carries them, on requests and (archbench serve)
    on replies: the arguments as a JSON string."""
    return [
        {
            "id": c.id,
            "type": "function",
            "function": {"name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False)},
        }
        for c in calls
    ]


def _wire_message_text(m: Message) -> dict[str, Any]:
    out = wire_message(m)
    if out.get("content", "") is None:
        out["content"] = ""
    return out


def wire_tool(t: ToolSchema) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
    }
