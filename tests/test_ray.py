"""`--executor ray`: the same comparison on a (local) Ray instance gives the local results,
files and summaries. Skipped, with the reason, where the `ray` extra is not installed."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import compare
from harness.errors import ConfigError
from harness.execution.ray_exec import RayExecutor
from harness.task import TaskSuite

HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAVE_RAY, reason="Ray is not installed (pip install 'archbench[ray]')"
)
ARCHS = ["kimi-researcher", "manus-workflow", "orchestrator-workers"]


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    """One local Ray instance (2 CPUs, no dashboard) for the module's tests."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error")
    yield ray
    ray.shutdown()


@needs_ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_ray_equals_local_on_a_small_sweep(
    ray_instance: Any, mini: TaskSuite, tmp_path: Path
) -> None:
    for max_steps in ("4", "12"):  # a small sweep: two settings of one parameter
        params = {"max_steps": max_steps}
        local = compare(ARCHS, suite=mini, seeds=2, params=params, out=tmp_path / f"l{max_steps}")
        remote = compare(
            ARCHS,
            suite=mini,
            seeds=2,
            params=params,
            out=tmp_path / f"r{max_steps}",
            executor=RayExecutor(batch=3),
        )
        assert remote.results_jsonl() == local.results_jsonl()
        assert remote.summary_json() == local.summary_json()
        for name in ("results.jsonl", "traces.jsonl", "summary.json"):
            got = (tmp_path / f"r{max_steps}" / name).read_bytes()
            assert got == (tmp_path / f"l{max_steps}" / name).read_bytes()
        config = json.loads((tmp_path / f"r{max_steps}" / "config.json").read_text())
        assert config["execution"]["executor"] == "ray"


@needs_ray
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_ray_by_name_uses_the_running_instance(ray_instance: Any, mini: TaskSuite) -> None:
    local = compare(ARCHS[:1], suite=mini, seeds=[3, 9])
    remote = compare(ARCHS[:1], suite=mini, seeds=[3, 9], executor="ray", keep_results=False)
    assert remote.summary_json() == local.summary_json() and remote.results == []


def test_ray_missing_says_what_to_install(mini: TaskSuite, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ConfigError, match=r"pip install 'archbench\[ray\]'"):
        compare(ARCHS[:1], suite=mini, seeds=1, executor="ray")
