"""Reading a chat-completions reply: the one place a server's answer enters archbench.

A reply is decoded JSON from a server archbench does not control, so nothing in it is
trusted: every string (the text, tool names, tool-call ids, tool arguments) is cleaned of
lone surrogates and scrubbed of the request's API key (`sanitize.py`); tool arguments that
are not a JSON object archbench can carry become a tool error the model sees; usage that
cannot be true is replaced by archbench's own count. What comes out can be cached,
recorded, re-sent, written and reported without a crash and without the key.

Usage. Fields that are absent or null count 0 (a server that sends no `usage` at all is
counted locally, as before). A field that is present but not a whole number ≥ 0 (negative, a
fraction, a string, NaN) is invalid: the input or output count is then archbench's own
estimate (`harness.tokens`, as for a server that reports none), a cached or reasoning count
0, and cached tokens above the input are cut to the input. The call is marked (`Read.
invalid_usage` names the fields; the run counts such calls and logs them), never failed:
the answer is good, and a cost computed from these counts can never be negative, so
`--max-cost` keeps working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from harness.backends.sanitize import Scrubber, Unfit, clean_json, clean_text
from harness.errors import BackendError
from harness.messages import Message, ModelRequest, ToolCall
from harness.tools import MALFORMED
from harness.usage import Usage


@dataclass(frozen=True, slots=True)
class Read:
    message: Message
    usage: Usage  # without a cost: the backend prices it
    invalid_usage: tuple[str, ...] = ()  # the usage fields that could not be true


def read_reply(
    completion: Any, request: ModelRequest, step: int, scrub: Scrubber, model_id: str
) -> Read:
    """The reply's message and usage from the decoded JSON body (a dict; anything else has
    no choices). `step` numbers the tool calls that come without an id."""
    try:
        message = completion["choices"][0]["message"]
        if not isinstance(message, dict):
            raise TypeError
    except (KeyError, IndexError, TypeError):
        raise BackendError(f"{model_id}: the response has no choices") from None
    calls = []
    for i, tc in enumerate(message.get("tool_calls") or ()):
        tc = tc if isinstance(tc, dict) else {}
        fn = tc.get("function")
        raw_id = tc.get("id")
        call_id = _text(raw_id, scrub) if isinstance(raw_id, str) and raw_id else ""
        call_id = call_id or f"call_{step}_{i}"
        if not isinstance(fn, dict):
            calls.append(ToolCall(call_id, "?", {MALFORMED: "unsupported kind of tool call"}))
            continue
        name = fn.get("name")
        name = _text(name, scrub) if isinstance(name, str) and name else "?"
        calls.append(ToolCall(call_id, name, tool_arguments(fn.get("arguments"), scrub)))
    reply = Message("assistant", _content(message.get("content"), scrub), tuple(calls))
    usage, invalid = read_usage(completion.get("usage"), request, reply)
    return Read(reply, usage, invalid)


def _text(text: str, scrub: Scrubber) -> str:
    return scrub(clean_text(text))


def _content(content: Any, scrub: Scrubber) -> str:
    """The text of a reply: a string, or the text parts of a list of parts (some servers
    send `[{"type": "text", "text": ...}]`); anything else is no text."""
    if isinstance(content, str):
        return _text(content, scrub)
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict)]
        return _text("".join(t for t in texts if isinstance(t, str)), scrub)
    return ""


def tool_arguments(raw: Any, scrub: Scrubber) -> dict[str, Any]:
    """A tool call's arguments as a JSON object, cleaned and scrubbed. Never raises:
    arguments that are not one come back as `{MALFORMED: reason}`, which the toolset
    reports to the model as that call's error."""
    if raw is None or isinstance(raw, str):
        try:
            value = json.loads(raw or "{}")
        except json.JSONDecodeError as exc:
            return {MALFORMED: f"tool arguments are not valid JSON ({exc.msg})"}
        except (ValueError, RecursionError):  # a number of thousands of digits; deep nesting
            return {MALFORMED: "tool arguments are not JSON archbench can read"}
    else:
        value = raw
    if not isinstance(value, dict):
        return {MALFORMED: "tool arguments must be a JSON object"}
    try:
        cleaned: dict[str, Any] = clean_json(value, scrub)
    except Unfit as exc:
        return {MALFORMED: str(exc)}
    return cleaned


def count(value: Any) -> int | None:
    """A token count as a server should send it, a whole number ≥ 0 (`12.0` included);
    None for anything else."""
    if type(value) is int:
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


_ABSENT: Any = object()


def _sub(obj: Any, name: str) -> Any:
    return obj.get(name, _ABSENT) if isinstance(obj, dict) else _ABSENT


def reported_tokens(completion: Any) -> int | None:
    """Prompt plus completion tokens as reported, if both are valid (for rate limits)."""
    u = _sub(completion, "usage")
    prompt, output = count(_sub(u, "prompt_tokens")), count(_sub(u, "completion_tokens"))
    return None if prompt is None or output is None else prompt + output


def read_usage(u: Any, request: ModelRequest, reply: Message) -> tuple[Usage, tuple[str, ...]]:
    """The usage of a reply and the names of its invalid fields (see the module's doc)."""
    if u is None or not isinstance(u, dict):  # some local servers report none: count it
        usage = Usage(requests=1, input_tokens=request.input_tokens, output_tokens=reply.tokens)
        return usage, () if u is None else ("usage",)
    invalid: list[str] = []
    input_tokens = _count(u.get("prompt_tokens", _ABSENT), "prompt_tokens", invalid)
    output_tokens = _count(u.get("completion_tokens", _ABSENT), "completion_tokens", invalid)
    if input_tokens is None:
        input_tokens = request.input_tokens
    if output_tokens is None:
        output_tokens = reply.tokens
    name, raw = (
        "prompt_tokens_details.cached_tokens",
        _sub(u.get("prompt_tokens_details"), "cached_tokens"),
    )
    if raw is _ABSENT:  # DeepSeek reports its own field
        name, raw = "prompt_cache_hit_tokens", u.get("prompt_cache_hit_tokens", _ABSENT)
    cached = _count(raw, name, invalid) or 0
    if cached > input_tokens:
        invalid.append("cached tokens above prompt_tokens")
        cached = input_tokens
    raw = _sub(u.get("completion_tokens_details"), "reasoning_tokens")
    reasoning = _count(raw, "completion_tokens_details.reasoning_tokens", invalid) or 0
    usage = Usage(
        requests=1,
        input_tokens=input_tokens,
        cached_input_tokens=cached,
        output_tokens=output_tokens,
        reasoning_tokens=reasoning,
    )
    return usage, tuple(invalid)


def _count(raw: Any, name: str, invalid: list[str]) -> int | None:
    """A present field's valid count; 0 for an absent or null one; None (and `name` noted
    in `invalid`) for one that cannot be true."""
    if type(raw) is int and raw >= 0:
        return raw
    if raw is _ABSENT or raw is None:
        return 0
    n = count(raw)
    if n is None:
        invalid.append(name)
    return n


def valid_usage(usage: Usage) -> Usage:
    """`usage` with every count ≥ 0 and cached tokens at most the input: what a cost is
    computed from, so that even an answer cached before these checks prices at ≥ $0."""
    inp = max(0, usage.input_tokens)
    fixed = (
        inp,
        min(max(0, usage.cached_input_tokens), inp),
        max(0, usage.output_tokens),
        max(0, usage.reasoning_tokens),
    )
    current = (
        usage.input_tokens,
        usage.cached_input_tokens,
        usage.output_tokens,
        usage.reasoning_tokens,
    )
    if fixed == current:
        return usage
    return Usage(
        requests=usage.requests,
        tool_calls=usage.tool_calls,
        input_tokens=fixed[0],
        cached_input_tokens=fixed[1],
        output_tokens=fixed[2],
        reasoning_tokens=fixed[3],
        cost_usd=usage.cost_usd,
    )
