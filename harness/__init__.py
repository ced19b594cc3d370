"""archbench's engine: architectures as graphs, model backends, the runner and metrics.

>>> import harness
>>> result = harness.compare(["kimi-researcher"], suite="default", seeds=1)  # doctest: +SKIP
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from harness.compare import Comparison, compare
from harness.corpus import Corpus
from harness.diff import RunDiff, diff_runs
from harness.errors import (
    ArchbenchError,
    BackendError,
    BudgetExhausted,
    ConfigError,
    ContextOverflow,
    RunError,
    UnknownNameError,
    UserError,
    ValidationError,
)
from harness.graph import CompiledArchitecture, compile_architecture
from harness.lint import DesignWarning, lint
from harness.loader import available_architectures, load_architecture
from harness.messages import (
    GenerateConfig,
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSchema,
)
from harness.metrics import ArchitectureSummary, Summary
from harness.registry import ModelBackend, Provider, get_model, register_provider
from harness.rerun import replay, resume
from harness.runtime import Episode, run_episode
from harness.sim.model import SimulatedModel
from harness.sim.profiles import PRESETS, ModelProfile
from harness.spec import ArchitectureSpec, ContextPolicy, EdgeSpec, NodeSpec, ParamSpec
from harness.suites import load_suite
from harness.task import Task, TaskSuite
from harness.trace import EpisodeResult, Step
from harness.usage import Price, Usage, UsageLimits
from harness.worlds import SuiteRecipe

__all__ = [
    "ArchbenchError",
    "ArchitectureSpec",
    "ArchitectureSummary",
    "BackendError",
    "BudgetExhausted",
    "Comparison",
    "CompiledArchitecture",
    "ConfigError",
    "ContextOverflow",
    "ContextPolicy",
    "Corpus",
    "DesignWarning",
    "EdgeSpec",
    "Episode",
    "EpisodeResult",
    "GenerateConfig",
    "Message",
    "ModelBackend",
    "ModelProfile",
    "ModelRequest",
    "ModelResponse",
    "NodeSpec",
    "PRESETS",
    "ParamSpec",
    "Price",
    "Provider",
    "RunDiff",
    "RunError",
    "SimulatedModel",
    "Step",
    "SuiteRecipe",
    "Summary",
    "Task",
    "TaskSuite",
    "ToolCall",
    "ToolSchema",
    "UnknownNameError",
    "Usage",
    "UsageLimits",
    "UserError",
    "ValidationError",
    "available_architectures",
    "compare",
    "compile_architecture",
    "diff_runs",
    "drawing",
    "get_model",
    "lint",
    "load_architecture",
    "load_suite",
    "register_provider",
    "replay",
    "resume",
    "run_episode",
]

if _TYPE_CHECKING:
    from harness import drawing


def __getattr__(name: str) -> _Any:
    """`harness.drawing` is imported on first use: it costs a quarter of a second and most
    runs never draw."""
    if name == "drawing":
        import importlib

        return importlib.import_module("harness.drawing")
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
