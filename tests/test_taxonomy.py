"""MAST failure tags read from traces: each rule on a hand-written trace, then on real runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from harness.compare import compare
from harness.taxonomy import MODES, OTHER, count, diagnose, loop_budgets
from harness.trace import EpisodeResult


def step(
    i: int,
    tool: str | None = None,
    *,
    branch: str = "main",
    node: str = "research",
    purpose: str = "act",
    content: str = "",
    **args: Any,
) -> dict[str, Any]:
    tools = [{"name": tool, "arguments": args, "result": "", "error": False}] if tool else []
    return {
        "index": i,
        "branch": branch,
        "node": node,
        "purpose": purpose,
        "content": content,
        "tools": tools,
    }


def res(answer: str | None, cites: list[str] | None = None, **kw: Any) -> EpisodeResult:
    base: dict[str, Any] = {
        "architecture": "a",
        "task_id": "t",
        "family": "lookup",
        "seed": 0,
        "outcome": "answered",
        "answer": answer,
        "citations": cites or [],
    }
    return EpisodeResult(**{**base, **kw})


def tags(
    r: EpisodeResult, steps: list[dict[str, Any]], budgets: dict[str, int] | None = None
) -> tuple[str, ...]:
    return diagnose(r, steps, budgets or {"research": 10, "worker": 4}).tags


def test_a_correct_episode_has_no_tags() -> None:
    d = diagnose(res("x", ["d1"], correct=True), [step(0, "answer", text="x", citations=["d1"])])
    assert d.tags == () and not d.failed


def test_step_repetition_unless_a_summary_removed_the_output() -> None:
    steps = [
        step(0, "search", query="Acme founder"),
        step(1, "search", query="acme founder "),
        step(2, "open", doc_id="d1"),
        step(3, "answer", text="unknown"),
    ]
    d = diagnose(res("unknown"), steps, {"research": 10})
    assert "step_repetition" in d.tags
    assert [e.step for e in d.evidence if e.tag == "step_repetition"] == [1]
    summarised = [steps[0], step(1, purpose="summarise"), step(2, "search", query="Acme founder")]
    assert "step_repetition" not in tags(res(None), summarised)


def test_premature_termination_and_answer_without_evidence() -> None:
    gave_up = [step(0, "search", query="q"), step(1, "answer", text="unknown")]
    d = diagnose(res("unknown"), gave_up, {"research": 10})
    assert d.tags == ("premature_termination",)
    assert "8 of 10 steps left" in d.evidence[0].why
    guessed = [step(0, "answer", text="Lorvale", citations=[])]
    assert tags(res("Lorvale"), guessed) == ("premature_termination",)


def test_running_out_of_budget() -> None:
    steps = [step(i, "search", query=f"q{i}") for i in range(3)] + [step(3, "answer", text="x")]
    assert "unaware_of_termination" in tags(res("x"), steps, {"research": 4})
    assert "unaware_of_termination" not in tags(res("x"), steps, {"research": 9})
    exhausted = res(None, outcome="budget_exhausted", error="token budget of 100 reached")
    d = diagnose(exhausted, [step(0, "search", query="q")])
    assert d.tags == ("unaware_of_termination",) and "token budget" in d.evidence[0].why


def workflow(
    report: str, cites: list[str], final: str, final_cites: list[str]
) -> list[dict[str, Any]]:
    return [
        step(0, node="plan", purpose="plan", content='{"subtasks": [{"question": "q"}]}'),
        step(1, "open", branch="workers#1/0", node="worker", doc_id="d1"),
        step(2, "answer", branch="workers#1/0", node="worker", text=report, citations=cites),
        step(3, "answer", node="write", purpose="write", text=final, citations=final_cites),
    ]


def test_information_lost_in_a_hand_off() -> None:
    steps = workflow("Acme founder: (detail lost in the summary)", [], "unknown", [])
    d = diagnose(res("unknown"), steps, {"worker": 6, "write": 1})
    assert d.tags == ("lost_in_handoff",)  # not also premature: the worker did find it


def test_ignored_sub_agent_result() -> None:
    steps = workflow("Acme founder: Mara Quill [d1]", ["d1"], "unknown", [])
    assert tags(res("unknown"), steps) == ("ignored_result",)
    used = workflow("Acme founder: Mara Quill [d1]", ["d1"], "Mara Quill", ["d1"])
    assert "ignored_result" not in tags(res("Mara Quill", ["d1"]), used)


def test_wrong_verification() -> None:
    steps = workflow("Acme founder: Ivo Pell [d9]", ["d9"], "Ivo Pell", ["d9"])
    d = diagnose(res("Ivo Pell", ["d9"]), steps, {"worker": 6})
    assert d.tags == ("wrong_verification",)
    assert "wrong source was accepted" in d.evidence[0].why
    review = [
        step(
            0,
            node="lead_plan",
            purpose="plan",
            content='{"subtasks": [{"question": "q", "max_steps": 6}]}',
        ),
        step(1, "search", branch="workers#1/0", node="worker", query="q"),
        step(
            2,
            "answer",
            branch="workers#1/0",
            node="worker",
            text="No relevant information found for Acme.",
        ),
        step(3, "finish", node="review", purpose="route"),
        step(4, "answer", node="write", purpose="write", text="unknown"),
    ]
    d = diagnose(res("unknown"), review, {"worker": 10}, dynamic=True)
    assert "wrong_verification" in d.tags and "premature_termination" in d.tags
    assert any("4 of 6 steps left" in e.why for e in d.evidence)  # the plan's budget, not 10


def test_other_when_no_rule_fires() -> None:
    d = diagnose(res(None, outcome="no_answer"), [])
    assert d.tags == (OTHER,)


def test_loop_budgets_of_the_built_in_designs() -> None:
    assert loop_budgets({"params": {"kimi-researcher": {"max_steps": 7}}}, "kimi-researcher") == (
        {"research": 7},
        False,
    )
    budgets, dynamic = loop_budgets({}, "orchestrator-workers")
    assert dynamic and budgets["worker"] == 10 and budgets["write"] == 1
    assert loop_budgets({}, "no-such-design") == ({}, False)


def test_every_failure_of_a_real_run_is_explained(tmp_path: Path) -> None:
    archs = ["kimi-researcher", "manus-workflow", "minimax-hybrid", "orchestrator-workers"]
    run = compare(archs, suite="default", seeds=1, out=tmp_path / "run")
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    lines = (tmp_path / "run" / "traces.jsonl").read_text().splitlines()
    traces = [json.loads(line) for line in lines]
    diagnoses = []
    for r, t in zip(run.results, traces, strict=True):
        diagnoses.append(diagnose(r, t["steps"], *loop_budgets(config, r.architecture)))
    counts = count(diagnoses)
    for arch in archs:
        c = counts[arch]
        failed = sum(1 for r in run.results if r.architecture == arch and not r.correct)
        assert c["failed"] == failed
        assert c[OTHER] == 0, arch  # every failure shows at least one mode
    # the mechanisms of docs/findings.md (c): the fixed workflow's workers give up on dead
    # ends without re-planning, and lose facts in their reports
    dead = Counter(
        t
        for d in diagnoses
        if d.architecture == "manus-workflow" and d.task_id.startswith("default-dead_end")
        for t in d.tags
    )
    assert dead["premature_termination"] >= 8
    assert counts["manus-workflow"]["lost_in_handoff"] > 0
    assert counts["kimi-researcher"]["lost_in_handoff"] == 0  # one context: no hand-offs
    assert {m.code for m in MODES} >= set(counts["manus-workflow"]) - {"failed"}
