"""Which architectures a run selects, and what `--set` and `--model` assign to each.

`compare`, `plan_sweep`, `archbench run` and `archbench graph` all select architectures
here, so a name, a file and a spec object are accepted alike everywhere. Kept out of
`harness.compare` (which re-exports `prepare`) so that module stays small enough to read.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from harness.errors import ConfigError
from harness.graph import CompiledArchitecture, compile_architecture
from harness.loader import ArchitectureRef, architecture_refs, load_architecture
from harness.redact import redact


def check_unique(values: Sequence[str], flag: str) -> None:
    """A value given twice would run the same episodes twice and count them twice."""
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ConfigError(f"{flag} '{v}' is given twice")
        seen.add(v)


def split_assignment(raw: str, flag: str) -> tuple[str, str]:
    key, sep, value = raw.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise ConfigError(f"{flag} '{redact(raw)}' must look like NAME=VALUE")
    return key.strip(), value.strip()


def _scoped(
    assignments: dict[str, str], spec_keys: dict[str, set[str]], flag: str, what: str
) -> dict[str, dict[str, str]]:
    """`KEY=V` applies to every architecture that has KEY; `ARCH:KEY=V` to ARCH only;
    `*=V` to every key of every architecture (e.g. one model for every role). Specific
    keys win over `*` whatever their order."""
    out: dict[str, dict[str, str]] = {a: {} for a in spec_keys}
    ordered = sorted(assignments.items(), key=lambda kv: kv[0] != "*")
    for key, value in ordered:
        if key == "*":  # every role (or parameter) of every selected architecture
            for a, keys in spec_keys.items():
                out[a].update(dict.fromkeys(keys, value))
            continue
        arch, sep, name = key.rpartition(":")
        targets = [arch] if sep else [a for a, keys in spec_keys.items() if name in keys]
        if sep and arch not in spec_keys:
            raise ConfigError(
                f"{flag} '{key}={redact(value)}': architecture '{arch}' is not selected"
            )
        if not targets or any(name not in spec_keys[a] for a in targets):
            names = sorted(set().union(*spec_keys.values()))
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(
                f"{flag} '{key}={redact(value)}': no selected architecture has {what} '{name}' "
                f"({hint}known: {', '.join(names) or 'none'})"
            )
        for a in targets:
            out[a][name] = value
    return out


def prepare(
    architectures: ArchitectureRef | Sequence[ArchitectureRef] | None,
    models: dict[str, str] | None,
    params: dict[str, str] | None,
) -> list[CompiledArchitecture]:
    """Load, check and compile the selected architectures with their `--set`/`--model`
    assignments. Names, files and spec objects may be mixed; each is loaded once, and what
    runs from here on is the spec itself (shipped to workers, saved in the run directory),
    never its name looked up again."""
    specs = [load_architecture(r) for r in architecture_refs(architectures)]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"--arch: architecture '{twice}' is selected twice")
    roles = _scoped(models or {}, {s.name: set(s.roles) for s in specs}, "--model", "role")
    sets = _scoped(params or {}, {s.name: set(s.params) for s in specs}, "--set", "parameter")
    return [compile_architecture(s, sets[s.name], roles[s.name]) for s in specs]
