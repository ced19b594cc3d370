"""The fake server's imitations of real local servers: how each treats `tool_choice`.

What each does, from its documentation and issue tracker (looked up for issue 17):

- **vLLM** (`vllm serve`): honours a named function, `required` (vLLM >= 0.8.3) and `none`;
  `auto` needs the server started with `--enable-auto-tool-choice --tool-call-parser NAME`,
  and without them is refused with HTTP 400 `"auto" tool choice requires
  --enable-auto-tool-choice and --tool-call-parser to be set` (vllm-project/vllm#9986).
  `Imitation("vllm", auto_tool_choice=False)` is that server started without them.
- **Ollama** (`/v1/chat/completions`): ignores `tool_choice` altogether: a forced choice
  is dropped without a word (ollama/ollama#8421, #17921). Usage has no details.
- **llama.cpp's `llama-server`** (`--jinja`): honours `auto`, `none` and `required`;
  without `--jinja` a request with tools fails (HTTP 500 "tools param requires --jinja
  flag"). A named choice (the object form) is silently treated as `auto` in released builds
  (ggml-org/llama.cpp#28806 proposes refusing it instead): `reject_named=True` imitates
  that newer behaviour, an HTTP 400 naming `tool_choice`.
- **llama-cpp-python's server** (`python -m llama_cpp.server`): as issue 17 found it, it
  accepts only `tool_choice="auto"` (and `none`); a forced choice is refused with HTTP 500
  whose message names `tool_choice`. (Its `chatml-function-calling` handler documents a
  named function choice; `accepts=` imitates a build that takes one.)

An imitation only shapes what the scripted policy sees and what comes back; the policy
(`research_policy`) stays the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["vllm", "ollama", "llama-server", "llama-cpp-python"]
KINDS: tuple[Kind, ...] = ("vllm", "ollama", "llama-server", "llama-cpp-python")


@dataclass
class Imitation:
    kind: Kind
    auto_tool_choice: bool = True  # vllm: started with --enable-auto-tool-choice
    jinja: bool = True  # llama-server: started with --jinja
    reject_named: bool = False  # llama-server: a build that refuses a named choice
    accepts: tuple[str, ...] = ("auto", "none")  # llama-cpp-python: the choices it takes

    def refusal(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """The server's error for this request (status, JSON body), or None."""
        tools = bool(body.get("tools"))
        choice = body.get("tool_choice")
        named = isinstance(choice, dict)
        label = "named" if named else choice
        if self.kind == "vllm":
            if tools and choice in (None, "auto") and not self.auto_tool_choice:
                msg = (
                    '"auto" tool choice requires --enable-auto-tool-choice and '
                    "--tool-call-parser to be set"
                )
                return 400, {"object": "error", "message": msg, "type": "BadRequestError",
                             "param": None, "code": 400}  # fmt: skip
        elif self.kind == "llama-server":
            if tools and not self.jinja:
                return 500, _llama_error(500, "tools param requires --jinja flag", "server_error")
            if named and self.reject_named:
                msg = f"Invalid tool_choice: {json.dumps(choice)}"
                return 400, _llama_error(400, msg, "invalid_request_error")
        elif self.kind == "llama-cpp-python":
            if tools and choice is not None and label not in self.accepts:
                msg = f"tool_choice {label!r} is not supported; only 'auto' is supported"
                return 500, {"error": {"message": msg, "type": "internal_server_error"}}
        return None

    def seen(self, body: dict[str, Any]) -> dict[str, Any]:
        """The request as the model behind the server sees it."""
        choice = body.get("tool_choice")
        if self.kind == "ollama" and "tool_choice" in body:
            return {k: v for k, v in body.items() if k != "tool_choice"}
        if self.kind == "llama-server" and isinstance(choice, dict):
            return {**body, "tool_choice": "auto"}  # logged as a warning, not enforced
        return body

    def shape(self, out: dict[str, Any]) -> dict[str, Any]:
        """The reply as this server sends it."""
        usage = out.get("usage")
        if usage and self.kind in ("ollama", "llama-cpp-python", "llama-server"):
            out["usage"] = {k: usage[k] for k in ("prompt_tokens", "completion_tokens",
                                                  "total_tokens")}  # fmt: skip
        if usage and self.kind == "vllm":
            out["usage"] = {**usage, "prompt_tokens_details": None}
        return out


def _llama_error(code: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": kind}}
