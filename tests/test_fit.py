"""`archbench fit`: a run of a preset with known parameters, fitted back.

The round trip is the test of the whole chain (classification against the hidden
solution, the likelihood of each documented rule, the bootstrap): every parameter the
run identifies must have an interval that holds the preset's true value, and what it
cannot identify must keep the base value and say so. Bad profile files and a fit on a
role the run does not have are one line and exit 2; the same seed gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from serve_fixture import serve, serve_env, served_id

import harness
from harness.fitting.fit import fit_profile
from harness.fitting.loops import plan_of
from harness.fitting.profile_file import read_profile
from harness.sim.profiles import PRESETS
from tests.cli_runner import cli

__all__ = ["serve_env"]  # the fixture, imported for pytest

TRUE = "qwen-plus"  # skill 0.74, persistence 0.6, hallucination 0.06, fidelity 0.85, ...
BASE = "kimi-k2"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fit") / "run"
    harness.compare(
        ["kimi-researcher"], seeds=2, models={"agent": f"mock/{TRUE}"}, out=out, cache=False
    )
    return out


@pytest.fixture(scope="module")
def fitted(run_dir: Path) -> dict[str, object]:
    return fit_profile(run_dir, "agent", base=f"mock/{BASE}", reps=40, seed=3)


def _true(name: str) -> float:
    p = PRESETS[TRUE]
    prices = {"price_input": p.price.input, "price_output": p.price.output}
    return float(prices.get(name, getattr(p, name, 0.0)))


def test_round_trip_recovers_the_true_parameters(fitted: dict[str, object]) -> None:
    params, intervals = fitted["parameters"], fitted["intervals"]
    identified = fitted["identified"]
    assert isinstance(params, dict) and isinstance(intervals, dict)
    assert isinstance(identified, dict)
    # a single agent's run is rich in research steps: these must be identified
    for name in ("skill", "hallucination", "reasoning_tokens", "ttft_s", "tokens_per_s"):
        assert identified[name], name
    for name, ok in identified.items():
        if not ok:
            continue
        lo, hi = intervals[name]
        truth = _true(name)
        assert lo - 1e-6 <= truth <= hi + 1e-6, f"{name}: {truth} outside [{lo}, {hi}]"
    # the base's skill (0.82) is outside the fitted interval: the fit moved, not the prior
    lo, hi = intervals["skill"]
    assert not lo <= PRESETS[BASE].skill <= hi


@pytest.mark.usefixtures("serve_env")
def test_round_trip_over_the_wire(tmp_path: Path) -> None:
    """The same preset served by `archbench serve` in every role of a workflow, run through
    the real-backend path with --record: the planner's and the workers' behavioural
    parameters come back within their intervals, and every plan is read whole (the
    recording gives back the replies the trace cut). Timings are the server's wall clock,
    not the profile's, so they are not compared."""
    out = tmp_path / "served"
    with serve(f"mock/{TRUE}", "default") as url:
        harness.compare(
            ["manus-workflow"],
            seeds=1,
            models={"*": served_id(TRUE, url)},
            out=out,
            record=True,
            cache=False,
            concurrency=8,
        )
    assert (out / "recording.jsonl").is_file()
    for role in ("planner", "worker"):
        doc = fit_profile(out, role, base=f"mock/{BASE}", reps=30, seed=1)
        assert doc["identified"]["skill"]
        assert doc["source"]["loops_not_classified"] == 0
        names = ["skill", "hallucination", "persistence", "summary_fidelity", "compliance"]
        for name in [*names, "reasoning_tokens"]:
            if doc["identified"][name]:
                lo, hi = doc["intervals"][name]
                assert lo - 1e-6 <= _true(name) <= hi + 1e-6, (role, name, lo, hi)
        assert not any(k.startswith("unexplained") for k in doc["classes"]), doc["classes"]


def test_unidentified_parameters_keep_the_base_value(fitted: dict[str, object]) -> None:
    params, identified = fitted["parameters"], fitted["identified"]
    assert isinstance(params, dict) and isinstance(identified, dict)
    # a single agent writes no report and no summary here, and never meets long contexts
    for name in ("summary_fidelity", "degradation", "conformity"):
        assert identified[name] is False
        assert params[name] == getattr(PRESETS[BASE], name)
    src = fitted["source"]
    assert isinstance(src, dict)
    assert src["role"] == "agent" and src["models"] == {"kimi-researcher": f"mock/{TRUE}"}
    assert src["episodes"] == 120


def test_classes_name_the_mistakes(fitted: dict[str, object]) -> None:
    classes = fitted["classes"]
    assert isinstance(classes, dict)
    for kind in ("right next move", "wrong: repeat", "wrong: decoy opened", "wrong: vague search"):
        assert classes.get(kind, 0) > 0, kind
    assert not any(k.startswith("unexplained") for k in classes), classes


def test_same_seed_same_bytes_and_profile_runs_as_a_model(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        code, _, err = cli(
            [
                "fit",
                str(run_dir),
                "--role",
                "agent",
                "-o",
                str(path),
                "--bootstrap",
                "10",
                "--seed",
                "5",
            ],
            capsys,
        )
        assert code == 0, err
    assert a.read_bytes() == b.read_bytes()
    profile, doc = read_profile(a)
    assert profile.skill == doc["parameters"]["skill"]
    # the profile is a model; options still override it
    result = harness.compare(
        ["kimi-researcher"],
        seeds=1,
        tasks=["default-lookup-01", "default-dead_end-01"],
        models={"agent": f"mock/profile?file={a}&skill=1.0&hallucination=0"},
        cache=False,
    )
    assert result.summaries[0].accuracy == 1.0


def test_fit_on_a_missing_role_is_one_line(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(["fit", str(run_dir), "--role", "worker"], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and "no role 'worker'" in err and "agent" in err


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["parameters"].pop("skill"), "parameters.skill"),
        (lambda d: d["parameters"].update(persistence="high"), "parameters.persistence"),
        (lambda d: d["parameters"].update(hallucination=1.5), "parameters.hallucination"),
        (lambda d: d.update(version=9), "version"),
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.pop("parameters"), "parameters"),
    ],
)
def test_bad_profile_file_is_one_line(
    fitted: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, field
) -> None:
    doc = json.loads(json.dumps(fitted))
    edit(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    model = f"agent=mock/profile?file={path}"
    code, _, err = cli(["compare", "--arch", "kimi-researcher", "--model", model], capsys)
    assert code == 2
    line = err.strip()
    assert "\n" not in line and str(path) in line and f"'{field}'" in line


def test_profile_without_file_and_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        ["compare", "--arch", "kimi-researcher", "--model", "agent=mock/profile"], capsys
    )
    assert code == 2 and "file=" in err and "\n" not in err.strip()
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    code, _, err = cli(
        ["compare", "--arch", "kimi-researcher", "--model", f"agent=mock/profile?file={path}"],
        capsys,
    )
    assert code == 2 and str(path) in err and "\n" not in err.strip()


def test_workers_round_trip_identifies_reports_and_compliance(tmp_path: Path) -> None:
    """Workers of a fixed workflow write reports (summary_fidelity) and are briefed to read
    three documents and follow the plan (compliance): both come back with the rest."""
    out = tmp_path / "manus"
    harness.compare(
        ["manus-workflow"], seeds=2, models={"worker": f"mock/{TRUE}"}, out=out, cache=False
    )
    doc = fit_profile(out, "worker", base=f"mock/{BASE}", reps=30, seed=2)
    for name in ("skill", "hallucination", "summary_fidelity", "compliance"):
        assert doc["identified"][name], name
    for name, ok in doc["identified"].items():
        if ok:
            lo, hi = doc["intervals"][name]
            assert lo - 1e-6 <= _true(name) <= hi + 1e-6, f"{name} outside [{lo}, {hi}]"
    assert doc["classes"]["report: fact lost"] > 0
    assert not any(k.startswith("unexplained") for k in doc["classes"]), doc["classes"]


def test_a_plan_cut_by_the_trace_keeps_its_whole_sub_tasks() -> None:
    items = [
        {"question": f"What is entity {i} known for, and when?", "focus": f"E{i}"} for i in range(9)
    ]
    content = json.dumps({"subtasks": items})[:400]
    subs, cut = plan_of(content, "the question", True)
    assert cut and 0 < len(subs) < 9
    assert [s.focus for s in subs] == [f"E{i}" for i in range(len(subs))]
    whole, cut = plan_of(json.dumps({"subtasks": items}), "the question", False)
    assert not cut and len(whole) == 9  # a recording gave the reply back whole
    unreadable, cut = plan_of("no plan here", "the question", False)
    assert not cut and [s.question for s in unreadable] == ["the question"]


@pytest.mark.parametrize(
    ("arch", "role", "kinds"),
    [
        ("manus-workflow", "planner", ("split right", "left out", "merged", "cut short")),
        ("orchestrator-workers", "lead", ("route: right", "route: wrong", "chain joined")),
        ("manus-workflow", "writer", ("compared right", "runner-up", "link of the chain")),
    ],
)
def test_a_coordinators_skill_comes_from_its_splits_calls_and_write_ups(
    tmp_path: Path, arch: str, role: str, kinds: tuple[str, ...]
) -> None:
    """A planner, lead or writer makes no research step: its skill is read from its first
    split of each question, entity by entity, its router calls (more work while a report
    leaves a fact missing, else finish) and its write-ups from the reports (a chain
    joined, candidates compared)."""
    out = tmp_path / role
    harness.compare([arch], seeds=2, models={role: f"mock/{TRUE}"}, out=out, cache=False)
    doc = fit_profile(out, role, base=f"mock/{BASE}", reps=30, seed=4)
    assert doc["identified"]["skill"]
    lo, hi = doc["intervals"]["skill"]
    assert lo <= _true("skill") <= hi
    for kind in kinds:
        assert any(kind in k for k in doc["classes"]), kind
