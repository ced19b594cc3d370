"""Text from a server, made safe where it enters archbench: no lone surrogates, no key.

Why at the boundary: a real model's reply goes on to the response cache (SQLite), the
recording, the next request's wire body, results, traces and the report, and every one of
them encodes UTF-8. A lone UTF-16 surrogate (`"\\ud800"` in the JSON, which some servers
send) is a Python `str` no UTF-8 encoder accepts, so one character crashed whichever came
first, and `--resume` crashed the same way forever. Cleaning each string once, as it is
read from the reply, means nothing downstream has to care.

What is kept and what is not:

- Every character that UTF-8 can carry is kept as it came, NUL and control characters
  included (JSON escapes them; SQLite stores them): nothing a model said is lost.
- A lone surrogate becomes U+FFFD (the replacement character), visibly; a pair of
  surrogates that was split into two escapes is joined into the character it encodes.
- The API key the request carried, and any run of 8 or more characters that starts it (a
  key some server cut in its echo, or that a cut of ours would otherwise leave), becomes
  "[redacted]". Scrubbing comes before any cut, so a cut cannot keep part of a key.

    >>> clean_text("ok \\ud800!")
    'ok \\ufffd!'
    >>> scrub = Scrubber("sk-0123456789abcdef")
    >>> scrub("sent sk-0123456789abcdef and sk-0123456789ab...")
    'sent [redacted] and [redacted]...'
    >>> safe_text("x" * 5 + "sk-0123456789abcdef", scrub, limit=12)
    'xxxxx[redact'
"""

from __future__ import annotations

import math
from typing import Any

REDACTED = "[redacted]"
MIN_KEY_PREFIX = 8
"""The shortest start of a key that is scrubbed on its own: long enough never to match by
chance in ordinary text, short enough that what is left cannot be guessed from it."""

MAX_DEPTH = 64
"""Tool arguments nested deeper than this are refused (as a tool error): nothing an agent's
tools take is this deep, and deeper JSON would strain every encoder it passes through."""


def clean_text(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD; unchanged when it has none
    (the usual case costs one encode, in C)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


class Scrubber:
    """Removes one API key from text: the whole key, and every run of `MIN_KEY_PREFIX` or
    more characters that matches its start. A key shorter than 4 characters is not a key
    worth scrubbing (and would mangle ordinary text)."""

    def __init__(self, key: str | None) -> None:
        self.key = key if key and len(key) >= 4 else None
        self.head = None if self.key is None else self.key[:MIN_KEY_PREFIX]

    def __call__(self, text: str) -> str:
        key, head = self.key, self.head
        if key is None or head is None:
            return text
        if len(key) <= MIN_KEY_PREFIX:
            return text.replace(key, REDACTED) if key in text else text
        start = text.find(head)  # one scan when there is nothing to scrub (nearly always)
        if start < 0:
            return text
        parts: list[str] = []
        done = 0
        while start >= 0:  # each run matching the key's start, up to the whole key
            end = start + MIN_KEY_PREFIX
            while end < len(text) and end - start < len(key) and text[end] == key[end - start]:
                end += 1
            parts.extend((text[done:start], REDACTED))
            done = end
            start = text.find(head, end)
        parts.append(text[done:])
        return "".join(parts)


def safe_text(text: str, scrub: Scrubber, limit: int | None = None) -> str:
    """Cleaned, scrubbed, then cut to `limit` characters: the order that keeps a key out
    of whatever a cut leaves."""
    text = scrub(clean_text(text))
    return text if limit is None else text[:limit]


class Unfit(ValueError):
    """Decoded JSON that archbench will not carry on (the reason is the message)."""


def clean_json(value: Any, scrub: Scrubber, depth: int = 0) -> Any:
    """A copy of decoded JSON with every string (keys too) cleaned and scrubbed. Raises
    `Unfit` for NaN or an infinity (which JSON cannot carry on, and `json.loads` accepts)
    and for nesting deeper than `MAX_DEPTH`."""
    if isinstance(value, str):
        return scrub(clean_text(value))
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unfit("tool arguments hold NaN or an infinity, which JSON does not allow")
        return value
    if depth >= MAX_DEPTH:
        raise Unfit(f"tool arguments are nested more than {MAX_DEPTH} deep")
    if isinstance(value, dict):
        return {
            scrub(clean_text(str(k))): clean_json(v, scrub, depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_json(v, scrub, depth + 1) for v in value]
    raise Unfit(f"tool arguments hold a {type(value).__name__}, which JSON does not have")
