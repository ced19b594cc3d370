"""Between the chat-completions wire format and archbench's `ModelRequest`/`ModelResponse`.

The inverse of `harness.backends.wire` (what a real backend sends) and of
`harness.backends.reply` (what it reads back), so a request archbench sends arrives as the
`ModelRequest` it was made from: the same messages (a tool result's tool name, which the
wire drops, is recovered from the call it answers), the same tool schemas, the same tool
choice, temperature, output cap and seed. Anything that is not a well-formed request is a
`BadRequest`, which the server answers with HTTP 400 and the OpenAI error shape.
"""

from __future__ import annotations

from typing import Any

from harness.backends.wire import wire_tool_calls
from harness.messages import GenerateConfig, Message, ModelResponse, ToolCall, ToolSchema
from harness.tools import parse_arguments

_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


class BadRequest(ValueError):
    """A request the server refuses (HTTP 400); `param` names the field at fault."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def messages_from_wire(raw: Any) -> tuple[Message, ...]:
    if not isinstance(raw, list) or not raw:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    out: list[Message] = []
    call_names: dict[str, str] = {}
    for i, m in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise BadRequest(f"{where} must be an object", where)
        role = m.get("role")
        content = _content(m.get("content"), where)
        if role == "tool":
            call_id = m.get("tool_call_id")
            if not isinstance(call_id, str):
                raise BadRequest(f"{where}: a tool message needs a string tool_call_id", where)
            name = call_names.get(call_id) or _str_or_none(m.get("name"))
            out.append(Message("tool", content, tool_call_id=call_id, name=name))
            continue
        if role not in _ROLES:
            raise BadRequest(f"{where}: unknown role {role!r}", f"{where}.role")
        calls = _tool_calls(m.get("tool_calls"), where) if role == "assistant" else ()
        for c in calls:
            call_names[c.id] = c.name
        out.append(Message(_ROLES[role], content, calls))  # type: ignore[arg-type]
    return tuple(out)


def _content(raw: Any, where: str) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):  # content parts: only text is understood
        parts = []
        for p in raw:
            if (
                not isinstance(p, dict)
                or p.get("type") != "text"
                or not isinstance(p.get("text"), str)
            ):
                raise BadRequest(f"{where}: only text content parts are supported", where)
            parts.append(p["text"])
        return "".join(parts)
    raise BadRequest(f"{where}: content must be a string, a list of text parts or null", where)


def _str_or_none(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None


def _tool_calls(raw: Any, where: str) -> tuple[ToolCall, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadRequest(f"{where}: tool_calls must be a list", f"{where}.tool_calls")
    calls = []
    for j, c in enumerate(raw):
        fn = c.get("function") if isinstance(c, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise BadRequest(f"{where}.tool_calls[{j}] needs function.name", where)
        call_id = c.get("id") if isinstance(c.get("id"), str) else f"call_{j}"
        args = fn.get("arguments")
        if not isinstance(args, str | dict | None):
            raise BadRequest(f"{where}.tool_calls[{j}]: arguments must be a JSON string", where)
        calls.append(ToolCall(call_id, fn["name"], parse_arguments(args)))
    return tuple(calls)


def tools_from_wire(raw: Any) -> tuple[ToolSchema, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadRequest("'tools' must be a list", "tools")
    out = []
    for i, t in enumerate(raw):
        fn = t.get("function") if isinstance(t, dict) and t.get("type") == "function" else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise BadRequest(f"tools[{i}] must be {{'type': 'function', 'function': ...}}", "tools")
        params = fn.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(params, dict):
            raise BadRequest(f"tools[{i}]: parameters must be an object", "tools")
        description = fn.get("description", "")
        out.append(
            ToolSchema(fn["name"], description if isinstance(description, str) else "", params)
        )
    return tuple(out)


def config_from_wire(body: dict[str, Any], tools: tuple[ToolSchema, ...]) -> GenerateConfig:
    """Tool choice ("auto", "none", "required" or a named function: that tool's name),
    temperature and output cap, as archbench's `GenerateConfig`."""
    raw = body.get("tool_choice", "auto")
    if raw in ("auto", "none", "required"):
        choice = raw
    elif isinstance(raw, dict) and isinstance(raw.get("function"), dict):
        choice = raw["function"].get("name")
        if not isinstance(choice, str) or choice not in {t.name for t in tools}:
            raise BadRequest(f"tool_choice names a tool not offered: {choice!r}", "tool_choice")
    else:
        raise BadRequest("tool_choice must be auto, none, required or a function", "tool_choice")
    temperature = body.get("temperature", 0.0)
    if temperature is None:
        temperature = 0.0
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise BadRequest("temperature must be a number", "temperature")
    cap = body.get("max_completion_tokens", body.get("max_tokens"))
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        raise BadRequest("max_tokens must be a positive whole number", "max_tokens")
    return GenerateConfig(float(temperature), cap, choice)


def seed_from_wire(body: dict[str, Any]) -> int:
    seed = body.get("seed", 0)
    if seed is None:
        return 0
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise BadRequest("seed must be a whole number", "seed")
    return seed


def completion(
    response: ModelResponse, model: str, request_id: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """The chat-completions reply: the message, the finish reason and the usage (input,
    cached input, output and reasoning tokens as OpenAI reports them). `created` is 0 so
    that the same request gets the same bytes."""
    m, u = response.message, response.usage
    message: dict[str, Any] = {"role": "assistant", "content": m.content}
    if m.tool_calls:
        message["tool_calls"] = wire_tool_calls(m.tool_calls)
    return {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if m.tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": u.input_tokens,
            "completion_tokens": u.output_tokens,
            "total_tokens": u.input_tokens + u.output_tokens,
            "prompt_tokens_details": {"cached_tokens": u.cached_input_tokens},
            "completion_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        },
        "x_archbench": extra,
    }
