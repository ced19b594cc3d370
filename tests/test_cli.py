"""The CLI as a user meets it: output, files written, and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import cli

from harness.sim.version import SIM_VERSION

FIELDS = {
    "architecture",
    "episodes",
    "accuracy",
    "accuracy_ci95",
    "mean_steps",
    "mean_tool_calls",
    "mean_input_tokens",
    "mean_output_tokens",
    "mean_cost_usd",
    "mean_latency_s",
    "by_family",
}


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["--help"], capsys)
    assert code == 0
    for cmd in ("list", "compare", "run"):
        assert cmd in out
    code, out, _ = cli(["compare", "--help"], capsys)
    assert code == 0 and "--model" in out and "--set" in out and "--json" in out


def test_compare_writes_json_and_run_dir(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "s.json"
    code, out, err = cli(
        [
            "compare",
            "--suite",
            str(mini_file),
            "--seeds",
            "2",
            "--json",
            str(out_json),
            "--out",
            str(tmp_path / "run"),
            "-q",
        ],
        capsys,
    )
    assert code == 0, err
    document = json.loads(out_json.read_text())
    assert document["format_version"] == 2 and document["baseline"] == "kimi-researcher"
    data = document["architectures"]
    assert [d["architecture"] for d in data] == [
        "kimi-researcher",
        "manus-workflow",
        "minimax-hybrid",
        "orchestrator-workers",
    ]
    for d in data:
        assert FIELDS <= set(d)
        assert d["episodes"] == 10
        assert set(d["by_family"]) == {"lookup", "multi_hop", "breadth", "conflict", "dead_end"}
        assert 0 <= d["accuracy_ci95"][0] <= d["accuracy"] <= d["accuracy_ci95"][1] <= 1
    assert "kimi-researcher" in out and "accuracy" in out
    run = tmp_path / "run"
    lines = (run / "results.jsonl").read_text().splitlines()
    assert len(lines) == 40 and all(json.loads(x)["format_version"] == 1 for x in lines)
    assert len((run / "traces.jsonl").read_text().splitlines()) == 40
    config = json.loads((run / "config.json").read_text())
    assert config["format_version"] == 2 and config["seeds"] == [0, 1]
    assert config["sim_version"] == SIM_VERSION
    assert json.loads((run / "summary.json").read_text()) == {
        "format_version": 2,
        "sim_version": SIM_VERSION,
        "architectures": data,
    }
    assert (run / "report" / "index.html").is_file()
    assert f"report written to {run / 'report' / 'index.html'}" in err


def test_same_seed_gives_byte_identical_json(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = []
    for i in range(2):
        path = tmp_path / f"{i}.json"
        cli(
            ["compare", "--suite", str(mini_file), "--seed", "7", "--json", str(path), "-q"], capsys
        )
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]


def test_model_and_set_rebind_from_the_cli(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    code, _, err = cli(
        [
            "compare",
            "--arch",
            "kimi-researcher",
            "--suite",
            str(mini_file),
            "--seeds",
            "1",
            "--model",
            "agent=mock/perfect",
            "--set",
            "max_steps=12",
            "--json",
            str(path),
            "-q",
        ],
        capsys,
    )
    assert code == 0, err
    (summary,) = json.loads(path.read_text())["architectures"]
    assert summary["accuracy"] == 1.0
    assert summary["cost_by_model"].keys() == {"mock/perfect"}


def test_run_prints_the_trace(mini_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        ["run", "minimax-hybrid", "--task", "mini-dead-end", "--suite", str(mini_file)], capsys
    )
    assert code == 0, err
    assert "-> search(" in out and "outcome: answered" in out
    assert "mock/minimax-m1" in out


def bad_arch_file(tmp_path: Path, text: str, name: str = "arch.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare", "--arch", "nope"], "unknown architecture 'nope'"),
        (["compare", "--suite", "nope"], "unknown suite 'nope'"),
        (["compare", "--model", "agent=mock/gpt-9"], "unknown simulated model 'mock/gpt-9'"),
        (["compare", "--model", "agent"], "--model 'agent' must look like NAME=VALUE"),
        (["compare", "--model", "boss=mock/o3"], "no selected architecture has role 'boss'"),
        (["compare", "--set", "max_steps=many"], "parameter 'max_steps' must be int, got 'many'"),
        (["compare", "--set", "depth=3"], "no selected architecture has parameter 'depth'"),
        (["compare", "--seeds", "0"], "--seeds"),
        (["compare", "--bogus"], "No such option: --bogus"),
        (["run", "kimi-researcher", "--task", "nope"], "unknown task 'nope'"),
        (["list", "widgets"], "unknown kind 'widgets'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str], mini_file: Path
) -> None:
    if args[0] in ("compare", "run") and "--suite" not in args:
        args = [*args, "--suite", str(mini_file)]
    code, _, err = cli(args, capsys)
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_broken_files_are_one_line_exit_2(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        (bad_arch_file(tmp_path, "name: x\nroles: [unclosed\n"), "cannot be read"),
        (
            bad_arch_file(
                tmp_path, "name: x\nroles: {a: mock/o3}\nentry: a\nnodes: []\n", "b.yaml"
            ),
            "field 'edges': Field required",
        ),
        (
            bad_arch_file(
                tmp_path,
                "name = 'x'\nroles = {a = 'mock/o3'}\nentry = 'a'\nedges = []\n"
                "[[nodes]]\nname = 'a'\nkind = 'agent'\nrole = 'a'\n",
                "c.toml",
            ),
            "is a loop with no step budget",
        ),
        (str(tmp_path / "missing.yaml"), "does not exist"),
    ]
    for path, expected in cases:
        code, _, err = cli(["compare", "--arch", path, "--suite", str(mini_file)], capsys)
        assert code == 2, err
        assert expected in err and path in err or expected in err
        assert len(err.strip().splitlines()) == 1

    bad_suite = tmp_path / "suite.json"
    data = json.loads(mini_file.read_text())
    data["tasks"][0]["family"] = "riddle"
    bad_suite.write_text(json.dumps(data))
    code, _, err = cli(["compare", "--suite", str(bad_suite)], capsys)
    assert code == 2 and "field 'tasks.0.family'" in err and str(bad_suite) in err

    data["tasks"][0]["family"] = "lookup"
    data["tasks"][0]["support_docs"] = ["d99"]
    bad_suite.write_text(json.dumps(data))
    code, _, err = cli(["compare", "--suite", str(bad_suite)], capsys)
    assert code == 2 and "missing document 'd99'" in err


def test_user_file_architecture_runs(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bad_arch_file(
        tmp_path,
        "name: my-agent\nroles: {agent: mock/perfect}\nentry: loop\n"
        "params: {max_steps: {default: 9}}\n"
        "nodes:\n  - {name: loop, kind: agent, role: agent, max_steps: '${max_steps}'}\n"
        "edges:\n  - {source: loop, target: end}\n",
        "mine.yaml",
    )
    out_json = tmp_path / "o.json"
    code, _, err = cli(
        [
            "compare",
            "--arch",
            path,
            "--suite",
            str(mini_file),
            "--seeds",
            "1",
            "--json",
            str(out_json),
            "-q",
        ],
        capsys,
    )
    assert code == 0, err
    (s,) = json.loads(out_json.read_text())["architectures"]
    assert s["architecture"] == "my-agent" and s["accuracy"] == 1.0


def test_out_dir_is_never_overwritten(
    tmp_path: Path, mini_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    args = [
        "compare",
        "--arch",
        "kimi-researcher",
        "--suite",
        str(mini_file),
        "--seeds",
        "1",
        "--out",
        str(run),
        "-q",
    ]
    assert cli(args, capsys)[0] == 0
    before = (run / "results.jsonl").read_bytes()
    code, _, err = cli(args, capsys)
    assert code == 2 and "already holds a run" in err
    assert (run / "results.jsonl").read_bytes() == before


def test_list_shows_architectures_models_and_suites(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["list"], capsys)
    assert code == 0, err
    for name in ("kimi-researcher", "orchestrator-workers", "mock/minimax-m1", "article"):
        assert name in out
    code, out, _ = cli(["list", "suites"], capsys)
    assert "default" in out and "kimi-researcher" not in out
