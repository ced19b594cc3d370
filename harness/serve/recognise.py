"""Which task a request is about: the served model's only way to its hidden solution.

A simulated model in process is handed the task's solution by the runtime; a served one is
sent only messages. It finds the task the way a grader would, from what it was asked:

1. the task digest in the request's call info (`X-Archbench-Call`'s `draws.episode`, which
   archbench sends with `?call_info=true`): the task's content, exactly; this also finds
   the task of a worker whose first message is a sub-question, not the question;
2. the first user message equal to a task's question, character for character;
3. the same after normalisation (`normalise`): Unicode NFKC, case folded, runs of
   whitespace made one space, the ends stripped;
4. the normalised first user message *containing* exactly one task's normalised question
   (a framework that wraps the question in a template); when several do, the longest
   question wins if it is the only one of its length, else none does.

No match: the model has no solution, and answers as an in-process simulated model without
one does (`harness.sim.policy.decide`: "I have no way to work on this task." and an
`answer` call with "unknown").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from harness.messages import DrawKey, Message
from harness.sim.streams import task_digest
from harness.task import Task, TaskSuite

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The question as compared in step 3: NFKC, case folded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def first_user_text(messages: Sequence[Message]) -> str:
    return next((m.content for m in messages if m.role == "user"), "")


class TaskIndex:
    """A suite's tasks by digest, by question and by normalised question."""

    def __init__(self, suite: TaskSuite) -> None:
        self.suite = suite
        self.by_id: dict[str, Task] = {t.id: t for t in suite.tasks}
        self.by_digest: dict[str, Task] = {}
        self.by_question: dict[str, Task | None] = {}  # None: two tasks ask the same
        self.by_normal: dict[str, Task | None] = {}
        for t in suite.tasks:
            self.by_digest[self.digest(t)] = t
            _add(self.by_question, t.question, t)
            _add(self.by_normal, normalise(t.question), t)
        # longest first, for the containment search
        self._normals = sorted(
            ((q, t) for q, t in self.by_normal.items() if t is not None and q),
            key=lambda qt: -len(qt[0]),
        )

    @staticmethod
    def digest(task: Task) -> str:
        return task_digest(task.question, task.solution.model_dump_json())

    def find(self, messages: Sequence[Message], draws: DrawKey | None = None) -> Task | None:
        """The task this request works on, or None (see the module's docstring)."""
        if draws is not None and "|" in draws.episode:
            hit = self.by_digest.get(draws.episode.split("|", 1)[1])
            if hit is not None:
                return hit
        text = first_user_text(messages)
        if not text:
            return None
        exact = self.by_question.get(text)
        if exact is not None:
            return exact
        norm = normalise(text)
        if norm in self.by_normal:
            return self.by_normal[norm]
        found = [(q, t) for q, t in self._normals if q in norm]
        if not found:
            return None
        if len(found) > 1 and len(found[1][0]) == len(found[0][0]):
            return None  # two questions of the same length: ambiguous
        return found[0][1]


def _add(index: dict[str, Task | None], key: str, task: Task) -> None:
    index[key] = None if key in index else task
