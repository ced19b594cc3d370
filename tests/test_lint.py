"""Design warnings (`harness.lint`): each trap fires on a small design that has it and on
no built-in; the CLI prints them once per run, and `list --check` validates a file.

Designs marked NEW use v2 constructs (fan_out copies, router `when:`, aggregate rounds):
they validate under the semantics of the lead's graph.py (notes/lang-v2.md) and are
refused by the graph.py of before it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import cli

from harness import loader
from harness.graph import compile_architecture
from harness.lint import DesignWarning, lint
from harness.loader import builtin_architectures, load_architecture

HEAD = "roles: {r: mock/perfect, s: mock/claude-sonnet-4}\n"


def design(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\n{HEAD}{body}", encoding="utf-8")
    return path


def warnings_of(tmp_path: Path, body: str, name: str = "t") -> list[DesignWarning]:
    return lint(compile_architecture(load_architecture(str(design(tmp_path, name, body)))))


def codes(ws: list[DesignWarning]) -> list[tuple[str, str]]:
    return [(w.code, w.node) for w in ws]


# Fragments of designs: a planner, its workers and their join.
PLANNED = """
  - {name: plan, kind: planner, role: r}
  - {name: workers, kind: fan_out, target: worker}
  - {name: worker, kind: agent, role: r, input: subtask, max_steps: 3}
"""

# --- the traps ---------------------------------------------------------------------------

ANSWER_ONLY = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 1, tools: [answer]}
edges:
  - {source: a, target: end}
"""


def test_an_agent_with_only_the_answer_tool_reading_the_question(tmp_path: Path) -> None:
    (w,) = warnings_of(tmp_path, ANSWER_ONLY)
    assert (w.code, w.node) == ("blind-writer", "a")
    assert "node 'a'" in w.message and "set input: handoff" in w.message
    assert "\n" not in w.message and str(w) == w.message
    fixed = ANSWER_ONLY.replace("tools: [answer]", "tools: [answer], input: handoff")
    assert warnings_of(tmp_path, fixed) == []


WRITER_AFTER_WORKERS = f"""entry: plan
nodes:{PLANNED}
  - {{name: merge, kind: aggregate}}
  - {{name: write, kind: agent, role: s, max_steps: 5, input: INPUT}}
edges:
  - {{source: plan, target: workers}}
  - {{source: workers, target: merge}}
  - {{source: merge, target: write}}
  - {{source: write, target: end}}
"""


def test_a_writer_after_a_fan_out_that_reads_only_the_question(tmp_path: Path) -> None:
    ws = warnings_of(tmp_path, WRITER_AFTER_WORKERS.replace("INPUT", "question"))
    assert codes(ws) == [("blind-writer", "write")]
    assert "after planner 'plan'" in ws[0].message and "set input: handoff" in ws[0].message
    assert warnings_of(tmp_path, WRITER_AFTER_WORKERS.replace("INPUT", "handoff")) == []


def test_a_researcher_after_a_vote_overwrites_it(tmp_path: Path) -> None:  # NEW: copies
    body = """entry: crowd
nodes:
  - {name: crowd, kind: fan_out, target: peer, copies: 3}
  - {name: peer, kind: agent, role: r, max_steps: 3}
  - {name: vote, kind: aggregate, strategy: vote}
  - {name: again, kind: agent, role: s, max_steps: 5}
edges:
  - {source: crowd, target: vote}
  - {source: vote, target: again}
  - {source: again, target: end}
"""
    assert codes(warnings_of(tmp_path, body)) == [("blind-writer", "again")]


EMPTY_FAN_OUT = """entry: workers
nodes:
  - {name: workers, kind: fan_out, target: worker}
  - {name: worker, kind: agent, role: r, input: subtask, max_steps: 3}
  - {name: merge, kind: aggregate}
  - {name: write, kind: agent, role: s, input: handoff, tools: [answer], max_steps: 1}
edges:
  - {source: workers, target: merge}
  - {source: merge, target: write}
  - {source: write, target: end}
"""


def test_a_fan_out_with_no_copies_and_no_planner_runs_nothing(tmp_path: Path) -> None:
    ws = warnings_of(tmp_path, EMPTY_FAN_OUT)
    assert codes(ws) == [("empty-fan-out", "workers")]
    assert "set copies: N" in ws[0].message and "planner" in ws[0].message


def test_a_fan_out_with_copies_needs_no_planner(tmp_path: Path) -> None:  # NEW: copies
    body = EMPTY_FAN_OUT.replace("target: worker}", "target: worker, copies: 3}").replace(
        "input: subtask, ", ""
    )
    assert warnings_of(tmp_path, body) == []


def test_rule_any_failed_with_no_reports_never_replans(tmp_path: Path) -> None:
    body = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  - {name: check, kind: router, rule: any_failed, max_visits: 2, default: finish}
edges:
  - {source: a, target: check}
  - {source: check, target: a, label: replan}
  - {source: check, target: end, label: finish}
"""
    ws = warnings_of(tmp_path, body)
    assert codes(ws) == [("dead-condition", "check")]  # it leaves at once: no endless loop
    assert "rule any_failed" in ws[0].message and "fan_out" in ws[0].message


ACCEPT_OR_AGAIN = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  VERIFIER
  - {name: check, kind: router, max_visits: 3, default: accepted}
edges:
  - {source: a, target: FIRST}
  VERIFY_EDGE
  - {source: check, target: end, when: accepted}
  - {source: check, target: a, when: otherwise}
"""


def _accept_or_again(verifier: bool) -> str:
    v = "- {name: v, kind: agent, role: s, prompt: verify, max_steps: 3}" if verifier else ""
    e = "- {source: v, target: check}" if verifier else ""
    return (
        ACCEPT_OR_AGAIN.replace("VERIFIER", v)
        .replace("VERIFY_EDGE", e)
        .replace("FIRST", "v" if verifier else "check")
    )


def test_accepted_with_no_verifier_and_a_loop_that_only_its_budget_ends(
    tmp_path: Path,
) -> None:  # NEW: when
    ws = warnings_of(tmp_path, _accept_or_again(verifier=False))
    assert codes(ws) == [("dead-condition", "check"), ("endless-loop", "check")]
    assert "when: accepted" in ws[0].message and "verify" in ws[0].message
    assert "a -> check -> a" in ws[1].message and "max_visits (3)" in ws[1].message
    assert warnings_of(tmp_path, _accept_or_again(verifier=True)) == []


@pytest.mark.parametrize(
    ("edges", "fragment"),
    [
        ("[none_failed, otherwise]", "when: none_failed"),
        ("[rejected, otherwise]", "when: rejected"),
    ],
)
def test_a_condition_nothing_before_the_router_produces(
    tmp_path: Path, edges: str, fragment: str
) -> None:  # NEW: when
    first, second = edges.strip("[]").split(", ")
    body = f"""entry: a
nodes:
  - {{name: a, kind: agent, role: r, max_steps: 3}}
  - {{name: write, kind: agent, role: s, max_steps: 3}}
  - {{name: pick, kind: router}}
edges:
  - {{source: a, target: pick}}
  - {{source: pick, target: end, when: {first}}}
  - {{source: pick, target: write, when: {second}}}
  - {{source: write, target: end}}
"""
    ws = warnings_of(tmp_path, body)
    assert codes(ws) == [("dead-condition", "pick")]
    assert fragment in ws[0].message


def test_budget_left_on_a_router_without_a_budget(tmp_path: Path) -> None:  # NEW: when
    body = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  - {name: write, kind: agent, role: s, max_steps: 3}
  - {name: pick, kind: router}
edges:
  - {source: a, target: pick}
  - {source: pick, target: write, when: budget_left}
  - {source: pick, target: end, when: otherwise}
  - {source: write, target: end}
"""
    ws = warnings_of(tmp_path, body)
    assert codes(ws) == [("dead-condition", "pick")] and "set max_visits" in ws[0].message


def test_a_fixed_number_of_rounds_is_no_endless_loop(tmp_path: Path) -> None:  # NEW: when
    body = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  - {name: again, kind: router, max_visits: 2}
edges:
  - {source: a, target: again}
  - {source: again, target: a, when: budget_left}
  - {source: again, target: end, when: otherwise}
"""
    assert warnings_of(tmp_path, body) == []


VOTE = f"""entry: plan
nodes:{PLANNED}
  - {{name: pick, kind: aggregate, strategy: STRATEGY}}
edges:
  - {{source: plan, target: workers}}
  - {{source: workers, target: pick}}
  - {{source: pick, target: end}}
"""


@pytest.mark.parametrize("strategy", ["vote", "judge"])
def test_a_vote_among_reports_has_no_answer_to_count(tmp_path: Path, strategy: str) -> None:
    body = VOTE.replace("STRATEGY", strategy)
    if strategy == "judge":
        body = body.replace("strategy: judge", "strategy: judge, role: s")
    ws = warnings_of(tmp_path, body)
    assert codes(ws) == [("aggregate-nothing", "pick")]
    assert "only write reports" in ws[0].message and "prompt: researcher" in ws[0].message
    answering = body.replace("input: subtask,", "input: subtask, prompt: researcher,")
    assert warnings_of(tmp_path, answering) == []


def test_a_debate_with_a_single_branch(tmp_path: Path) -> None:
    body = WRITER_AFTER_WORKERS.replace("INPUT", "handoff")
    one = body.replace("target: worker}", "target: worker, width: 1}").replace(
        "kind: aggregate}", "kind: aggregate, rounds: 1}"
    )
    ws = warnings_of(tmp_path, one)
    assert codes(ws) == [("aggregate-nothing", "merge")]
    assert "single branch" in ws[0].message and "rounds: 0" in ws[0].message
    wide = one.replace("width: 1", "width: 3")
    assert warnings_of(tmp_path, wide) == []  # the planner decides: maybe several


def test_a_debate_of_one_copy(tmp_path: Path) -> None:  # NEW: copies, rounds
    body = """entry: crowd
nodes:
  - {name: crowd, kind: fan_out, target: peer, copies: COPIES}
  - {name: peer, kind: agent, role: r, max_steps: 3}
  - {name: vote, kind: aggregate, strategy: vote, rounds: 2}
edges:
  - {source: crowd, target: vote}
  - {source: vote, target: end}
"""
    assert codes(warnings_of(tmp_path, body.replace("COPIES", "1"))) == [
        ("aggregate-nothing", "vote")
    ]
    assert warnings_of(tmp_path, body.replace("COPIES", "3")) == []


def test_a_verifier_with_nothing_to_check_or_no_way_to_check(tmp_path: Path) -> None:
    alone = """entry: v
nodes:
  - {name: v, kind: agent, role: r, prompt: verify, max_steps: 3}
edges:
  - {source: v, target: end}
"""
    ws = warnings_of(tmp_path, alone)
    assert codes(ws) == [("verify-nothing", "v")] and "nothing before it" in ws[0].message
    blind = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  - {name: v, kind: agent, role: s, prompt: verify, max_steps: 3, tools: [search, answer]}
edges:
  - {source: a, target: v}
  - {source: v, target: end}
"""
    ws = warnings_of(tmp_path, blind)
    assert codes(ws) == [("verify-nothing", "v")] and "add 'open'" in ws[0].message


# --- designs without traps -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(builtin_architectures()))
def test_no_builtin_has_a_warning(name: str) -> None:
    assert lint(compile_architecture(builtin_architectures()[name])) == []


NEW_DESIGNS = {
    "independent": """entry: crowd
nodes:
  - {name: crowd, kind: fan_out, target: peer, copies: 3}
  - {name: peer, kind: agent, role: r, max_steps: 5}
  - {name: vote, kind: aggregate, strategy: vote}
edges:
  - {source: crowd, target: vote}
  - {source: vote, target: end}
""",
    "decentralized": """entry: crowd
nodes:
  - {name: crowd, kind: fan_out, target: peer, copies: 3}
  - {name: peer, kind: agent, role: r, max_steps: 5}
  - {name: debate, kind: aggregate, strategy: vote, rounds: 2}
edges:
  - {source: crowd, target: debate}
  - {source: debate, target: end}
""",
    "hybrid-debate": f"""entry: plan
nodes:{PLANNED}
  - {{name: merge, kind: aggregate, rounds: 1}}
  - {{name: write, kind: agent, role: r, input: handoff, tools: [answer], max_steps: 1}}
edges:
  - {{source: plan, target: workers}}
  - {{source: workers, target: merge}}
  - {{source: merge, target: write}}
  - {{source: write, target: end}}
""",
    "verifier-loop": """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 5}
  - {name: v, kind: agent, role: s, prompt: verify, max_steps: 3}
  - {name: check, kind: router, max_visits: 2, default: accepted}
edges:
  - {source: a, target: v}
  - {source: v, target: check}
  - {source: check, target: end, when: accepted}
  - {source: check, target: a, when: rejected}
""",
    "mixture-of-agents": """entry: start
nodes:
  - {name: start, kind: aggregate}
  - {name: x, kind: agent, role: r, max_steps: 5}
  - {name: y, kind: agent, role: s, max_steps: 5}
  - {name: z, kind: agent, role: r, max_steps: 5}
  - {name: mix, kind: aggregate, strategy: merge, role: s}
edges:
  - {source: start, target: x}
  - {source: start, target: y}
  - {source: start, target: z}
  - {source: x, target: mix}
  - {source: y, target: mix}
  - {source: z, target: mix}
  - {source: mix, target: end}
""",
    "workers-replan": f"""entry: plan
nodes:{PLANNED}
  - {{name: merge, kind: aggregate}}
  - {{name: check, kind: router, max_visits: 2, default: done}}
  - {{name: write, kind: agent, role: r, input: handoff, tools: [answer], max_steps: 1}}
edges:
  - {{source: plan, target: workers}}
  - {{source: workers, target: merge}}
  - {{source: merge, target: check}}
  - {{source: check, target: plan, when: any_failed, label: replan}}
  - {{source: check, target: write, when: otherwise, label: done}}
  - {{source: write, target: end}}
""",
}


@pytest.mark.parametrize("name", sorted(NEW_DESIGNS))
def test_the_new_designs_have_no_warning(tmp_path: Path, name: str) -> None:  # NEW
    assert warnings_of(tmp_path, NEW_DESIGNS[name], name=name) == []


# --- the command line ----------------------------------------------------------------------


def test_list_check_a_good_file_and_a_builtin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = design(tmp_path, "good", WRITER_AFTER_WORKERS.replace("INPUT", "handoff"))
    code, out, err = cli(["list", "--check", str(good)], capsys)
    assert (code, out, err) == (0, "ok: good (5 nodes)\n", "")
    code, out, err = cli(["list", "--check", "kimi-researcher"], capsys)
    assert (code, out, err) == (0, "ok: kimi-researcher (1 node)\n", "")


def test_list_check_prints_each_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trap = design(tmp_path, "trap", WRITER_AFTER_WORKERS.replace("INPUT", "question"))
    code, out, err = cli(["list", "--check", str(trap)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "ok: trap (5 nodes)" and len(lines) == 2
    assert lines[1].startswith("warning: architecture 'trap': node 'write' answers")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (ANSWER_ONLY.replace("target: end", "target: nowhere"), "unknown node 'nowhere'"),
        ("entry: a\nnodes: [\n", "cannot be read"),
        (ANSWER_ONLY.replace("max_steps: 1", "max_steps: many"), "max_steps"),
    ],
)
def test_list_check_an_invalid_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, fragment: str
) -> None:
    bad = design(tmp_path, "bad", body)
    code, out, err = cli(["list", "--check", str(bad)], capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("archbench: error: ") and fragment in err


def test_list_check_help_and_misuse(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["list", "--help"], capsys)
    assert code == 0 and "--check" in out and "warnings" in out
    code, _, err = cli(["list", "models", "--check", "kimi-researcher"], capsys)
    assert code == 2 and "not both" in err


ONE_TASK = ["--task", "mini-lookup"]


def test_compare_prints_each_warning_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_file: Path
) -> None:
    trap = design(tmp_path, "blind", ANSWER_ONLY)
    args = ["compare", "--arch", str(trap), "--arch", "kimi-researcher", "--suite"]
    code, _, err = cli([*args, str(mini_file), "--seeds", "2", *ONE_TASK, "-q"], capsys)
    assert code == 0, err
    line = "warning: architecture 'blind': node 'a' has only the answer tool"
    assert err.count(line) == 1 and err.count("warning:") == 1
    code, _, err = cli(["compare", "--arch", "kimi-researcher", "--suite", str(mini_file),
                        "--seeds", "1", *ONE_TASK, "-q"], capsys)  # fmt: skip
    assert code == 0 and "warning" not in err


def test_run_prints_the_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_file: Path
) -> None:
    trap = design(tmp_path, "blind", ANSWER_ONLY)
    code, out, err = cli(["run", str(trap), *ONE_TASK, "--suite", str(mini_file)], capsys)
    assert code == 0, err
    assert err.count("warning: architecture 'blind': node 'a'") == 1 and "warning" not in out


def test_sweep_prints_each_warning_once_over_its_cells(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mini_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = ANSWER_ONLY.replace("max_steps: 1", "max_steps: '${steps}'")
    trap = load_architecture(
        str(design(tmp_path, "blind", body + "params: {steps: {default: 1}}\n"))
    )
    # as a built-in: a sweep's cells name their architectures, which a file's name is not
    builtins = {**builtin_architectures(), "blind": trap}
    monkeypatch.setattr(loader, "builtin_architectures", lambda: builtins)
    args = ["sweep", "steps=1,2", "--arch", "blind", "--suite", str(mini_file), "--seeds", "1"]
    args += ["--family", "lookup", "--out", str(tmp_path / "out"), "--no-report", "-q"]
    code, _, err = cli(args, capsys)
    assert code == 0, err
    assert err.count("warning: architecture 'blind': node 'a'") == 1


def test_graph_lists_warnings_after_the_drawing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trap = design(tmp_path, "blind", ANSWER_ONLY)
    code, out, err = cli(["graph", str(trap), "--plain"], capsys)
    assert code == 0 and "blind" in out and "warning" not in out
    assert err.splitlines() == [
        line for line in err.splitlines() if line.startswith("warning: architecture 'blind'")
    ]
    assert len(err.splitlines()) == 1
    code, _, err = cli(["graph", str(trap), "-o", str(tmp_path / "g.mmd")], capsys)
    assert code == 0 and err.count("warning: architecture 'blind'") == 1


def test_a_loop_a_model_router_may_leave_is_no_endless_loop(tmp_path: Path) -> None:
    body = """entry: a
nodes:
  - {name: a, kind: agent, role: r, max_steps: 3}
  - {name: review, kind: router, rule: model, role: s, max_visits: 2, default: finish}
edges:
  - {source: a, target: review}
  - {source: review, target: a, label: again}
  - {source: review, target: end, label: finish}
"""
    assert warnings_of(tmp_path, body) == []


def test_the_public_api_exports_lint() -> None:
    import harness

    assert harness.lint is lint and harness.DesignWarning is DesignWarning
