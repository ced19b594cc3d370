"""Scoring: normalised exact match, and whether a cited document supports the answer."""

from __future__ import annotations

import re
import unicodedata

from harness.task import Task

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalise(text: str) -> str:
    """NFKC, case-folded, articles and punctuation removed: 'The Zentrix Corp.' ->
    'zentrixcorp'. Digits keep their separators out: '5,120' -> '5120'."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _ARTICLES.sub(" ", t)
    return _PUNCT.sub("", t)


def score_answer(
    task: Task, answer: str | None, citations: tuple[str, ...] | list[str]
) -> tuple[bool, bool]:
    if answer is None:
        return False, False
    got = normalise(answer)
    correct = bool(got) and got in {normalise(a) for a in (task.answer, *task.aliases)}
    supported = correct and any(c in task.support_docs for c in citations)
    return correct, supported
