"""What a call is for, sent beside a request to a server that simulates a model.

A simulated model in process reads three things a chat-completions request does not carry:
the call's `purpose` (research, plan, summarise, verify...), its `brief` (the design's
policy for the call as data; a real model reads it as prompt text) and its `draws` (the
call's position in the episode, which keys the simulated model's paired random draws).
`archbench serve` answers as that same simulated model, so it needs them too. With the
model-id option `?call_info=true` a real backend sends them in one HTTP header,
`X-Archbench-Call`, as compact ASCII JSON:

    {"v": 1, "purpose": "act", "draws": {"episode": "0|9f2c...", "branch": "agent|main",
     "step": 3}, "brief": {"output": "answer", ...}}

Never the task's hidden solution (the server finds the task itself, from the question or
the task digest inside `draws.episode`) and never a key. The option is off by default: a
real provider has no use for the header. It changes answers (of a served model), so it is
part of the model's cache identity like `temperature`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, get_args

from harness.brief import Brief
from harness.messages import DrawKey, ModelRequest, Purpose

HEADER = "X-Archbench-Call"
VERSION = 1
MAX_CHARS = 16_000
"""The longest header a server takes (a brief's `known` facts and sub-question are short;
uvicorn's h11 refuses a request head over 64 KiB anyway)."""

_PURPOSES: frozenset[str] = frozenset(get_args(Purpose))
_BRIEF_FIELDS = {f.name for f in fields(Brief)}


def encode(request: ModelRequest) -> str:
    """The header's value for `request`: its purpose, draws and brief."""
    data: dict[str, Any] = {"v": VERSION, "purpose": request.purpose}
    if request.draws is not None:
        d = request.draws
        data["draws"] = {"episode": d.episode, "branch": d.branch, "step": d.step}
    if request.brief is not None:
        data["brief"] = asdict(request.brief)
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)


class CallInfoError(ValueError):
    """A header that cannot be read: the message says which part is wrong."""


def decode(value: str) -> tuple[Purpose, DrawKey | None, Brief | None]:
    """The purpose, draws and brief a header carries; CallInfoError for a bad one."""
    if len(value) > MAX_CHARS:
        raise CallInfoError(f"{HEADER} is longer than {MAX_CHARS} characters")
    try:
        data = json.loads(value)
    except ValueError:
        raise CallInfoError(f"{HEADER} is not JSON") from None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise CallInfoError(f'{HEADER} must be a JSON object with "v": {VERSION}')
    purpose = data.get("purpose", "act")
    if purpose not in _PURPOSES:
        raise CallInfoError(f"{HEADER}: unknown purpose {purpose!r}")
    draws = None
    if "draws" in data:
        d = data["draws"]
        ok = (
            isinstance(d, dict)
            and isinstance(d.get("episode"), str)
            and isinstance(d.get("branch"), str)
            and isinstance(d.get("step"), int)
        )
        if not ok:
            raise CallInfoError(f"{HEADER}: draws needs episode, branch (strings) and step")
        draws = DrawKey(d["episode"], d["branch"], d["step"])
    brief = None
    if "brief" in data:
        brief = _brief(data["brief"])
    return purpose, draws, brief


def _brief(raw: Any) -> Brief:
    if not isinstance(raw, dict) or set(raw) - _BRIEF_FIELDS:
        raise CallInfoError(f"{HEADER}: brief must be an object of Brief's fields")
    values = dict(raw)
    for name in ("known", "rejected"):
        if name in values:
            items = values[name]
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                raise CallInfoError(f"{HEADER}: brief.{name} must be a list of strings")
            values[name] = tuple(items)
    try:
        return Brief(**values)
    except TypeError as exc:
        raise CallInfoError(f"{HEADER}: brief: {exc}") from None
