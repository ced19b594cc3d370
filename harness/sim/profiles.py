"""Simulated-model profiles: the named parameters that produce every simulated result.

Each preset stands for a model the article names. Prices come from
../shared/PUBLISHED_NUMBERS.md; the behavioural parameters are *assumptions*, chosen to
reflect each model's published standing and documented in docs/simulation.md. Change any
of them from the CLI without code: `mock/qwen-plus?skill=0.9&persistence=0.5`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from harness.errors import ConfigError
from harness.usage import Price


@dataclass(frozen=True, slots=True)
class ModelProfile:
    skill: float
    """Chance of choosing the right next action, with an empty context."""
    degradation: float
    """Fraction of skill lost per 100k tokens of context (long-context decay)."""
    persistence: float
    """Chance of re-planning after a dead end instead of giving up and guessing."""
    hallucination: float
    """Chance per step, while the answer is still unknown, of answering without evidence."""
    reasoning_tokens: int
    """Mean hidden reasoning tokens per call (billed as output)."""
    summary_fidelity: float
    """Chance that one fact survives when this model writes a hand-off report or summary."""
    context_window: int
    price: Price
    ttft_s: float
    """Seconds to the first token."""
    tokens_per_s: float
    """Output speed after the first token."""
    compliance: float = 0.9
    """Chance of doing what a brief asks (follow the plan, read N documents, take a lead's
    hint), times the node's `brief_strength`."""
    corroboration: float = 0.5
    """How much a second source that agrees with a fact helps: each one cuts the chance of
    taking a conflicting page's value, and of answering without evidence, by this share."""
    conformity: float = 0.5
    """In a debate: the chance of adopting the peers' majority answer when the model has no
    evidence against it, and of giving up its own answer under pressure when its skill roll
    fails (see harness/sim/debate.py)."""
    label: str = ""
    source: str = ""

    def with_overrides(self, overrides: dict[str, str], *, where: str) -> ModelProfile:
        """Apply `key=value` overrides (from a model id's query string) with type checks."""
        changes: dict[str, object] = {}
        numeric = {
            f.name: f.type for f in fields(self) if f.name not in ("price", "label", "source")
        }
        for key, raw in overrides.items():
            if key in ("price_input", "price_cached_input", "price_output"):
                price = changes.get("price", self.price)
                assert isinstance(price, Price)
                attr = key.removeprefix("price_")
                changes["price"] = replace(price, **{attr: _number(raw, key, where)})
                continue
            if key not in numeric:
                known = ", ".join(
                    sorted([*numeric, "price_input", "price_cached_input", "price_output"])
                )
                raise ConfigError(f"{where}: unknown model parameter '{key}' (known: {known})")
            value = _number(raw, key, where)
            if key in _SHARES:
                if not 0.0 <= value <= 1.0:
                    raise ConfigError(f"{where}: {key} must be between 0 and 1, got {raw}")
            elif value < 0:
                raise ConfigError(f"{where}: {key} must not be negative, got {raw}")
            changes[key] = int(value) if key in ("reasoning_tokens", "context_window") else value
        return replace(self, **changes)  # type: ignore[arg-type]


_SHARES = (
    "skill",
    "persistence",
    "hallucination",
    "summary_fidelity",
    "degradation",
    "compliance",
    "corroboration",
    "conformity",
)


def _number(raw: str, key: str, where: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{where}: {key} must be a number, got '{raw}'") from None


_PUB = "../shared/PUBLISHED_NUMBERS.md"

PRESETS: dict[str, ModelProfile] = {
    # Calibrated (harness/studies/calibration.py, KIMI; docs/studies.md "Calibration"):
    # skill, persistence and hallucination were searched for 23 +- 25% steps per task on
    # deep world 1; no grid point reached the band (best 8.8 steps), so these values stay.
    "kimi-researcher": ModelProfile(
        skill=0.86,
        degradation=0.10,
        persistence=0.92,
        hallucination=0.02,
        reasoning_tokens=500,
        summary_fidelity=0.92,
        context_window=128_000,
        price=Price(0.60, 0.15, 2.50),
        ttft_s=1.0,
        tokens_per_s=45.0,
        label="Kimi-Researcher (K-series, end-to-end agentic RL)",
        source=f"K2 prices assumed (Moonshot platform pricing, {_PUB}); RL for long loops "
        "assumed to raise persistence",
    ),
    "kimi-k2": ModelProfile(
        skill=0.82,
        degradation=0.15,
        persistence=0.75,
        hallucination=0.03,
        reasoning_tokens=150,
        summary_fidelity=0.90,
        context_window=128_000,
        price=Price(0.60, 0.15, 2.50),
        ttft_s=0.8,
        tokens_per_s=45.0,
        label="Kimi K2",
        source=f"Moonshot platform pricing ({_PUB})",
    ),
    "minimax-m1": ModelProfile(
        skill=0.80,
        degradation=0.04,
        persistence=0.75,
        hallucination=0.03,
        reasoning_tokens=900,
        summary_fidelity=0.90,
        context_window=1_000_000,
        price=Price(0.40, 0.40, 2.20),
        ttft_s=2.0,
        tokens_per_s=40.0,
        label="MiniMax-M1 (Lightning Attention, 1M context)",
        source=f"third-party listings, unconfirmed; no cached price listed ({_PUB})",
    ),
    "deepseek-r1": ModelProfile(
        skill=0.80,
        degradation=0.25,
        persistence=0.72,
        hallucination=0.05,
        reasoning_tokens=1200,
        summary_fidelity=0.88,
        context_window=64_000,
        price=Price(0.55, 0.14, 2.19),
        ttft_s=3.0,
        tokens_per_s=30.0,
        label="DeepSeek-R1",
        source=f"DeepSeek API docs pricing ({_PUB})",
    ),
    "claude-opus-4": ModelProfile(
        skill=0.93,
        degradation=0.10,
        persistence=0.92,
        hallucination=0.01,
        reasoning_tokens=400,
        summary_fidelity=0.95,
        context_window=200_000,
        price=Price(15.0, 1.50, 75.0),
        ttft_s=1.5,
        tokens_per_s=40.0,
        label="Claude Opus 4",
        source=f"Anthropic pricing page ({_PUB})",
    ),
    "claude-sonnet-4": ModelProfile(
        skill=0.88,
        degradation=0.12,
        persistence=0.85,
        hallucination=0.02,
        reasoning_tokens=300,
        summary_fidelity=0.93,
        context_window=200_000,
        price=Price(3.0, 0.30, 15.0),
        ttft_s=1.0,
        tokens_per_s=60.0,
        label="Claude Sonnet 4",
        source=f"Anthropic pricing page ({_PUB})",
    ),
    "qwen-plus": ModelProfile(
        skill=0.74,
        degradation=0.20,
        persistence=0.60,
        hallucination=0.06,
        reasoning_tokens=150,
        summary_fidelity=0.85,
        context_window=128_000,
        price=Price(0.40, 0.40, 1.20),
        ttft_s=0.6,
        tokens_per_s=70.0,
        compliance=0.85,
        label="Qwen (qwen-plus)",
        source=f"secondary listings, unconfirmed ({_PUB})",
    ),
    "o3": ModelProfile(
        skill=0.90,
        degradation=0.10,
        persistence=0.88,
        hallucination=0.02,
        reasoning_tokens=1000,
        summary_fidelity=0.92,
        context_window=200_000,
        price=Price(2.0, 0.50, 8.0),
        ttft_s=4.0,
        tokens_per_s=50.0,
        label="OpenAI o3",
        source=f"secondary listings, unconfirmed ({_PUB})",
    ),
    "perfect": ModelProfile(
        skill=1.0,
        degradation=0.0,
        persistence=1.0,
        hallucination=0.0,
        reasoning_tokens=100,
        summary_fidelity=1.0,
        context_window=10_000_000,
        price=Price(1.0, 0.1, 2.0),
        ttft_s=0.5,
        tokens_per_s=100.0,
        compliance=1.0,
        corroboration=1.0,
        label="test model: always takes the right action",
        source="test fixture",
    ),
    "null": ModelProfile(
        skill=0.0,
        degradation=0.0,
        persistence=0.0,
        hallucination=0.0,
        reasoning_tokens=100,
        summary_fidelity=1.0,
        context_window=10_000_000,
        price=Price(1.0, 0.1, 2.0),
        ttft_s=0.5,
        tokens_per_s=100.0,
        compliance=0.0,
        corroboration=0.0,
        label="test model: never takes the right action",
        source="test fixture",
    ),
}
