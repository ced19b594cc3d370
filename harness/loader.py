"""Find an architecture by name: a built-in, a plug-in's entry point, or a user's file.

All three routes produce the same `ArchitectureSpec`; a file that does not parse or does
not match the spec fails with one line naming the file and the field.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeAlias

import pydantic
import yaml

from harness.errors import ConfigError, UnknownNameError
from harness.spec import ArchitectureSpec

ENTRY_POINT_GROUP = "archbench.architectures"
_FILE_SUFFIXES = (".yaml", ".yml", ".toml", ".json")


def builtin_architectures() -> dict[str, ArchitectureSpec]:
    from architectures import BUILTINS

    return dict(BUILTINS)


def default_architectures() -> list[str]:
    """What runs when no --arch is given: the article's designs (and Anthropic's)."""
    from architectures import ARTICLE

    return list(ARTICLE)


def plugin_architectures() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_architectures() -> dict[str, ArchitectureSpec]:
    """Every architecture that loads; a broken plug-in is left out (see
    `broken_plugins`), so that one bad package cannot hide the rest."""
    found = builtin_architectures()
    for name in plugin_architectures():
        try:
            found.setdefault(name, load_architecture(name))
        except ConfigError:
            continue
    return found


def broken_plugins() -> dict[str, str]:
    """Plug-in architectures that fail to load, with the one-line reason for each."""
    out: dict[str, str] = {}
    for name in plugin_architectures():
        try:
            load_architecture(name)
        except ConfigError as exc:
            out[name] = str(exc)
    return out


ArchitectureRef: TypeAlias = str | os.PathLike[str] | ArchitectureSpec
"""What names an architecture wherever one is selected (`compare`, `plan_sweep`): a
built-in's or plug-in's name, a file's path, or a spec object."""


def architecture_refs(
    architectures: ArchitectureRef | Sequence[ArchitectureRef] | None,
) -> list[ArchitectureRef]:
    """--arch values (or `compare`'s architectures) as given, the default when none is,
    and `all` as every built-in. One name, path or spec on its own is a selection of one:
    a string is not read as its characters, nor a spec as its fields (which failed with
    `TypeError: unhashable type: 'dict'`)."""
    if isinstance(architectures, str | os.PathLike | ArchitectureSpec):
        architectures = [architectures]
    if not architectures:
        return list(default_architectures())
    out: list[ArchitectureRef] = []
    for r in architectures:
        out.extend(builtin_architectures() if isinstance(r, str) and r == "all" else [r])
    return out


def load_architecture(ref: ArchitectureRef) -> ArchitectureSpec:
    """A built-in by name, a plug-in by its entry point's name, a file by its path, or a
    spec object as it is."""
    if isinstance(ref, ArchitectureSpec):
        return ref
    if isinstance(ref, os.PathLike):
        return load_architecture_file(Path(ref), shown=os.fspath(ref))
    if not isinstance(ref, str):
        raise ConfigError(
            f"an architecture is a name, a file path or an ArchitectureSpec, not a "
            f"{type(ref).__name__}"
        )
    builtins = builtin_architectures()
    if ref in builtins:
        return builtins[ref]
    plugins = plugin_architectures()
    if ref in plugins:
        return _load_plugin(ref, plugins[ref])
    path = Path(ref)
    if path.suffix in _FILE_SUFFIXES or path.exists():
        return load_architecture_file(path, shown=ref)
    known = sorted([*builtins, *plugins])
    close = difflib.get_close_matches(ref, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UnknownNameError(
        f"unknown architecture '{ref}' ({hint}known: {', '.join(known)}; or a .yaml/.toml file)"
    )


def _load_plugin(name: str, ep: Any) -> ArchitectureSpec:
    """An entry point's spec, named as the entry point is (the name users select it by)."""
    try:
        obj = ep.load()
        spec = obj() if callable(obj) and not isinstance(obj, ArchitectureSpec) else obj
    except Exception as exc:  # a plug-in's own bug, whatever it is, is one line here
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(
            f"plug-in architecture '{name}' ({ep.value}) cannot be loaded: "
            f"{type(exc).__name__}{': ' + reason if reason else ''}"
        ) from None
    if not isinstance(spec, ArchitectureSpec):
        raise ConfigError(f"plug-in architecture '{name}' did not give an ArchitectureSpec")
    return spec if spec.name == name else spec.model_copy(update={"name": name})


MAX_DATA_FILE_BYTES = 512 * 1024 * 1024
"""The largest suite, architecture or price file read (the built-in suites are ~1 MB)."""
MAX_NESTING = 64
"""The deepest nesting of lists and mappings a data file may have; none of archbench's
formats needs more than ten levels."""


def read_data_file(path: Path, what: str, shown: str | None = None) -> Any:
    """Parse a YAML, TOML or JSON file, or fail with one line naming it as the user wrote
    it (and, for a syntax error, the line and column)."""
    path_text = shown or str(path)
    if not path.is_file():
        raise ConfigError(f"{what} file '{path_text}' does not exist")
    try:
        size = path.stat().st_size
        if size > MAX_DATA_FILE_BYTES:
            raise ConfigError(
                f"{what} file '{path_text}' is {size:,} bytes; the most archbench reads is "
                f"{MAX_DATA_FILE_BYTES:,}"
            )
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(
            f"{what} file '{path_text}' is nested too deeply to read (at most {MAX_NESTING} levels)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(f"{what} file '{path_text}' cannot be read: {problem}{where}") from None
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{what} file '{path_text}' cannot be read: {first}") from None
    if _depth(data) > MAX_NESTING:
        raise ConfigError(
            f"{what} file '{path_text}' is nested too deeply to read (at most {MAX_NESTING} levels)"
        )
    surrogate = _lone_surrogate(data)
    if surrogate is not None:
        raise ConfigError(
            f"{what} file '{path_text}': {surrogate} holds a lone UTF-16 surrogate (an escape "
            "such as \\ud800 that encodes no character), which no UTF-8 file can hold"
        )
    return data


def _lone_surrogate(data: Any) -> str | None:
    """Where a string (or a key) of parsed data holds a lone surrogate, which JSON and
    YAML escapes can make: it could be read but not written back (results, traces, the
    run's copy of the suite), so the run would fail half-way. None when there is none;
    the first one in the file's order otherwise."""
    stack: list[tuple[Any, tuple[str, ...], bool]] = [(data, (), False)]
    while stack:
        item, path, is_key = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                field = f"field '{'.'.join(path)}'" if path else "the top level"
                return f"a key in {field}" if is_key else field
        elif isinstance(item, dict):
            for k, v in reversed(item.items()):  # reversed: popped in the file's order
                stack.append((v, (*path, str(k)), False))
                stack.append((k, path, True))
        elif isinstance(item, list):
            stack.extend((v, (*path, str(i)), False) for i, v in reversed(list(enumerate(item))))
    return None


def _depth(data: Any) -> int:
    """Nesting depth of parsed data, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_NESTING:
            return level
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def describe_validation_error(exc: pydantic.ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    if err["type"] == "extra_forbidden" and err["loc"]:
        known = _known_fields(tuple(err["loc"][:-1]))
        close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"field '{loc}': unknown field ({hint}known: {', '.join(known)}){more}"
    return f"field '{loc}': {err['msg']}{more}"


def _known_fields(parent: tuple[object, ...]) -> list[str]:
    """The fields of the spec class at `parent` (a location in an architecture file)."""
    from harness.spec import ContextPolicy, EdgeSpec, NodeSpec, ParamSpec

    cls: type[pydantic.BaseModel] = ArchitectureSpec
    if parent[:1] == ("nodes",):
        cls = ContextPolicy if parent[2:3] == ("context",) else NodeSpec
    elif parent[:1] == ("edges",):
        cls = EdgeSpec
    elif parent[:1] == ("params",):
        cls = ParamSpec
    return list(cls.model_fields)


def load_architecture_file(path: Path, shown: str | None = None) -> ArchitectureSpec:
    """`shown`: the path as the user wrote it (`./my.yaml`), for messages."""
    where = shown or str(path)
    data = read_data_file(path, "architecture", shown=where)
    if not isinstance(data, dict):
        raise ConfigError(f"architecture file '{where}': expected a mapping at the top level")
    try:
        return ArchitectureSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ConfigError(
            f"architecture file '{where}': {describe_validation_error(exc)}"
        ) from None
