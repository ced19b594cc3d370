"""Built-in names, user files and plug-in entry points all give the same validated spec."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import harness.loader as loader
from architectures import BUILTINS
from harness.cli import app
from harness.errors import ConfigError, UnknownNameError
from harness.graph import compile_architecture
from harness.loader import available_architectures, load_architecture


def dump(spec_name: str) -> dict[str, Any]:
    return BUILTINS[spec_name].model_dump(mode="json")


@pytest.mark.parametrize("name", sorted(BUILTINS))
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_file_route_gives_the_builtin_spec(tmp_path: Path, name: str, suffix: str) -> None:
    path = tmp_path / f"arch{suffix}"
    data = dump(name)
    path.write_text(yaml.safe_dump(data) if suffix == ".yaml" else json.dumps(data))
    assert load_architecture(str(path)) == BUILTINS[name]


def test_toml_file_route(tmp_path: Path) -> None:
    text = """
name = "toml-agent"
roles = { agent = "mock/kimi-k2" }
entry = "loop"
edges = [{ source = "loop", target = "end" }]
[params.max_steps]
default = 7
[[nodes]]
name = "loop"
kind = "agent"
role = "agent"
max_steps = "${max_steps}"
"""
    path = tmp_path / "a.toml"
    path.write_text(text)
    assert tomllib.loads(text)["name"] == "toml-agent"
    compiled = compile_architecture(load_architecture(str(path)))
    assert compiled.nodes["loop"].max_steps == 7


class FakeEntryPoint:
    def __init__(self, name: str, obj: object) -> None:
        self.name = name
        self.value = f"fake_package:{name}"
        self._obj = obj

    def load(self) -> object:
        if isinstance(self._obj, Exception):
            raise self._obj
        return self._obj


def test_plugin_entry_point_route(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = BUILTINS["kimi-researcher"].model_copy(update={"name": "plugged"})
    eps = [FakeEntryPoint("plugged", spec), FakeEntryPoint("factory", lambda: spec)]
    monkeypatch.setattr(loader, "entry_points", lambda group: eps)
    assert load_architecture("plugged") == spec
    # selected and reported by one name: the entry point's
    assert load_architecture("factory") == spec.model_copy(update={"name": "factory"})
    assert "plugged" in available_architectures()

    monkeypatch.setattr(loader, "entry_points", lambda group: [FakeEntryPoint("bad", 42)])
    with pytest.raises(ConfigError, match="plug-in architecture 'bad' did not give"):
        load_architecture("bad")


def test_a_broken_plugin_beside_a_good_one(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = BUILTINS["kimi-researcher"].model_copy(update={"name": "good"})
    eps = [FakeEntryPoint("good", spec), FakeEntryPoint("broken", ImportError("no module x"))]
    monkeypatch.setattr(loader, "entry_points", lambda group: eps)
    assert "good" in available_architectures() and "broken" not in available_architectures()
    with pytest.raises(ConfigError, match=r"'broken' \(fake_package:broken\) cannot be loaded"):
        load_architecture("broken")
    assert list(loader.broken_plugins()) == ["broken"]
    result = CliRunner().invoke(app, ["list", "architectures"])
    assert result.exit_code == 0, result.output
    assert "good" in result.output and "cannot be loaded: ImportError: no module x" in result.output
    assert "Traceback" not in result.output


def test_a_misspelt_name_gets_a_suggestion() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'kimi-researcher'"):
        load_architecture("kimi-reseacher")


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError) as err:
        load_architecture("kimi")
    assert "kimi-researcher" in str(err.value) and "manus-workflow" in str(err.value)


def test_docs_example_architecture_is_valid(tmp_path: Path) -> None:
    """The YAML example in docs/architectures.md compiles and runs."""
    doc = (Path(__file__).parents[1] / "docs" / "architectures.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "mine.yaml"
    path.write_text(block)
    compiled = compile_architecture(load_architecture(str(path)))
    assert compiled.name == "two-step" and compiled.nodes["research"].max_steps == 20
