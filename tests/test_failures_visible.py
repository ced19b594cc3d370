"""A run whose episodes end in `error` says so: an errors column in every summary table,
`errors` in --json, exit code 1 with how many and where the reasons are (unless
--max-errors allows them), retries and their reasons with -v, and no matplotlib warning
when the report draws a run that never got a token. It used to exit 0 and print "0.0%"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_runner import cli
from fake_hostile import refused_url

from harness.backends.providers import LOOPBACK_ONLY_ENV


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> str:
    """A model whose server is down: every call is refused, retried once, then fails."""
    monkeypatch.setenv(LOOPBACK_ONLY_ENV, "1")
    return f"openai-compatible/x@{refused_url()}?max_retries=1&backoff=0.01"


def errors_column(out: str, arch: str) -> str:
    """The `errors` cell of `arch`'s row in the first table that has the column."""
    lines = out.splitlines()
    header = next(line for line in lines if "errors" in line and "architecture" in line)
    cols = [c.strip() for c in re.split(r"[┃│]", header)]
    row = next(line for line in lines if f" {arch} " in line and "│" in line)
    return [c.strip() for c in re.split(r"[┃│]", row)][cols.index("errors")]


COMPARE = ["compare", "-a", "kimi-researcher", "-a", "manus-workflow", "--seeds", "1", "-q"]


def test_a_run_whose_every_episode_failed_exits_1_and_says_where(
    down: str,
    mini_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    recwarn: pytest.WarningsRecorder,
) -> None:
    run, summary = tmp_path / "run", tmp_path / "s.json"
    args = [*COMPARE, "--suite", str(mini_file), "-m", f"*={down}", "--no-cache"]
    code, out, err = cli([*args, "-o", str(run), "--json", str(summary)], capsys)
    assert code == 1, err
    assert errors_column(out, "kimi-researcher") == "5"
    assert errors_column(out, "manus-workflow") == "5"
    assert "/ errors by task family" in out  # the family table counts them too
    last = err.strip().splitlines()[-1]
    assert last.startswith("archbench: 10 of 10 episodes ended in error")
    assert str(run / "results.jsonl") in last and "-v shows retries" in last
    # the report draws episodes without a token: no log scale, so no matplotlib warning
    assert not [w for w in recwarn if "log-scale" in str(w.message)]
    assert "Warning" not in err
    assert (run / "report" / "index.html").exists()
    document = json.loads(summary.read_text())
    assert document["errors"] == 10
    assert document["errors_by_architecture"] == {"kimi-researcher": 5, "manus-workflow": 5}
    outcomes = [json.loads(x)["outcome"] for x in (run / "results.jsonl").read_text().splitlines()]
    assert outcomes == ["error"] * 10


def test_max_errors_allows_up_to_n_failed_episodes(
    down: str, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*COMPARE, "--suite", str(mini_file), "-m", f"*={down}", "--no-cache"]
    code, _, err = cli([*args, "--max-errors", "10"], capsys)
    assert code == 0, err
    assert "note: 10 of 10 episodes ended in error, within --max-errors 10" in err
    assert "pass --out DIR to keep each episode's reason" in err
    code, _, err = cli([*args, "--max-errors", "9", "--json", "-"], capsys)
    assert code == 1 and "(--max-errors allows 9)" in err


def test_budgets_and_wrong_answers_are_results_not_failures(
    mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`budget_exhausted`, `context_overflow` and `no_answer` are what a design did within
    its limits: exit code 0, errors 0."""
    code, out, err = cli([*COMPARE, "--suite", str(mini_file), "--max-steps", "1"], capsys)
    assert code == 0, err
    assert errors_column(out, "kimi-researcher") == "0"
    assert "ended in error" not in err


def test_verbose_shows_retries_and_their_reasons(
    down: str, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "kimi-researcher", "-t", "mini-lookup", "--suite", str(mini_file)]
    args += ["-m", f"agent={down}"]
    code, out, err = cli(args, capsys)
    assert code == 1 and "retrying" not in err  # the default level: warnings only
    assert "archbench: 1 of 1 episode ended in error; its reason is printed above" in err
    assert "connection refused" in out  # the episode's error, in the trace
    for flag in (["-v"], ["--log-level", "INFO"], ["--log-level", "debug"]):
        code, _, err = cli([*args, *flag, "--max-errors", "1"], capsys)
        assert code == 0, err
        retry = next(line for line in err.splitlines() if "retrying in" in line)
        assert retry.startswith("info: ") and "connection refused by 127.0.0.1" in retry


def test_a_sweep_counts_errors_per_cell_and_exits_1(
    down: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "sweep"
    args = ["sweep", f"model.agent={down},mock/kimi-k2", "-a", "kimi-researcher"]
    args += ["-f", "lookup", "--seeds", "1", "-o", str(out_dir), "-q", "--no-report"]
    code, out, err = cli(args, capsys)
    assert code == 1, err
    assert errors_column(out, "kimi-researcher") == "12"  # the first cell: all 12 failed
    rows = [line for line in out.splitlines() if " kimi-researcher " in line]
    assert [r.split("│")[-7].strip() for r in rows] == ["12", "0"]  # c001, c002
    last = err.strip().splitlines()[-1]
    assert "12 of 24 episodes ended in error" in last
    assert str(out_dir / "cells" / "c001" / "results.jsonl") in last and "c002" not in last
