"""Which simulated behaviour a run directory was made with (`sim_version`), and what that
allows: a run is resumed or replayed only by the behaviour that made it; a report of any run
says when that behaviour is not this archbench's.

Why refuse rather than warn: a resumed run appends new episodes to the ones it holds, and a
replay is meant to give the same results byte for byte; either one made by other rules
mixes two behaviours in one set of numbers, and nothing in the files would show it. A
report only reads what is there, so it renders, labelled.

The version lives in `harness.sim.version`; run directories (config.json, summary.json)
and sweeps (sweep.json) carry it as `sim_version`; files written before it was stamped are
`UNSTAMPED_SIM_VERSION`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.sim.version import SIM_VERSION, UNSTAMPED_SIM_VERSION

__all__ = ["SIM_VERSION", "check_rerunnable", "mismatch_label", "stamped", "with_sim_version"]


def stamped(saved: Mapping[str, Any]) -> object:
    """The `sim_version` a saved configuration records (`UNSTAMPED_SIM_VERSION` when it
    has none); whatever the file holds, so a caller can name a garbled one."""
    return saved.get("sim_version", UNSTAMPED_SIM_VERSION)


def _same(version: object) -> bool:
    return type(version) is int and version == SIM_VERSION


def with_sim_version(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` stamped with this archbench's `sim_version`, right after its
    `format_version` (first if it has none), so the stamp reads at the top of the file."""
    out: dict[str, Any] = {}
    if "format_version" in data:
        out["format_version"] = data["format_version"]
    out["sim_version"] = SIM_VERSION
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def check_rerunnable(where: Path | str, saved: Mapping[str, Any], flag: str) -> None:
    """Refuse (one line, `ConfigError`) to resume or replay the run in `where` unless it
    was simulated by this archbench's behaviour."""
    version = stamped(saved)
    if _same(version):
        return
    raise ConfigError(
        f"{flag}: {where} was simulated with sim_version {version}; this archbench simulates "
        f"version {SIM_VERSION}: start a new run, or report it as it is (archbench report "
        f"{where})"
    )


def mismatch_label(versions: set[object]) -> str | None:
    """What a report says of runs made with `versions` (None: all are this archbench's)."""
    other = sorted({str(v) for v in versions if not _same(v)})
    if not other:
        return None
    return f"simulated with sim_version {', '.join(other)} (this archbench: {SIM_VERSION})"
