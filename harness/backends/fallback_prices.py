"""Prices from the `genai-prices` package, for real models archbench's own table lacks.

archbench ships a short table (`prices.toml`) of the models the article names; a user who
points a role at any other hosted model (`openai/gpt-4o-mini`, `deepseek/deepseek-chat`)
would otherwise get an unknown cost. `genai-prices` (pydantic/genai-prices, MIT) keeps a
maintained table of hundreds of models; it is asked only when `prices.toml` and the user's
files know nothing, and only as installed: it can fetch fresher data at run time, which
archbench never asks it to, so a run's prices depend on what is installed, not on the
network, and the run's config.json names the version that priced it.

Only hosted providers are looked up. A local server (`vllm/`, `ollama/`, `llamacpp/`)
has no API price, whatever its model is called; `openai-compatible/NAME@URL` is looked up
by its URL (`https://api.anthropic.com/v1` is Anthropic), so a model on a server
genai-prices does not know stays unknown rather than borrowing another host's price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from harness.usage import Price

DISTRIBUTION = "genai-prices"

PROVIDER_IDS: dict[str, str] = {
    "openai": "openai",
    "deepseek": "deepseek",
    "moonshot": "moonshotai",
    "minimax": "minimax",
}
"""archbench provider -> genai-prices provider id. Providers not listed (qwen: DashScope is
not in genai-prices; the local servers) are never looked up by provider; openai-compatible
is looked up by its URL."""


@dataclass(frozen=True, slots=True)
class FallbackPrice:
    price: Price
    model: str  # genai-prices' id of the model it matched (`gpt-4o-mini` for a dated id)
    provider: str  # genai-prices' provider id
    tiered: bool  # input or output is tiered by prompt length: the base tier is used
    page: str | None  # the provider's pricing page genai-prices cites


def installed_version() -> str | None:
    """The installed genai-prices version (None: not installed)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return None


def lookup(model: str, day: date | None = None) -> FallbackPrice | None:
    """The price genai-prices gives `provider/name` on `day` (default today, UTC: its data
    holds dated price changes), or None when it does not know the model, the provider is
    one archbench does not look up, or genai-prices is not installed."""
    when = day or datetime.now(UTC).date()
    return _lookup(model, when.isoformat())


@lru_cache(maxsize=256)
def _lookup(model: str, day: str) -> FallbackPrice | None:
    provider, _, name = model.partition("/")
    provider_id: str | None = PROVIDER_IDS.get(provider)
    url: str | None = None
    if provider == "openai-compatible":
        name, at, url = name.partition("@")
        if not at or not url.startswith("https://"):
            return None  # no URL, or a plain-HTTP (local) server: no API price to find
    elif provider_id is None or not name:
        return None
    snapshot = _snapshot()
    if snapshot is None:
        return None
    try:
        found_provider, info = snapshot.find_provider_model(name, None, provider_id, url)
    except LookupError:
        return None
    prices = _standard_prices(info, datetime.fromisoformat(day).replace(tzinfo=UTC))
    inp, inp_tiered = _per_million(prices.input_mtok)
    out, out_tiered = _per_million(prices.output_mtok)
    if inp is None or out is None:
        return None  # priced per request, per image... not per token: unknown to archbench
    cached, _ = _per_million(prices.cache_read_mtok)
    return FallbackPrice(
        Price(inp, inp if cached is None else cached, out),
        str(info.id),
        str(found_provider.id),
        inp_tiered or out_tiered,
        next(iter(found_provider.pricing_urls or ()), None),
    )


def _standard_prices(info: Any, day: datetime) -> Any:
    """The model's full prices on `day`: where a provider discounts some hours of the day
    (DeepSeek's off-peak), the dearest of the day's prices. A backend has one price for the
    whole run, whatever hours its calls fall in, and a cost (and `--max-cost`) should not
    undershoot."""
    day = day.replace(hour=0, minute=0, second=0, microsecond=0)
    seen = [info.get_prices(day + timedelta(minutes=30 * i)) for i in range(48)]
    return max(seen, key=lambda p: _per_million(p.input_mtok)[0] or 0.0)


def _per_million(value: Any) -> tuple[float | None, bool]:
    """A genai-prices price (Decimal, TieredPrices or None) as a float, and whether it was
    tiered (then its base tier: archbench does not model tiers by prompt length)."""
    if value is None:
        return None, False
    base = getattr(value, "base", None)
    if base is not None:
        return float(base), True
    return float(value), False


def _snapshot() -> Any:
    """The data genai-prices ships, as installed; never the auto-updated copy it can fetch
    (`UpdatePrices`), which archbench does not start."""
    try:
        from genai_prices import data_snapshot
    except ImportError:
        return None
    bundled = getattr(data_snapshot, "_bundled_snapshot", data_snapshot.get_snapshot)
    return bundled()
