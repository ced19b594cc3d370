"""Sweep axes: one `KEY=V1,V2,...` of a grid, its key resolved to what it sets.

Split from `harness.sweep_plan` (which re-exports `Axis` and `parse_axis`, and plans the
cells from these axes) so each module stays small enough to read; see its docstring for
the five kinds of key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

from harness.bounds import check_budget
from harness.errors import ConfigError
from harness.sim.profiles import ModelProfile

Kind = Literal["param", "model", "sim", "task", "budget"]

SIM_PARAMS: tuple[str, ...] = tuple(
    sorted(
        [f.name for f in fields(ModelProfile) if f.name not in ("price", "label", "source")]
        + ["price_input", "price_cached_input", "price_output"]
    )
)
TASK_PARAMS: tuple[str, ...] = ("alias_rate", "breadth", "distractors", "hops", "per_family")
BUDGETS: tuple[str, ...] = ("budget_steps", "budget_tokens", "budget_usd")
TASK_DEFAULTS: dict[str, str] = {
    "hops": "2-4",
    "breadth": "3-5",
    "distractors": "2",
    "alias_rate": "0.5",
    "per_family": "12",
}


@dataclass(frozen=True)
class Axis:
    key: str
    """As the user wrote it: the cell label's name."""
    kind: Kind
    name: str
    """The parameter, role ('*' for every role), model parameter, task parameter or budget."""
    scope: str | None = None
    """`ARCH` of an `ARCH:` prefix."""
    role: str | None = None
    """For a model parameter: the role it applies to (None: every role)."""
    values: tuple[str, ...] = ()


def parse_axis(text: str, arch_params: dict[str, set[str]], roles: dict[str, set[str]]) -> Axis:
    """One `KEY=V1,V2` grid entry, its key resolved against the selected architectures."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    values = tuple(v.strip() for v in raw.split(","))
    if not sep or not key or not raw.strip() or any(not v for v in values):
        raise ConfigError(f"sweep grid '{text}' must look like KEY=V1,V2,... (e.g. max_steps=5,10)")
    if len(set(values)) != len(values):
        raise ConfigError(f"sweep grid '{key}': a value is given twice")
    return _resolve(key, values, arch_params, roles)


def _resolve(
    key: str, values: tuple[str, ...], params: dict[str, set[str]], roles: dict[str, set[str]]
) -> Axis:
    scope, colon, rest = key.rpartition(":")
    if colon and scope.startswith("model."):  # model.ARCH:ROLE
        scope, rest = scope.removeprefix("model."), "model." + rest
    if colon and scope not in params:
        raise ConfigError(f"sweep grid '{key}': architecture '{scope}' is not selected")
    targets = [scope] if colon else list(params)
    name = rest
    shared = name in BUDGETS or name in TASK_PARAMS or name.startswith(("budget.", "task."))
    if colon and shared:
        raise ConfigError(f"sweep grid '{key}': budgets and tasks are the same for every design")
    if name.startswith("model."):
        role = name.removeprefix("model.")
        if role != "*" and not any(role in roles[a] for a in targets):
            raise _unknown(key, f"role '{role}'", sorted(set().union(*roles.values())))
        return Axis(key, "model", role, scope or None, None, values)
    if name in BUDGETS or name.startswith("budget."):
        budget = name if name in BUDGETS else "budget_" + name.removeprefix("budget.")
        if budget not in BUDGETS:
            raise _unknown(key, "budget", list(BUDGETS))
        return Axis(key, "budget", budget, None, None, values)
    bare = name.removeprefix("task.")
    if name.startswith("task.") or (bare in TASK_PARAMS and not _has(params, targets, name)):
        if bare not in TASK_PARAMS:
            raise _unknown(key, "task parameter", list(TASK_PARAMS))
        return Axis(key, "task", bare, None, None, values)
    explicit = name.startswith("sim.")
    sim = name.removeprefix("sim.")
    role, dot, pname = sim.rpartition(".")
    if explicit or (pname in SIM_PARAMS and not _has(params, targets, name)):
        if pname not in SIM_PARAMS:
            raise _unknown(key, "model parameter", list(SIM_PARAMS))
        if dot and not any(role in roles[a] for a in targets):
            raise _unknown(key, f"role '{role}'", sorted(set().union(*roles.values())))
        return Axis(key, "sim", pname, scope or None, role or None, values)
    if not _has(params, targets, name):
        known = sorted(set().union(*(params[a] for a in targets)))
        raise ConfigError(
            f"sweep grid '{key}': unknown parameter '{name}' (architecture parameters: "
            f"{', '.join(known) or 'none'}; model parameters: e.g. skill, persistence; task "
            f"parameters: {', '.join(TASK_PARAMS)}; budgets: {', '.join(BUDGETS)}; "
            "bindings: model.ROLE)"
        )
    return Axis(key, "param", name, scope or None, None, values)


def _has(params: dict[str, set[str]], targets: list[str], name: str) -> bool:
    return any(name in params[a] for a in targets)


def _unknown(key: str, what: str, known: Sequence[str]) -> ConfigError:
    return ConfigError(f"sweep grid '{key}': unknown {what} (known: {', '.join(known)})")


def parse_range(key: str, raw: str) -> tuple[int, int]:
    lo, _, hi = raw.partition("-")
    try:
        return (int(lo), int(hi or lo))
    except ValueError:
        raise ConfigError(
            f"sweep grid '{key}': '{raw}' is not a number or a range LOW-HIGH"
        ) from None


def parse_number(key: str, raw: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(
            f"sweep grid '{key}': '{raw}' is not a{'n integer' if kind is int else ' number'}"
        ) from None
    if key.startswith("budget"):
        check_budget(f"sweep grid '{key}': a budget", value, positive=True)
    return value


def task_setting(key: str, name: str, raw: str) -> tuple[float, float]:
    """A task-generator value, checked against the range the generator can honour (a
    value outside it used to be silently replaced by the nearest one it can)."""
    if name in ("hops", "breadth"):
        return parse_range(key, raw)
    kind = float if name == "alias_rate" else int
    value = parse_number(key, raw, kind)
    return value, value
