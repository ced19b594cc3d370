"""Prices of real models: a table shipped with archbench, overridable with a user's file,
and `genai-prices` behind both for the hosted models neither lists.

Keys are model ids without options (`deepseek/deepseek-reasoner`) or globs of them
(`"ollama/*"`); values are US dollars per million tokens. Later files override earlier ones:
the shipped `prices.toml`, then `$ARCHBENCH_PRICES`, then `--prices FILE`. A model none of
them matches is looked up in the installed `genai-prices` data (`fallback_prices`); a model
that is not there either has an unknown cost (`None`), which every report shows as
"unknown", never $0. `PriceTable.priced` also says which of these priced a model: a run's
config.json records it per model (`describe`), so a cost can be traced to its source.

    >>> table = load_price_table()
    >>> table.lookup("deepseek/deepseek-reasoner").output
    2.19
    >>> table.lookup("ollama/llama3.1:8b") is None
    True
    >>> table.priced("ollama/llama3.1:8b")[1].source
    'unknown'
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

from harness.backends import fallback_prices
from harness.errors import ConfigError
from harness.usage import Price

PRICES_ENV = "ARCHBENCH_PRICES"
_FIELDS = {"input", "cached_input", "output", "source"}
AS_OF = "as_of"
"""The one top-level key a price file may have besides its models: the date its prices
were read from the providers' pages, recorded with every run they price."""


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where a model's price came from. `source` is "prices.toml" (shipped with archbench
    `version`), "user price file" (`file`), "genai-prices" (the installed `version`;
    `date` is the day whose prices were used: its data holds dated changes) or
    "unknown"; `date` is otherwise the file's `as_of`; `key` is what matched: a key or glob
    of the file, or genai-prices' model id; `cited` is the entry's own `source` (the page
    its figures come from)."""

    source: str
    version: str | None = None
    date: str | None = None
    file: str | None = None
    key: str | None = None
    cited: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}


UNKNOWN = PriceSource("unknown")


class PriceTable:
    """Prices by key, each with its source. `fallback`: ask genai-prices about a model no
    key matches (the tables `load_price_table` returns do; one built by hand does not)."""

    def __init__(
        self,
        prices: dict[str, Price] | None = None,
        source: PriceSource | None = None,
        *,
        fallback: bool = False,
    ) -> None:
        self.prices: dict[str, Price] = dict(prices or {})
        origin = source or PriceSource("user price file")
        self.sources: dict[str, PriceSource] = {k: origin for k in self.prices}
        self.fallback = fallback

    def merged(self, other: PriceTable) -> PriceTable:
        table = PriceTable(fallback=self.fallback or other.fallback)
        table.prices = {**self.prices, **other.prices}
        table.sources = {**self.sources, **other.sources}
        return table

    def lookup(self, model: str) -> Price | None:
        """The exact key, else the most specific glob (the longest) that matches, else
        genai-prices (with `fallback`), else None."""
        return self.priced(model)[0]

    def priced(self, model: str) -> tuple[Price | None, PriceSource]:
        """The price of `model` (an id without options) and where it came from."""
        key = self._key(model)
        if key is not None:
            return self.prices[key], replace(self.sources[key], key=key)
        if self.fallback:
            day = datetime.now(UTC).date()
            found = fallback_prices.lookup(model, day)
            if found is not None:
                tier = " (base tier)" if found.tiered else ""
                where = PriceSource(
                    "genai-prices",
                    version=fallback_prices.installed_version(),
                    date=day.isoformat(),
                    key=f"{found.provider}/{found.model}{tier}",
                    cited=found.page,
                )
                return found.price, where
        return None, UNKNOWN

    def describe(self, models: Iterable[str]) -> dict[str, dict[str, str]]:
        """{model: where its price came from} for config.json, in sorted order."""
        return {m: self.priced(m)[1].as_dict() for m in sorted(set(models))}

    def _key(self, model: str) -> str | None:
        if model in self.prices:
            return model
        globs = [k for k in self.prices if _is_glob(k) and fnmatchcase(model, k)]
        return max(globs, key=len) if globs else None

    def models(self, provider: str) -> list[str]:
        """Model names (not globs) the table prices for one provider."""
        prefix = provider + "/"
        return sorted(
            k[len(prefix) :] for k in self.prices if k.startswith(prefix) and not _is_glob(k)
        )


def _is_glob(key: str) -> bool:
    return any(c in key for c in "*?[")


def read_price_file(path: Path, flag: str = "--prices") -> PriceTable:
    """One price file (TOML or JSON): `["provider/model"] input = .. cached_input = ..
    output = ..`, and optionally `as_of = "YYYY-MM-DD"` (when the prices were read: kept in
    each run's config.json); every mistake is a one-line ConfigError naming the file and
    the key."""
    where = f"{flag} file '{path}'"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read: {exc.strerror}") from None
    try:
        data: Any = (
            json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of models")
    as_of = data.pop(AS_OF, None)
    if isinstance(as_of, date):  # TOML's own date type: `as_of = 2025-07-01`
        as_of = as_of.isoformat()
    if as_of is not None and not isinstance(as_of, str):
        raise ConfigError(f"{where}: '{AS_OF}' must be a date as text, e.g. \"2025-07-01\"")
    prices: dict[str, Price] = {}
    cited: dict[str, str] = {}
    for model, entry in data.items():
        if not isinstance(entry, dict) or "/" not in model:
            raise ConfigError(
                f"{where}: '{model}' must be a table keyed 'provider/model' with "
                "input, cached_input and output (USD per million tokens)"
            )
        unknown = sorted(set(entry) - _FIELDS)
        if unknown:
            raise ConfigError(f"{where}: '{model}' has unknown field '{unknown[0]}'")
        values: dict[str, float] = {}
        for name in ("input", "cached_input", "output"):
            value = entry.get(name, entry.get("input") if name == "cached_input" else None)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(
                    f"{where}: '{model}' needs a non-negative number '{name}' "
                    "(USD per million tokens)"
                )
            values[name] = float(value)
        prices[model] = Price(values["input"], values["cached_input"], values["output"])
        if isinstance(entry.get("source"), str):
            cited[model] = entry["source"]
    table = PriceTable(prices, PriceSource("user price file", date=as_of, file=str(path)))
    table.sources = {k: replace(v, cited=cited.get(k)) for k, v in table.sources.items()}
    return table


@lru_cache(maxsize=1)
def shipped_prices() -> PriceTable:
    """prices.toml, with genai-prices behind it."""
    resource = files("harness.backends").joinpath("prices.toml")
    table = read_price_file(Path(str(resource)), "shipped price")
    try:
        ours: str | None = version("archbench")
    except PackageNotFoundError:
        ours = None
    table.sources = {
        k: replace(v, source="prices.toml", version=ours, file=None)
        for k, v in table.sources.items()
    }
    table.fallback = True
    return table


def load_price_table(extra: Path | str | None = None) -> PriceTable:
    """The shipped table, overridden by `$ARCHBENCH_PRICES`, overridden by `extra`."""
    table = shipped_prices()
    env = os.environ.get(PRICES_ENV)
    if env:
        table = table.merged(_read_cached(Path(env), PRICES_ENV))
    if extra is not None:
        table = table.merged(read_price_file(Path(extra)))
    return table


def _read_cached(path: Path, flag: str) -> PriceTable:
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return _read_at(path, flag, mtime)


@lru_cache(maxsize=8)
def _read_at(path: Path, flag: str, mtime: int) -> PriceTable:
    return read_price_file(path, flag)
