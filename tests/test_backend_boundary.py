"""The boundary where a server's reply enters archbench, piece by piece and without a
server: text cleaning, key scrubbing, tool arguments, usage checks, and the names of
network failures. test_hostile_models.py runs the same through whole episodes."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from harness.backends.neterrors import chain, describe, where
from harness.backends.openai_compat import create_backend
from harness.backends.reply import count, read_reply, read_usage, tool_arguments, valid_usage
from harness.backends.sanitize import REDACTED, Scrubber, clean_text, safe_text
from harness.errors import BackendError
from harness.messages import Message, ModelRequest
from harness.registry import parse_model_id
from harness.tools import MALFORMED
from harness.usage import Price, Usage

KEY = "sk-BOUNDARY-0123456789abcdef"
NO_KEY = Scrubber(None)
REQUEST = ModelRequest((Message("system", "s"), Message("user", "Where is Zentrix Corp?")))

# --- text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain ascii", "plain ascii"),
        ("Zürich — 北京 😀 \U0010ffff", "Zürich — 北京 😀 \U0010ffff"),  # kept as it came
        ("nul\x00 bel\x07 esc\x1b del\x7f", "nul\x00 bel\x07 esc\x1b del\x7f"),
        ("a\ud800b", "a\ufffdb"),  # a lone high surrogate
        ("a\udfffb", "a\ufffdb"),  # a lone low surrogate
        ("\udfff\ud800", "\ufffd\ufffd"),  # two halves in the wrong order
        ("\ud83d\ude00", "😀"),  # a pair split into two code points: joined
        ("é\ud800", "é\ufffd"),
    ],
)
def test_clean_text_keeps_every_character_utf8_can_carry(raw: str, clean: str) -> None:
    out = clean_text(raw)
    assert out == clean
    out.encode("utf-8")  # never raises
    json.dumps(out, ensure_ascii=False).encode("utf-8")


def test_scrubbing_removes_the_key_and_any_long_start_of_it() -> None:
    scrub = Scrubber(KEY)
    assert scrub(f"a {KEY} b {KEY}") == f"a {REDACTED} b {REDACTED}"
    assert scrub(f"cut: {KEY[:8]}") == f"cut: {REDACTED}"  # 8 characters: scrubbed
    assert scrub(f"cut: {KEY[:7]}") == f"cut: {KEY[:7]}"  # 7: ordinary text
    assert scrub(f"{KEY[:12]}...{KEY[:20]}x") == f"{REDACTED}...{REDACTED}x"
    assert scrub(f"{KEY}{KEY[:9]}") == f"{REDACTED}{REDACTED}"
    assert scrub("nothing here") == "nothing here"
    assert Scrubber("abc")("abc") == "abc"  # too short to be a key
    assert Scrubber("abcdef")("xabcdefx abcde") == f"x{REDACTED}x abcde"  # whole only


@pytest.mark.parametrize("at", range(180, 205))
def test_a_cut_never_keeps_part_of_a_key(at: int) -> None:
    text = "e" * at + KEY + " tail"
    for limit in (190, 200, 210):
        out = safe_text(text, Scrubber(KEY), limit)
        assert len(out) <= limit and KEY[:8] not in out and KEY[:4] not in out


# --- tool arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"query": "unterminated', "tool arguments are not valid JSON ("),
        ("[1, 2]", "tool arguments must be a JSON object"),
        (7, "tool arguments must be a JSON object"),
        ('{"n": NaN}', "NaN or an infinity"),
        ('{"n": 1e999}', "NaN or an infinity"),
        ('{"n": ' + "9" * 5000 + "}", "not JSON archbench can read"),
        ('{"a": ' + "[" * 100 + "]" * 100 + "}", "nested more than 64 deep"),
        ("[" * 100_000, "not JSON archbench can read"),
    ],
)
def test_arguments_archbench_cannot_carry_are_a_tool_error(raw: Any, reason: str) -> None:
    args = tool_arguments(raw, NO_KEY)
    assert list(args) == [MALFORMED] and reason in args[MALFORMED]


def test_arguments_are_cleaned_and_scrubbed_keys_and_values() -> None:
    raw = json.dumps({"q\ud800": [f"x {KEY}", {"deep": "\udfff"}], "n": 3, "f": 1.5, "b": None})
    assert tool_arguments(raw, Scrubber(KEY)) == {
        "q\ufffd": [f"x {REDACTED}", {"deep": "\ufffd"}],
        "n": 3,
        "f": 1.5,
        "b": None,
    }
    assert tool_arguments({"text": "a\ud800"}, NO_KEY) == {"text": "a\ufffd"}
    assert tool_arguments(None, NO_KEY) == {} and tool_arguments("", NO_KEY) == {}


# --- the reply --------------------------------------------------------------------------


def _completion(message: dict[str, Any], usage: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"choices": [{"message": message}]}
    if usage is not None:
        out["usage"] = usage
    return out


def test_every_string_of_a_reply_is_cleaned_and_scrubbed() -> None:
    message = {
        "content": f"hi \ud800 {KEY}",
        "tool_calls": [
            {
                "id": "c\udc00",
                "function": {"name": "sea\ud800rch", "arguments": '{"q": "\\ud800"}'},
            },
            {"id": 5, "function": {"name": 7, "arguments": "{}"}},
            {"id": "", "function": "not a function"},
        ],
    }
    read = read_reply(_completion(message), REQUEST, 3, Scrubber(KEY), "m")
    assert read.message.content == f"hi \ufffd {REDACTED}"
    a, b, c = read.message.tool_calls
    assert (a.id, a.name, a.arguments) == ("c\ufffd", "sea\ufffdrch", {"q": "\ufffd"})
    assert (b.id, b.name) == ("call_3_1", "?")  # not strings: numbered, unnamed
    assert c.id == "call_3_2" and MALFORMED in c.arguments


def test_text_in_parts_is_joined_and_anything_else_is_no_text() -> None:
    parts = [{"type": "text", "text": "a"}, {"type": "image"}, "x", {"text": "b\ud800"}]
    assert read_reply(_completion({"content": parts}), REQUEST, 0, NO_KEY, "m").message.content == (
        "ab\ufffd"
    )
    assert read_reply(_completion({"content": 12}), REQUEST, 0, NO_KEY, "m").message.content == ""


@pytest.mark.parametrize("completion", [None, [], "text", {"choices": []}, {"choices": [1]}])
def test_a_reply_without_choices_is_a_backend_error(completion: Any) -> None:
    with pytest.raises(BackendError, match="^m: the response has no choices$"):
        read_reply(completion, REQUEST, 0, NO_KEY, "m")


# --- usage ------------------------------------------------------------------------------


def test_a_count_is_a_whole_number_at_least_zero() -> None:
    assert [count(v) for v in (0, 12, 12.0, 10**12)] == [0, 12, 12, 10**12]
    for bad in (-1, 2.5, -3.0, float("nan"), float("inf"), True, "12", None, [1]):
        assert count(bad) is None, bad


REPLY = Message("assistant", "Final answer: Lorvale.")


@pytest.mark.parametrize(
    ("usage", "expect", "invalid"),
    [
        ({"prompt_tokens": 100, "completion_tokens": 20}, (100, 0, 20, 0), ()),
        ({"prompt_tokens": 100.0, "completion_tokens": 20}, (100, 0, 20, 0), ()),
        ({}, (0, 0, 0, 0), ()),  # absent fields count 0, as before
        (  # and so do null ones, which local servers send
            {"prompt_tokens": 5, "prompt_tokens_details": None, "completion_tokens_details": None},
            (5, 0, 0, 0),
            (),
        ),
        ({"prompt_tokens": 5, "prompt_tokens_details": {"cached_tokens": None}}, (5, 0, 0, 0), ()),
        (
            {"prompt_tokens": -5, "completion_tokens": "20"},
            ("local", 0, "local", 0),
            ("prompt_tokens", "completion_tokens"),
        ),
        (
            {"prompt_tokens": 10, "prompt_tokens_details": {"cached_tokens": 50}},
            (10, 10, 0, 0),
            ("cached tokens above prompt_tokens",),
        ),
        (
            {"prompt_tokens": 10, "prompt_cache_hit_tokens": -1},
            (10, 0, 0, 0),
            ("prompt_cache_hit_tokens",),
        ),
        (
            {"completion_tokens": 9, "completion_tokens_details": {"reasoning_tokens": 2.5}},
            (0, 0, 9, 0),
            ("completion_tokens_details.reasoning_tokens",),
        ),
        ("lots", ("local", 0, "local", 0), ("usage",)),
    ],
)
def test_usage_that_cannot_be_true_is_counted_locally_and_named(
    usage: Any, expect: tuple[Any, ...], invalid: tuple[str, ...]
) -> None:
    got, bad = read_usage(usage, REQUEST, REPLY)
    local = (REQUEST.input_tokens, None, REPLY.tokens, None)
    want = tuple(local[i] if e == "local" else e for i, e in enumerate(expect))
    counts = (got.input_tokens, got.cached_input_tokens, got.output_tokens, got.reasoning_tokens)
    assert counts == want and bad == invalid and got.requests == 1


def test_a_cost_is_never_negative_even_from_an_old_cached_answer() -> None:
    backend = create_backend(parse_model_id("vllm/m"))
    backend.price = Price(1.0, 0.5, 2.0)
    old = Usage(requests=1, input_tokens=-1000, cached_input_tokens=50, output_tokens=-7)
    priced = backend.reprice(old)
    assert priced.cost_usd == 0 and (priced.input_tokens, priced.output_tokens) == (0, 0)
    assert priced.cached_input_tokens == 0
    fine = Usage(requests=1, input_tokens=10, cached_input_tokens=4, output_tokens=3)
    assert valid_usage(fine) is fine
    assert backend.reprice(fine).cost_usd == pytest.approx((6 * 1 + 4 * 0.5 + 3 * 2) / 1e6)


# --- network failures -------------------------------------------------------------------


def _raised(*layers: BaseException) -> BaseException:
    """`layers[0]` raised from `layers[1]` raised from ... (innermost last)."""
    for outer, inner in zip(layers, layers[1:], strict=False):
        outer.__cause__ = inner
    return layers[0]


class ServerDisconnectedError(Exception):  # named as aiohttp's
    pass


class ConnectTimeout(Exception):  # named as httpx's
    pass


URL = "http://127.0.0.1:8000/v1"


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (_raised(ConnectTimeout(), ConnectionRefusedError(111, "x")), "connection refused by"),
        (_raised(RuntimeError(), ConnectionResetError(104, "x")), "connection reset by"),
        (_raised(RuntimeError(), BrokenPipeError(32, "x")), "connection reset by"),
        (_raised(ConnectTimeout(), ServerDisconnectedError()), "connection closed by"),
        (_raised(RuntimeError(), ConnectTimeout()), "timed out after 5s"),
        (_raised(RuntimeError(), TimeoutError()), "timed out after 5s"),
        (_raised(RuntimeError(), OSError(101, "Network is unreachable")), "failed (Network is"),
        (RuntimeError("?"), "connection to 127.0.0.1:8000 failed (RuntimeError)"),
    ],
)
def test_a_network_failure_is_named_from_the_root_of_its_chain(
    exc: BaseException, reason: str
) -> None:
    assert reason in describe(exc, URL, 5.0)


def test_a_dns_failure_names_the_host_and_the_resolvers_words() -> None:
    exc = _raised(RuntimeError(), OSError(), socket.gaierror(socket.EAI_NONAME, "Name unknown"))
    assert describe(exc, "https://api.example.org/v1", 60) == (
        "DNS lookup failed for api.example.org (Name unknown)"
    )


def test_hidden_context_is_followed_and_cycles_end() -> None:
    inner = ConnectionResetError(104, "reset")
    outer = RuntimeError("read error")
    outer.__context__ = inner
    outer.__suppress_context__ = True  # as httpcore raises it
    assert describe(outer, URL, 1) == "connection reset by 127.0.0.1:8000"
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__cause__, b.__cause__ = b, a
    assert len(chain(a)) == 2


def test_where_makes_the_port_explicit() -> None:
    assert where("https://api.deepseek.com") == ("api.deepseek.com", "api.deepseek.com:443")
    assert where("http://localhost/v1") == ("localhost", "localhost:80")
    assert where("http://[::1]:8080/v1") == ("::1", "[::1]:8080")
