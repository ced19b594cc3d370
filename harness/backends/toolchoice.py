"""Which `tool_choice` a request sends, and what happens when a server refuses it.

Why: archbench forces a tool at some steps (the final `answer`, a judge's verdict) with a
named choice, and `required` where any tool will do. Real servers differ: vLLM honours
both (`required` since 0.8.3), llama.cpp's `llama-server` honours `required` but ignores a
named choice in older builds and refuses it in newer ones, llama-cpp-python's server and
Ollama honour neither. A refusal arrives as HTTP 400 (or 500) whose message mentions
`tool_choice`; the error then says so and names the option that fixes it. With
`?tool_choice_fallback=true` the backend instead retries with the next weaker choice
(named -> required -> auto), remembers it for that endpoint and model for the rest of the
process, and marks every answer made with it (`ModelResponse.weaker_tool_choice`, a step
field of the trace) and the run summary: a weaker choice changes the design being
measured (a forced answer becomes a request the model may ignore).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from harness.backends.providers import TOOL_CHOICES, Endpoint, Settings
from harness.messages import ModelRequest

log = logging.getLogger("archbench.backends")

_LEARNED: dict[tuple[str, str], str] = {}
"""(base URL, model) -> the strongest choice that endpoint accepted after a refusal."""
_LOCK = threading.Lock()


class ToolChoiceRefused(Exception):
    """The server refused the forced tool choice a request sent (not retried as is)."""

    def __init__(self, sent: str, reason: str) -> None:
        super().__init__(reason)
        self.sent = sent
        self.reason = reason


def reset_learned() -> None:
    """Forget every endpoint's weaker choice (tests; a new run in the same process keeps
    what the last one learned, as the server has not changed)."""
    with _LOCK:
        _LEARNED.clear()


def _weakest(a: str, b: str) -> str:
    return a if TOOL_CHOICES.index(a) >= TOOL_CHOICES.index(b) else b


def strength(request: ModelRequest) -> str | None:
    """How strongly a request forces a tool: "named", "required", or None (not forced)."""
    choice = request.config.tool_choice
    if choice == "required":
        return "required"
    if choice in ("auto", "none"):
        return None
    return "named" if any(t.name == choice for t in request.tools) else None


def allowed(endpoint: Endpoint, settings: Settings) -> str:
    """The strongest choice this endpoint is sent: the id's `tool_choice`, weakened by
    what a refusal taught."""
    learned = _LEARNED.get((endpoint.base_url, endpoint.model))
    return settings.tool_choice if learned is None else _weakest(settings.tool_choice, learned)


def choose(request: ModelRequest, cap: str) -> tuple[Any, str | None]:
    """The `tool_choice` field for `request` under `cap`, and the strength it was sent
    with (None when the request forces no tool)."""
    wanted = strength(request)
    if wanted is None:
        choice = request.config.tool_choice
        return (choice if choice in ("auto", "none") else "auto"), None
    sent = _weakest(wanted, cap)
    if sent == "named":
        return {"type": "function", "function": {"name": request.config.tool_choice}}, sent
    return sent, sent


def weaker_than(sent: str) -> str | None:
    """The next weaker choice, or None after "auto"."""
    i = TOOL_CHOICES.index(sent)
    return TOOL_CHOICES[i + 1] if i + 1 < len(TOOL_CHOICES) else None


def refuses(status: int, message: str) -> bool:
    """Does an HTTP error refuse the request's tool choice? 400/422/500 naming it."""
    return status in (400, 422, 500) and "tool_choice" in message.lower().replace(" ", "_")


def learn(endpoint: Endpoint, weaker: str) -> None:
    with _LOCK:
        key = (endpoint.base_url, endpoint.model)
        current = _LEARNED.get(key)
        _LEARNED[key] = weaker if current is None else _weakest(current, weaker)


def refusal_message(model_id: str, sent: str, reason: str, sent_choice: Any) -> str:
    """The error of a refused choice that will not be weakened: what was refused, and the
    option that fixes it."""
    weaker = weaker_than(sent) if sent in TOOL_CHOICES else None
    if weaker is None:  # "auto" refused: vLLM without --enable-auto-tool-choice
        fix = (
            "the server refuses even tool_choice=auto (vLLM: start it with "
            "--enable-auto-tool-choice --tool-call-parser NAME)"
        )
    else:
        fix = (
            f"set ?tool_choice={weaker} in the model id, or ?tool_choice_fallback=true to "
            "fall back to a weaker choice by itself"
        )
    shown = sent if isinstance(sent_choice, dict) else sent_choice
    return f"{model_id}: the server refused tool_choice={shown} ({reason}); {fix}"
