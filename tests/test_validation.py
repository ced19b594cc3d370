"""Architecture specs are validated before anything runs, with errors that say what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from architectures import BUILTINS
from harness.errors import ConfigError, ValidationError
from harness.graph import compile_architecture
from harness.loader import load_architecture
from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec, ParamSpec


def agent(name: str = "a", **kw: object) -> NodeSpec:
    return NodeSpec(
        name=name, kind="agent", role=kw.pop("role", "r"), max_steps=kw.pop("max_steps", 3), **kw
    )  # type: ignore[arg-type]


def spec(nodes: list[NodeSpec], edges: list[EdgeSpec], **kw: object) -> ArchitectureSpec:
    return ArchitectureSpec(
        name="t",
        roles=kw.pop("roles", {"r": "mock/perfect"}),
        entry=kw.pop("entry", "a"),  # type: ignore[arg-type]
        nodes=nodes,
        edges=edges,
        **kw,  # type: ignore[arg-type]
    )


def test_builtins_compile_with_expected_roles() -> None:
    roles = {name: sorted(compile_architecture(s).roles) for name, s in BUILTINS.items()}
    assert roles == {
        "kimi-researcher": ["agent"],
        "manus-workflow": ["planner", "worker", "writer"],
        "minimax-hybrid": ["external", "in_house"],
        "orchestrator-workers": ["lead", "worker"],
        "independent": ["agent"],
        "decentralized": ["agent"],
        "hybrid-debate": ["lead", "worker"],
        "verifier-loop": ["agent", "verifier"],
        "mixture-of-agents": ["aggregator", "proposer_a", "proposer_b", "proposer_c"],
    }
    for s in BUILTINS.values():
        assert "max_steps" in s.params


def test_minimal_spec_compiles_to_graph() -> None:
    c = compile_architecture(spec([agent()], [EdgeSpec(source="a", target="end")]))
    assert set(c.graph.nodes) == {"a", "end"}
    assert c.graph.nodes["a"]["model"] == "mock/perfect"


@pytest.mark.parametrize(
    ("nodes", "edges", "extra", "message"),
    [
        ([agent()], [EdgeSpec(source="a", target="b")], {}, "edge a -> b names unknown node 'b'"),
        ([agent(role="ghost")], [EdgeSpec(source="a", target="end")], {}, "unknown role 'ghost'"),
        (
            [agent(), agent("b")],
            [EdgeSpec(source="a", target="b"), EdgeSpec(source="b", target="a")],
            {},
            "no path from entry 'a' to 'end'",
        ),
        (
            [agent(max_steps=None)],
            [EdgeSpec(source="a", target="end")],
            {},
            "loop with no step budget",
        ),
        (
            [agent()],
            [EdgeSpec(source="a", target="end")],
            {"roles": {"r": "mock/gpt-9"}},
            "role 'r' is bound to a model that cannot be used: unknown simulated model",
        ),
        (
            [agent()],
            [EdgeSpec(source="a", target="end")],
            {"roles": {"r": "nope/x"}},
            "unknown model provider 'nope'",
        ),
        (
            [agent(max_steps="${steps}")],
            [EdgeSpec(source="a", target="end")],
            {},
            "refers to unknown parameter 'steps'",
        ),
        (
            [agent(tools=["search"])],
            [EdgeSpec(source="a", target="end")],
            {},
            "must include 'answer'",
        ),
        (
            [agent(tools=["browse", "answer"])],
            [EdgeSpec(source="a", target="end")],
            {},
            "unknown tool 'browse'",
        ),
        (
            [agent()],
            [EdgeSpec(source="a", target="end")],
            {"entry": "zz"},
            "entry 'zz' is not a node",
        ),
    ],
)
def test_validation_errors_name_the_fault(
    nodes: list[NodeSpec], edges: list[EdgeSpec], extra: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        compile_architecture(spec(nodes, edges, **extra))
    assert "architecture 't'" in str(err.value)
    assert message in str(err.value)


def test_cycle_without_budgeted_router_is_rejected() -> None:
    nodes = [
        agent(),
        NodeSpec(name="r", kind="router", rule="any_failed", default="done"),
    ]
    edges = [
        EdgeSpec(source="a", target="r"),
        EdgeSpec(source="r", target="a", label="replan"),
        EdgeSpec(source="r", target="end", label="done"),
    ]
    with pytest.raises(ValidationError, match=r"loop a -> r -> a has no step budget"):
        compile_architecture(spec(nodes, edges))
    budgeted = [agent(), nodes[1].model_copy(update={"max_visits": 2})]
    assert compile_architecture(spec(budgeted, edges)).nodes["r"].max_visits == 2


def test_params_are_resolved_and_coerced() -> None:
    s = spec(
        [agent(max_steps="${n}")],
        [EdgeSpec(source="a", target="end")],
        params={"n": ParamSpec(default=4)},
    )
    assert compile_architecture(s).nodes["a"].max_steps == 4
    assert compile_architecture(s, {"n": "9"}).nodes["a"].max_steps == 9
    with pytest.raises(ValidationError, match="parameter 'n' must be int, got 'lots'"):
        compile_architecture(s, {"n": "lots"})
    with pytest.raises(ValidationError, match=r"unknown parameter 'm' \(known: n\)"):
        compile_architecture(s, {"m": "1"})


def test_model_rebinding_checks_role_and_options() -> None:
    s = BUILTINS["minimax-hybrid"]
    c = compile_architecture(s, models={"external": "mock/claude-opus-4?skill=0.5"})
    assert c.roles["external"] == "mock/claude-opus-4?skill=0.5"
    with pytest.raises(ValidationError, match="unknown role 'writer'"):
        compile_architecture(s, models={"writer": "mock/o3"})
    with pytest.raises(ValidationError, match="skill must be between 0 and 1"):
        compile_architecture(s, models={"external": "mock/o3?skill=2"})
    with pytest.raises(ValidationError, match="unknown model parameter 'wisdom'"):
        compile_architecture(s, models={"external": "mock/o3?wisdom=1"})


def test_a_densely_linked_graph_is_validated_in_linear_time(tmp_path: Path) -> None:
    """12 routers all linked to each other hold ~10^8 simple cycles; validation must not
    enumerate them (it finds one loop without a budget through the graph's components)."""
    names = [f"r{i}" for i in range(12)]
    nodes = [{"name": "a", "kind": "agent", "role": "m", "max_steps": 2}]
    nodes += [{"name": n, "kind": "router", "rule": "model", "role": "m"} for n in names]
    edges = [{"source": "a", "target": "r0"}]
    for n in names:
        edges += [{"source": n, "target": m, "label": f"to_{m}"} for m in names if m != n]
        edges.append({"source": n, "target": "end", "label": "finish"})
    spec = {"name": "dense", "roles": {"m": "mock/kimi-k2"}, "entry": "a", "nodes": nodes,
            "edges": edges}  # fmt: skip
    path = tmp_path / "dense.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(ValidationError, match="loop r0 -> .* has no step budget"):
        compile_architecture(load_architecture(str(path)))
    budgeted = {**spec, "nodes": [
        {**n, "max_visits": 2} if n["kind"] == "router" else n for n in nodes
    ]}  # fmt: skip
    path.write_text(json.dumps(budgeted))
    compile_architecture(load_architecture(str(path)))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000),
        ("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000),
        ("shallow-but-deep.json", "[" * 80 + "]" * 80),
    ],
)
def test_deeply_nested_files_get_one_line(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_architecture(str(path))


def test_a_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nroles: {a: b\nentry: [\n")
    with pytest.raises(ConfigError, match=r"line 3, column 6"):
        load_architecture(str(path))


@pytest.mark.parametrize(
    ("nodes", "params", "message"),
    [
        ([agent(role="")], {}, "uses unknown role ''"),
        (
            [agent(context={"policy": "drop", "threshold_tokens": "${t}"})],
            {"t": ParamSpec(default="many")},
            "threshold_tokens must be a whole number >= 0, got 'many'",
        ),
        ([agent(min_reads="${m}")], {"m": ParamSpec(default=2.5)}, "min_reads must be a whole"),
        ([agent(replan="${r}")], {"r": ParamSpec(default=3)}, "replan must be true or false"),
    ],
)
def test_settings_the_runtime_cannot_use_are_refused_when_compiled(
    nodes: list[NodeSpec], params: dict[str, ParamSpec], message: str
) -> None:
    """Found by fuzzing (tests/test_fuzz.py): an empty role name crashed the run with a
    KeyError, a text threshold with an AssertionError; a fraction was silently ignored."""
    with pytest.raises(ValidationError, match=message):
        compile_architecture(spec(nodes, [EdgeSpec(source="a", target="end")], params=params))


@pytest.mark.parametrize("kind", ["architecture", "suite"])
def test_a_lone_surrogate_in_a_file_is_one_line(tmp_path: Path, kind: str) -> None:
    """JSON's `\\ud800` escape reads as a string no UTF-8 file can hold: the run used to
    crash when it wrote its results."""
    from harness.suites import load_suite

    path = tmp_path / f"{kind}.json"
    path.write_text('{"name": "ok", "tasks": [{"id": "a\\ud800"}]}')
    load = load_architecture if kind == "architecture" else load_suite
    with pytest.raises(ConfigError, match=r"field 'tasks\.0\.id' holds a lone UTF-16 surrogate"):
        load(str(path))


def test_unknown_field_role_and_model_names_get_a_suggestion(tmp_path: Path) -> None:
    from harness.errors import ConfigError
    from harness.loader import load_architecture

    text = """name: t1
roles: {agent: mock/kimi-researcher}
entry: research
nodes:
  - {name: research, kind: agent, role: agent, max_steps: 5}
edges:
  - {source: research, target: end}
"""
    cases = [
        (("max_steps: 5", "max_step: 5"), "did you mean 'max_steps'?"),
        (("role: agent,", "role: agnet,"), "did you mean 'agent'?"),
        (("mock/kimi-researcher", "mock/kimi-reseacher"), "did you mean 'mock/kimi-researcher'?"),
        (("{name: research, kind: agent", "{name: research, kind: agent, contxt: {}"), "'context'"),
    ]
    for (old, new), hint in cases:
        path = tmp_path / "t1.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises((ConfigError, ValidationError)) as exc:
            compile_architecture(load_architecture(str(path)))
        assert hint in str(exc.value), str(exc.value)


def test_unknown_role_and_parameter_flags_get_a_suggestion() -> None:
    from harness.selection import prepare

    with pytest.raises(ConfigError, match="did you mean 'agent'"):
        prepare(["kimi-researcher"], {"agnet": "mock/perfect"}, None)
    with pytest.raises(ConfigError, match="did you mean 'max_steps'"):
        prepare(["kimi-researcher"], None, {"max_step": "3"})
