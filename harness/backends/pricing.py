"""Prices of real models: a table shipped with archbench, overridable with a user's file.

Keys are model ids without options (`deepseek/deepseek-reasoner`) or globs of them
(`"ollama/*"`); values are US dollars per million tokens. Later files override earlier ones:
the shipped `prices.toml`, then `$ARCHBENCH_PRICES`, then `--prices FILE`. A model that no
key matches has an unknown cost (`None`), which every report shows as "unknown", never $0.

    >>> table = load_price_table()
    >>> table.lookup("deepseek/deepseek-reasoner").output
    2.19
    >>> table.lookup("ollama/llama3.1:8b") is None
    True
"""

from __future__ import annotations

import json
import os
import tomllib
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.usage import Price

PRICES_ENV = "ARCHBENCH_PRICES"
_FIELDS = {"input", "cached_input", "output", "source"}


class PriceTable:
    def __init__(self, prices: dict[str, Price] | None = None) -> None:
        self.prices: dict[str, Price] = dict(prices or {})

    def merged(self, other: PriceTable) -> PriceTable:
        return PriceTable({**self.prices, **other.prices})

    def lookup(self, model: str) -> Price | None:
        """The exact key, else the most specific glob (the longest) that matches."""
        if model in self.prices:
            return self.prices[model]
        globs = [k for k in self.prices if _is_glob(k) and fnmatchcase(model, k)]
        return self.prices[max(globs, key=len)] if globs else None

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
    output = ..`; every mistake is a one-line ConfigError naming the file and the key."""
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
    prices: dict[str, Price] = {}
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
    return PriceTable(prices)


@lru_cache(maxsize=1)
def shipped_prices() -> PriceTable:
    resource = files("harness.backends").joinpath("prices.toml")
    return read_price_file(Path(str(resource)), "shipped price")


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
