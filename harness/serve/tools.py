"""The research tools of a task, for an agent that is not archbench's.

A served model only *asks* for tool calls; the client runs them, as with any provider. An
agent framework running archbench's tasks needs the same `search`, `open` and `answer`
tools archbench's agents get, over the same corpus, with the same result text (a simulated
model reads its context back in that format). Two ways to get them:

- in Python, `task_tools(suite, task_id)`: the question, the tool schemas in the OpenAI
  format, `call(name, arguments)` that runs one call and returns the text the model is
  shown, and `score()` once the agent has answered;
- over HTTP, on the server itself: `POST /v1/archbench/tools/{search,open,answer}` and
  `POST /v1/archbench/score` (`harness.serve.app`).

Both go through `harness.tools.Toolset`, so a result is byte for byte what an archbench
agent would have seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.backends.wire import wire_tool
from harness.corpus import Corpus
from harness.errors import UnknownNameError
from harness.messages import ToolCall
from harness.scoring import score_answer
from harness.suites import load_suite
from harness.task import Task, TaskSuite
from harness.tools import MALFORMED, Toolset, parse_arguments

TOOL_NAMES = ("search", "open", "answer")


def suite_toolset(suite: TaskSuite) -> Toolset:
    return Toolset(Corpus.of_suite(suite), TOOL_NAMES)


def run_tool(toolset: Toolset, name: str, arguments: Any) -> tuple[str, bool]:
    """One call's result text and whether it is an error (never raises on a bad call)."""
    args = arguments if isinstance(arguments, dict) else parse_arguments(arguments)
    if not isinstance(args, dict):
        args = {MALFORMED: "tool arguments must be a JSON object"}
    outcome = toolset.execute(ToolCall("call", name, args))
    return outcome.content, outcome.error


def task_of(suite: TaskSuite, task_id: str) -> Task:
    for t in suite.tasks:
        if t.id == task_id:
            return t
    some = ", ".join(t.id for t in suite.tasks[:5])
    raise UnknownNameError(f"unknown task '{task_id}' in this suite (e.g. {some})")


@dataclass
class TaskTools:
    """One task's tools and its grader, for one agent run."""

    task: Task
    toolset: Toolset
    answer: tuple[str, tuple[str, ...]] | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def question(self) -> str:
        return self.task.question

    @property
    def schemas(self) -> list[dict[str, Any]]:
        """The tools as `tools=` of a chat-completions request."""
        return [wire_tool(s) for s in self.toolset.schemas]

    def call(self, name: str, arguments: dict[str, Any] | str | None) -> str:
        """Run one tool call; the text to send back as the tool message. The first valid
        `answer` call is the agent's answer."""
        args = arguments if isinstance(arguments, dict) else parse_arguments(arguments)
        self.calls.append((name, args))
        outcome = self.toolset.execute(ToolCall("call", name, args))
        if outcome.answer is not None and self.answer is None:
            self.answer = outcome.answer
        return outcome.content

    def score(self) -> tuple[bool, bool]:
        """(correct, supported) of the answer given, as archbench scores an episode."""
        text, cites = self.answer or (None, ())
        return score_answer(self.task, text, cites)


def task_tools(suite: str | TaskSuite, task_id: str) -> TaskTools:
    """The tools of task `task_id` of `suite` (a built-in name, a suite file or a
    `TaskSuite`)."""
    loaded = load_suite(suite) if isinstance(suite, str) else suite
    return TaskTools(task_of(loaded, task_id), suite_toolset(loaded))
