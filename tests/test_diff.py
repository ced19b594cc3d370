"""`archbench diff` and `harness.diff_runs`: two runs compared episode by episode, with
the numbers `compare --baseline` gives for the same pairing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import cli

import harness
from harness import compare, diff_runs
from harness.errors import ConfigError
from harness.task import TaskSuite

KIMI, MANUS = "kimi-researcher", "manus-workflow"
METRICS = ("accuracy", "cost", "tokens", "latency")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, mini: TaskSuite) -> dict[str, Path]:
    """Small runs of the mini suite: `a` and `again` with the same settings, `null` with
    kimi-researcher's model replaced by one that answers nothing right, and each design
    alone (`kimi`, `manus`)."""
    root = tmp_path_factory.mktemp("diff")
    made = {
        "a": ([KIMI, MANUS], None),
        "again": ([KIMI, MANUS], None),
        "null": ([KIMI, MANUS], {"agent": "mock/null"}),
        "kimi": ([KIMI], None),
        "manus": ([MANUS], None),
    }
    for name, (archs, models) in made.items():
        compare(archs, suite=mini, seeds=2, models=models, out=root / name, keep_results=False)
    return {name: root / name for name in made}


def test_the_same_settings_twice_differ_by_nothing(runs: dict[str, Path]) -> None:
    d = diff_runs(runs["a"], runs["again"])
    assert isinstance(d, harness.RunDiff)
    assert [(x.a, x.b, x.pairs) for x in d.architectures] == [(KIMI, KIMI, 10), (MANUS, MANUS, 10)]
    for x in d.architectures:
        for metric in METRICS:
            est = x.metric(metric)
            assert est is not None and (est.mean, est.lo, est.hi) == (0.0, 0.0, 0.0)
        assert set(x.verdicts().values()) == {"within noise"}
        assert x.lost == x.gained == x.only_a == x.only_b == ()
    assert d.notes == () and d.not_compared_a == d.not_compared_b == ()


def test_a_weaker_model_is_lower_and_its_flips_are_listed(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = diff_runs(runs["a"], runs["null"], archs=[KIMI])
    (kimi,) = d.architectures
    acc = kimi.metric("accuracy")
    assert acc is not None and acc.mean < 0 and acc.hi < 0  # the interval excludes 0
    assert kimi.verdicts()["accuracy"] == "lower"
    assert kimi.accuracy_a > kimi.accuracy_b
    assert len(kimi.lost) == round((kimi.accuracy_a - kimi.accuracy_b) * 10) and not kimi.gained
    assert all(f.correct_a and not f.correct_b for f in kimi.lost)
    assert d.not_compared_a == d.not_compared_b == (MANUS,)
    doc = d.to_json(show=2)
    assert doc["format_version"] == 1
    flips = doc["architectures"][0]["flips"]
    assert flips["correct_in_a_only"] == len(kimi.lost) and len(flips["lost"]) == 2
    assert {"task_id", "seed", "world", "correct_a", "correct_b"} <= set(flips["lost"][0])

    code, out, err = cli(["diff", str(runs["a"]), str(runs["null"]), "--show", "1"], capsys)
    assert code == 0, err
    assert "run B minus run A" in out and "lower" in out and "within noise" in out
    first = kimi.lost[0]
    assert "right -> wrong" in out and first.task_id in out
    assert out.count("right -> wrong") == 1  # --show 1

    code, out, _ = cli(["diff", str(runs["a"]), str(runs["null"]), "--json", "-"], capsys)
    assert code == 0
    document = json.loads(out)  # nothing else on stdout
    verdicts = {a["a"]: a["differences"]["accuracy"]["verdict"] for a in document["architectures"]}
    assert verdicts == {KIMI: "lower", MANUS: "within noise"}  # manus has no "agent" role


def test_the_numbers_are_those_of_compare_baseline(runs: dict[str, Path], mini: TaskSuite) -> None:
    both = compare([KIMI, MANUS], suite=mini, seeds=2)
    (expected,) = both.paired_differences(KIMI)  # manus - kimi in one run
    # the same run against itself, and the two designs run separately
    for a, b in ((runs["a"], runs["a"]), (runs["kimi"], runs["manus"])):
        (got,) = diff_runs(a, b, pairs={KIMI: MANUS}).architectures
        assert (got.a, got.b, got.pairs, got.label) == (KIMI, MANUS, 10, f"{KIMI} -> {MANUS}")
        for metric in METRICS:
            assert got.metric(metric) == expected.metric(metric), metric


def test_episodes_in_one_run_only_are_left_out_and_said(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short"
    shutil.copytree(runs["again"], short)
    lines = (short / "results.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = json.loads(lines[0])
    # the first episode lost, and the last line cut short as an interrupted run leaves it
    (short / "results.jsonl").write_text("".join(lines[1:]) + lines[0][:40], encoding="utf-8")
    d = diff_runs(runs["a"], short)
    first = d.architectures[0]
    assert first.pairs == 9
    assert first.only_a == ((0, dropped["task_id"], dropped["seed"]),) and first.only_b == ()
    assert any("left out of the pairing" in n for n in d.notes)
    assert any("cut short" in n for n in d.notes)
    code, _, err = cli(["diff", str(runs["a"]), str(short)], capsys)
    assert code == 0 and "1 episode(s) only in run A" in err


def test_html_page_holds_the_table_escaped(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "[/x]<script>alert(1)</script>"
    dirs = []
    for name in ("a", "null"):
        copy = tmp_path / name
        shutil.copytree(runs[name], copy)
        path = copy / "results.jsonl"
        text = path.read_text(encoding="utf-8").replace('"mini-lookup"', json.dumps(hostile))
        path.write_text(text, encoding="utf-8")
        dirs.append(str(copy))
    page = tmp_path / "diff.html"
    code, out, err = cli(["diff", *dirs, "--html", str(page), "--arch", KIMI], capsys)
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "<table>" in html and "Paired differences" in html and "lower" in html
    assert hostile not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html  # self-contained
    assert hostile in out  # the terminal shows it as typed: never read as markup


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{a}", "{missing}"], "run B '{missing}' does not exist"),
        (["{empty}", "{a}"], "holds no results"),
        (["{a}", "{damaged}"], "is damaged"),
        (["{a}", "{a}", "--arch", "nosuch"], "--arch 'nosuch' is not an architecture of run A"),
        (["{kimi}", "{manus}"], "share no architecture; pair two with --pair"),
        (["{kimi}", "{manus}", "--pair", "kimi-researcher"], "must look like NAME=VALUE"),
        (["{kimi}", "{manus}", "--pair", f"{KIMI}=nosuch"], "'nosuch' is not an architecture"),
        (["{a}", "{other_seeds}"], "no episode in common"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runs: dict[str, Path],
    tmp_path: Path,
    mini: TaskSuite,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "empty").mkdir()
    damaged = tmp_path / "damaged"
    shutil.copytree(runs["a"], damaged)
    lines = (damaged / "results.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (damaged / "results.jsonl").write_text("".join(["{not json\n", *lines]), encoding="utf-8")
    where = {**{k: str(v) for k, v in runs.items()}, "missing": str(tmp_path / "nope")}
    where |= {"empty": str(tmp_path / "empty"), "damaged": str(damaged)}
    if "{other_seeds}" in args:
        where["other_seeds"] = str(tmp_path / "other")
        compare([KIMI, MANUS], suite=mini, seeds=1, seed=7, out=tmp_path / "other")
    argv = ["diff", *(a.format(**where) for a in args)]
    code, out, err = cli(argv, capsys)
    assert code == 2
    assert err.startswith("archbench: error: ") and err.count("\n") == 1, err
    assert message.format(**where) in err
    assert "Traceback" not in err and out == ""


def test_api_raises_config_errors(runs: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="--pair"):
        diff_runs(runs["a"], runs["a"], pairs={"nosuch": KIMI})
