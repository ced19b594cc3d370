"""The chat-completions body as bytes: the same JSON as encoding the whole body at once,
whatever the encoder remembers from earlier calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.backends import wire
from harness.backends.wire import JsonMemo, WireEncoder
from harness.messages import Message, ToolCall
from harness.tools import ANSWER, SEARCH

_wire_message = wire.wire_message  # the real one, even where a test counts its calls


def _sdk_dumps(body: dict[str, Any]) -> bytes:
    """What the `openai` SDK sends for a body given as a dict."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _conversation() -> list[Message]:
    call = ToolCall("call_0", "search", {"query": 'Zürich 北京 "quoted"'})
    return [
        Message("system", "You are a research agent."),
        Message("user", "Who founded Lorvale?"),
        Message("assistant", "", (call,)),
        Message("tool", "[doc-1] Lorvale | 2011 | founded by …", tool_call_id="call_0"),
        Message("assistant", "Lorvale was founded in 2011 [doc-1]."),
    ]


def _expected(messages: list[Message], settings: dict[str, Any]) -> bytes:
    body: dict[str, Any] = {
        "model": "m",
        "messages": [_wire_message(m) for m in messages],
        "tools": [wire.wire_tool(t) for t in (SEARCH, ANSWER)],
        **settings,
    }
    return _sdk_dumps(body)


def test_the_body_is_the_whole_body_encoded_at_once() -> None:
    settings = {"tool_choice": "auto", "temperature": 0.0, "max_tokens": 50, "seed": 7}
    messages = _conversation()
    got = WireEncoder().body("m", messages, (SEARCH, ANSWER), settings)
    assert got == _expected(messages, settings)
    decoded = json.loads(got)
    assert decoded["messages"][2]["content"] is None  # an assistant turn of tool calls only
    assert json.loads(decoded["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {
        "query": 'Zürich 北京 "quoted"'
    }
    assert "tools" not in json.loads(WireEncoder().body("m", messages, (), {}))


def test_a_growing_conversation_encodes_each_message_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded: list[str] = []

    def counting(m: Message) -> dict[str, Any]:
        encoded.append(m.content)
        return _wire_message(m)

    monkeypatch.setattr(wire, "wire_message", counting)
    encoder, messages = WireEncoder(), _conversation()
    for n in range(2, len(messages) + 1):  # one call per turn, as an agent loop makes them
        assert encoder.body("m", messages[:n], (SEARCH, ANSWER), {}) == _expected(messages[:n], {})
    assert len(encoded) == len(messages)
    # an equal message that is another object is encoded again, not mistaken for it
    twin = Message("system", "You are a research agent.")
    encoder.body("m", [twin], (), {})
    assert len(encoded) == len(messages) + 1


def test_a_full_memo_is_emptied_and_bodies_stay_the_same() -> None:
    encoder, messages = WireEncoder(limit=3), _conversation()
    for n in range(1, len(messages) + 1):
        assert encoder.body("m", messages[:n], (SEARCH,), {}) == _sdk_dumps(
            {
                "model": "m",
                "messages": [wire.wire_message(m) for m in messages[:n]],
                "tools": [wire.wire_tool(SEARCH)],
            }
        )
        assert len(encoder._messages) <= 3


def test_the_memo_is_bounded_by_the_json_it_holds() -> None:
    memo = JsonMemo(json.dumps, limit=1000, max_chars=100)
    for i in range(10):
        m = Message("tool", "x" * 30, tool_call_id=str(i))
        assert memo.encoded(m, _wire_message) == json.dumps(_wire_message(m))
        assert memo._chars <= 100 and len(memo) == 1  # one of ~70 characters fits, not two
