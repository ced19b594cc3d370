"""Why an episode failed: tags from the MAST failure taxonomy that a trace can show.

The MAST study (Cemri et al., "Why Do Multi-Agent LLM Systems Fail?", 2025) sorted 1,642
traces of seven multi-agent frameworks into 14 failure modes. Six of them leave marks in an
archbench trace (the tool calls, reports and answers of every agent loop) and are tagged
here; the others (disobeying a role, conversation resets, reasoning-action mismatch...)
need to read the model's reasoning, which a trace does not keep.

The rules read only the trace and the episode's result, never the task's hidden solution,
so they apply unchanged to real models' runs. They are written for precision over recall:
a tag means the trace shows the mode; an untagged failure ("other") means no rule fired.
An episode may carry several tags (a repeated search *and* a budget run out). The rules are
documented, with examples, in docs/experiments.md.

    from harness.taxonomy import diagnose
    d = diagnose(result, steps, budgets={"research": 30})
    d.tags  # ('step_repetition', 'unaware_of_termination')
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.trace import EpisodeResult

if TYPE_CHECKING:
    from harness.spec import ArchitectureSpec


@dataclass(frozen=True)
class FailureMode:
    code: str
    label: str
    mast: str
    rule: str


MODES: tuple[FailureMode, ...] = (
    FailureMode(
        "step_repetition",
        "step repetition",
        "FM-1.3",
        "an agent loop repeats a search (same query) or re-opens a page it already opened, "
        "with no context summary in between that could have removed it",
    ),
    FailureMode(
        "premature_termination",
        "premature termination / answer without evidence",
        "FM-3.1",
        "an agent loop stops before its step budget with 'unknown' or a failure notice, or "
        "states a fact (or a final answer) that cites no document",
    ),
    FailureMode(
        "unaware_of_termination",
        "ran out of budget, unaware of termination",
        "FM-1.5",
        "the episode hit its budget or context window, or an agent loop used every step of "
        "its budget and was forced to answer without a cited answer",
    ),
    FailureMode(
        "lost_in_handoff",
        "information lost in a hand-off",
        "FM-2.4",
        "a sub-agent's report says a fact it read was lost in the write-up "
        "(simulated models write '(detail lost in the summary)')",
    ),
    FailureMode(
        "ignored_result",
        "ignored sub-agent result",
        "FM-2.5",
        "every report is complete (all its facts cited, no gaps) yet the final answer is "
        "'unknown' or cites none of the reports' documents",
    ),
    FailureMode(
        "wrong_verification",
        "wrong verification",
        "FM-3.2/3.3",
        "the wrong final answer cites documents (a source was accepted unchecked or "
        "wrongly), or a reviewing lead chose to finish although a report had a gap",
    ),
)
BY_CODE: dict[str, FailureMode] = {m.code: m for m in MODES}
OTHER = "other"
"""The tag of a failed episode no rule explains."""

_CITED = re.compile(r"\[[^\]\s]+\]\s*$")
_LOST = "(detail lost"
_NO_INFO = ("no relevant information", "nothing relevant")
_LOOP_PURPOSES = ("act", "write", "merge")
"""The steps whose answer is an answer or a report: an agent's own steps, a writer's, and
an aggregate's merge (its answer becomes the episode's, so its loop is the final one). Not
"verify" (a verifier's answer is a verdict, accept or reject, never the episode's answer),
"judge" (it picks a candidate, it writes none), "revise" (a debate's revision: the branch's
own answer is the one read as its report) or the coordination calls (plan, route,
summarise)."""


@dataclass(frozen=True)
class Evidence:
    tag: str
    step: int | None
    """Index of the trace step that shows it (None: the episode as a whole)."""
    why: str


@dataclass(frozen=True)
class Diagnosis:
    architecture: str
    task_id: str
    seed: int
    failed: bool
    evidence: tuple[Evidence, ...] = ()

    @property
    def tags(self) -> tuple[str, ...]:
        """The modes shown, in the order of `MODES` (`other` for a failure none explains)."""
        shown = {e.tag for e in self.evidence}
        tags = tuple(m.code for m in MODES if m.code in shown)
        return tags or ((OTHER,) if self.failed else ())


@dataclass
class _Loop:
    """One agent loop in a trace: the steps of one node on one branch."""

    branch: str
    node: str
    steps: list[Mapping[str, Any]] = field(default_factory=list)
    summarised_at: list[int] = field(default_factory=list)

    @property
    def acts(self) -> list[Mapping[str, Any]]:
        return [s for s in self.steps if s.get("purpose") in _LOOP_PURPOSES]

    def answer(self) -> tuple[int, str, list[str]] | None:
        """(step index, text, citations) of the loop's last answer call."""
        for s in reversed(self.acts):
            for t in reversed(_tools(s)):
                if t.get("name") == "answer":
                    args = t.get("arguments") or {}
                    cites = args.get("citations") or []
                    return (
                        _index(s),
                        str(args.get("text", "")),
                        [str(c) for c in cites] if isinstance(cites, list) else [],
                    )
        return None

    def researched(self) -> bool:
        return any(t.get("name") in ("search", "open") for s in self.acts for t in _tools(s))


def _tools(step: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    tools = step.get("tools") or []
    return [t for t in tools if isinstance(t, Mapping)]


def _index(step: Mapping[str, Any]) -> int:
    i = step.get("index")
    return i if isinstance(i, int) else -1


def _loops(steps: Sequence[Mapping[str, Any]]) -> list[_Loop]:
    loops: dict[tuple[str, str], _Loop] = {}
    for s in steps:
        key = (str(s.get("branch", "main")), str(s.get("node", "?")))
        loop = loops.setdefault(key, _Loop(*key))
        if s.get("purpose") == "summarise":
            loop.summarised_at.append(_index(s))
        loop.steps.append(s)
    return list(loops.values())


def _unknown(text: str) -> bool:
    t = text.strip().lower()
    return not t or t in ("unknown", "none", "n/a") or t.startswith(_NO_INFO)


@dataclass(frozen=True)
class _Report:
    """What a report's lines say: cited facts, lost facts, gaps and uncited claims."""

    cited: int
    lost: int
    gaps: int
    uncited: int

    @property
    def complete(self) -> bool:
        return self.cited > 0 and self.lost == self.gaps == self.uncited == 0


def _read_report(text: str) -> _Report:
    cited = lost = gaps = uncited = 0
    for line in (ln.strip() for ln in text.splitlines()):
        if not line or "known as" in line:
            continue
        if _LOST in line:
            lost += 1
        elif line.lower().startswith(_NO_INFO) or _unknown(line):
            gaps += 1
        elif _CITED.search(line):
            cited += 1
        else:
            uncited += 1
    return _Report(cited, lost, gaps, uncited)


def loop_budgets(
    config: Mapping[str, Any], architecture: str, spec: ArchitectureSpec | None = None
) -> tuple[dict[str, int], bool]:
    """Step budget of every agent node of `architecture` as the run bound it (from the
    run's config.json), and whether a dynamic planner sets its sub-agents' budgets.
    `spec`: the one the run saved (a design from a file or a spec object cannot be found
    by its name; a built-in's name may mean another design now); else the installed one
    of that name. ({}, False) when the architecture cannot be compiled again."""
    from harness.errors import ArchbenchError
    from harness.graph import compile_architecture
    from harness.loader import load_architecture

    try:
        params = (config.get("params") or {}).get(architecture) or {}
        roles = (config.get("roles") or {}).get(architecture) or {}
        compiled = compile_architecture(
            spec or load_architecture(architecture),
            {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()},
            {str(k): str(v) for k, v in roles.items()},
        )
    except (ArchbenchError, AttributeError, TypeError, ValueError):
        return {}, False
    budgets = {
        n.name: n.max_steps
        for n in compiled.nodes.values()
        if n.kind == "agent" and isinstance(n.max_steps, int)
    }
    dynamic = any(n.kind == "planner" and n.mode == "dynamic" for n in compiled.nodes.values())
    return budgets, dynamic


def _planned_budgets(steps: Sequence[Mapping[str, Any]]) -> dict[int, list[int | None]]:
    """Per planning round (1, 2, ...): the budget the plan gave each sub-task, read from the
    plan's JSON (None where the trace's copy was cut short)."""
    out: dict[int, list[int | None]] = {}
    plans = [s for s in steps if s.get("purpose") == "plan"]
    for rnd, s in enumerate(plans, 1):
        text = str(s.get("content", ""))
        try:
            items = json.loads(text[text.find("{") : text.rfind("}") + 1])["subtasks"]
            out[rnd] = [
                i.get("max_steps") if isinstance(i.get("max_steps"), int) else None for i in items
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            out[rnd] = []
    return out


def _budget_of(
    loop: _Loop,
    budgets: Mapping[str, int],
    dynamic: bool,
    planned: Mapping[int, list[int | None]],
) -> int | None:
    fixed = budgets.get(loop.node)
    head, sep, tail = loop.branch.partition("#")
    if not (dynamic and sep):
        return fixed
    rnd, _, i = tail.partition("/")
    try:
        given = planned.get(int(rnd), [])
        k = int(i)
    except ValueError:
        return None
    if k < len(given):
        return given[k] or fixed
    return None  # the plan's copy in the trace was cut short: unknown


def diagnose(
    result: EpisodeResult,
    steps: Sequence[Mapping[str, Any]],
    budgets: Mapping[str, int] | None = None,
    dynamic: bool = False,
) -> Diagnosis:
    """The failure modes the trace of one episode shows (none for a correct episode).

    `budgets` (agent node -> max_steps, see `loop_budgets`) lets the rules tell a loop
    that ran out of steps from one that stopped early; without them, every early stop
    counts as premature and only the episode budget as running out."""
    key = (result.architecture, result.task_id, result.seed)
    if result.correct:
        return Diagnosis(*key, failed=False)
    ev: list[Evidence] = []
    loops = _loops(steps)
    planned = _planned_budgets(steps) if dynamic else {}
    final = _final_loop(loops, result)

    if result.outcome in ("budget_exhausted", "context_overflow"):
        why = result.error or result.outcome.replace("_", " ")
        ev.append(Evidence("unaware_of_termination", None, f"episode ended: {why}"))
    reports: list[tuple[_Loop, int, _Report, list[str]]] = []
    for loop in loops:
        ev += _repetitions(loop)
        answer = loop.answer()
        if answer is None:
            continue
        idx, text, cites = answer
        if loop is not final:
            rep = _read_report(text)
            reports.append((loop, idx, rep, cites))
            if rep.lost:
                ev.append(
                    Evidence("lost_in_handoff", idx, f"{rep.lost} fact(s) lost in the report")
                )
        if loop is final and not loop.researched() and reports:
            continue  # a writer: judged by the final-answer rules below
        budget = _budget_of(loop, budgets or {}, dynamic, planned)
        ev += _stop(loop, idx, text, cites, budget, report=loop is not final)
    ev += _final_rules(result, final, reports)
    ev += _review_rules(steps, reports)
    return Diagnosis(*key, failed=True, evidence=tuple(ev))


def _final_loop(loops: Sequence[_Loop], result: EpisodeResult) -> _Loop | None:
    """The loop whose answer became the episode's answer: the last on the main branch."""
    if result.answer is None:
        return None
    candidates = [lp for lp in loops if lp.branch == "main" and lp.answer() is not None]
    return max(candidates, key=lambda lp: lp.answer()[0], default=None)  # type: ignore[index]


def _repetitions(loop: _Loop) -> list[Evidence]:
    seen: dict[tuple[str, str], int] = {}
    out: list[Evidence] = []
    for s in loop.acts:
        i = _index(s)
        for t in _tools(s):
            name = str(t.get("name"))
            args = t.get("arguments") or {}
            if name not in ("search", "open"):
                continue
            arg = str(args.get("query" if name == "search" else "doc_id", "")).strip().lower()
            prev = seen.get((name, arg))
            if prev is not None and not any(prev < j < i for j in loop.summarised_at):
                what = f"searched '{arg}' again" if name == "search" else f"re-opened {arg}"
                out.append(Evidence("step_repetition", i, f"{what} (first at step {prev})"))
            seen[(name, arg)] = i
    return out


def _stop(
    loop: _Loop, idx: int, text: str, cites: list[str], budget: int | None, report: bool
) -> list[Evidence]:
    """A loop that stopped with something unsupported (an answer citing nothing, a report
    with a gap or an uncited claim): out of budget, or early."""
    rep = _read_report(text) if report else _Report(int(bool(cites)), 0, 0, int(not cites))
    if not (_unknown(text) or rep.gaps or rep.uncited or rep.cited == rep.lost == 0):
        return []
    used = len(loop.acts)
    if budget is not None and used >= budget:
        why = f"{loop.node} used all {budget} steps and had to answer without evidence"
        return [Evidence("unaware_of_termination", idx, why)]
    left = f" with {budget - used} of {budget} steps left" if budget is not None else ""
    if _unknown(text) or (rep.gaps and not rep.uncited):
        why = f"{loop.node} gave up{left}"
    else:
        why = f"{loop.node} stated a fact without citing a document{left}"
    return [Evidence("premature_termination", idx, why)]


def _final_rules(
    result: EpisodeResult,
    final: _Loop | None,
    reports: Sequence[tuple[_Loop, int, _Report, list[str]]],
) -> list[Evidence]:
    out: list[Evidence] = []
    answer = final.answer() if final is not None else None
    idx = answer[0] if answer is not None else None
    text = result.answer or ""
    if result.answer is not None and not _unknown(text) and result.citations:
        gaps = any(not r[2].complete for r in reports)
        why = (
            "answered from reports with a gap, citing documents"
            if gaps
            else "the wrong answer cites documents: a wrong source was accepted"
        )
        out.append(Evidence("wrong_verification", idx, why))
    if result.answer is not None and not _unknown(text) and not result.citations and reports:
        out.append(Evidence("premature_termination", idx, "final answer cites no document"))
    complete = [r for r in reports if r[2].complete]
    if complete and len(complete) == len(reports):
        cited = {c for r in complete for c in r[3]}
        if _unknown(text) or not cited & set(result.citations):
            why = "complete reports were not used in the final answer"
            out.append(Evidence("ignored_result", idx, why))
    return out


def _review_rules(
    steps: Sequence[Mapping[str, Any]], reports: Sequence[tuple[_Loop, int, _Report, list[str]]]
) -> list[Evidence]:
    """A lead that reviewed reports with a gap and chose to finish."""
    out: list[Evidence] = []
    for s in steps:
        if s.get("purpose") != "route":
            continue
        choice = next((str(t.get("name")) for t in _tools(s)), "")
        i = _index(s)
        before = [r for r in reports if r[1] < i]
        if choice != "finish" or not before:
            continue
        rnd = max(r[0].branch.partition("#")[2].partition("/")[0] for r in before)
        latest = [r for r in before if r[0].branch.partition("#")[2].partition("/")[0] == rnd]
        if any(not r[2].complete for r in latest):
            why = "the lead chose to finish although a report had a gap"
            out.append(Evidence("wrong_verification", i, why))
    return out


def count(diagnoses: Iterable[Diagnosis]) -> dict[str, Counter[str]]:
    """Per architecture: how many failed episodes show each mode (and 'failed', 'other')."""
    out: dict[str, Counter[str]] = {}
    for d in diagnoses:
        c = out.setdefault(d.architecture, Counter())
        if d.failed:
            c["failed"] += 1
            c.update(d.tags)
    return out
