"""The messages an agent loop's model saw, rebuilt step by step from its trace.

Why rebuild rather than read: the trace keeps each tool result only truncated, and never
the prompt. Tools are deterministic over the run's corpus, so running each recorded call
again gives the full text the model read; the context policy (`drop`, `summarise`) is
applied as `harness.agent_loop.manage_context` applies it, with a recorded summary's text
taken from the trace. What the model could know at each step is then read from these
messages by the simulator's own reader (`harness.sim.reading`), so a decision is judged
against exactly what the documented rule would have seen.
"""

from __future__ import annotations

from typing import Any

from harness.agent_loop import notes_body, old_outputs, replace_old, system_prompt
from harness.messages import Message, ToolCall
from harness.spec import NodeSpec
from harness.tools import COMPACT_CONTEXT, Toolset


class LoopContext:
    """A loop's messages, advanced one recorded step at a time."""

    def __init__(self, node: NodeSpec, task_text: str, toolset: Toolset) -> None:
        self.node = node
        self.toolset = toolset
        self.messages: list[Message] = [
            Message("system", system_prompt(node)),
            Message("user", task_text),
        ]
        self._summary: tuple[str, bool] | None = None
        self.summarised: list[tuple[str, str, bool]] = []  # (what, its summary, cut?)

    def take_summary(self, content: str, cut: bool) -> None:
        """A recorded summary step: its text is used at the next context check."""
        self._summary = (content, cut)

    def before_call(self) -> None:
        """The context policy, as the loop applies it before each call."""
        policy = self.node.context
        if policy.policy in ("keep", "auto") or not isinstance(policy.threshold_tokens, int):
            return  # under `auto` the agent compacts by calling a tool (`after_call`)
        msgs = self.messages
        if sum(m.tokens for m in msgs) <= policy.threshold_tokens:
            return
        old = old_outputs(msgs, policy.keep_last)
        if not old:
            return
        summary: str | None = None
        if policy.policy == "summarise":
            body = notes_body(msgs, old)
            summary, cut = self._summary if self._summary is not None else ("", True)
            self.summarised.append((msgs[1].content + "\n" + body, summary, cut))
            self._summary = None
        replace_old(msgs, old, summary)

    def after_call(self, step: dict[str, Any]) -> None:
        """The recorded reply and the full results of its tool calls."""
        n = sum(1 for m in self.messages if m.role == "assistant")
        calls = tuple(
            ToolCall(f"call_{n}", str(t.get("name")), dict(t.get("arguments") or {}))
            for t in step.get("tools") or []
        )
        self.messages.append(Message("assistant", str(step.get("content") or ""), calls))
        for call in calls:
            if call.name == COMPACT_CONTEXT and self.node.context.policy == "auto":
                # The agent compacted its context; this rebuild does not replay that, so
                # what it saw from here on is unknown (as after a cut summary).
                self.summarised.append(("", "", True))
                continue
            outcome = self.toolset.execute(call)
            self.messages.append(
                Message("tool", outcome.content, tool_call_id=call.id, name=call.name)
            )


def observed_action(step: dict[str, Any]) -> tuple[str, str]:
    """(tool, argument) of a step's first call; a reply without one is a plain answer."""
    tools = step.get("tools") or []
    if not tools:
        return "answer", str(step.get("content") or "")
    t = tools[0]
    args = t.get("arguments") or {}
    name = str(t.get("name"))
    if name == "search":
        return name, str(args.get("query", ""))
    if name == "open":
        return name, str(args.get("doc_id", ""))
    if name == "answer":
        return name, str(args.get("text", ""))
    return name, ""
