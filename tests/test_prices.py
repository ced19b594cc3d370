"""Prices: prices.toml first, genai-prices behind it, a user's file over both, and a run's
config.json saying which of them priced each model."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import fake_openai_server
import pytest
from fake_openai_server import FakeServer

from harness.backends import fallback_prices
from harness.backends.openai_compat import create_backend
from harness.backends.pricing import PriceTable, load_price_table, read_price_file
from harness.compare import compare
from harness.errors import ConfigError
from harness.registry import parse_model_id
from harness.rerun import resume
from harness.task import TaskSuite
from harness.usage import Price

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server
GENAI = version("genai-prices")


@pytest.fixture(autouse=True)
def _no_env_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHBENCH_PRICES", raising=False)


def genai_price(provider: str, name: str) -> Price:
    """What genai-prices itself says, so the test holds for any version of its data."""
    from genai_prices import data_snapshot

    _, info = data_snapshot.get_snapshot().find_provider_model(name, None, provider, None)
    noon = datetime.now(UTC).replace(hour=12, minute=0)  # DeepSeek's standard hours
    p = info.get_prices(noon)
    cached = p.cache_read_mtok if p.cache_read_mtok is not None else p.input_mtok
    assert all(isinstance(x, Decimal) for x in (p.input_mtok, cached, p.output_mtok))
    return Price(float(p.input_mtok), float(cached), float(p.output_mtok))


@pytest.mark.parametrize(
    ("model", "provider", "name"),
    [
        ("openai/gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("deepseek/deepseek-chat", "deepseek", "deepseek-chat"),
    ],
)
def test_models_prices_toml_lacks_are_priced_by_genai_prices(
    model: str, provider: str, name: str
) -> None:
    table = load_price_table()
    assert model not in table.prices
    price, where = table.priced(model)
    assert price == genai_price(provider, name) and price.output > 0
    assert where.source == "genai-prices" and where.version == GENAI
    assert where.date == datetime.now(UTC).date().isoformat()
    assert where.key == f"{provider}/{name}" and (where.cited or "").startswith("https://")
    assert create_backend(parse_model_id(model), table).price == price


def test_prices_toml_overrides_genai_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(model: str, day: object = None) -> None:
        raise AssertionError(f"genai-prices asked about {model}")

    monkeypatch.setattr(fallback_prices, "lookup", never)
    table = load_price_table()
    price, where = table.priced("deepseek/deepseek-reasoner")  # genai-prices knows it too
    assert price == Price(0.55, 0.14, 2.19)
    assert where.source == "prices.toml" and where.date == "2025"
    assert (where.cited or "").startswith("https://api-docs.deepseek.com/")


def test_a_user_price_file_overrides_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.toml"
    env_file.write_text('["openai/gpt-4o-mini"]\ninput = 9\noutput = 9\n')
    flag_file = tmp_path / "mine.toml"
    flag_file.write_text(
        'as_of = 2026-01-31\n["openai/gpt-4o-mini"]\ninput = 1\ncached_input = 0.5\noutput = 2\n'
        '["deepseek/deepseek-reasoner"]\ninput = 3\noutput = 4\n'
    )
    monkeypatch.setenv("ARCHBENCH_PRICES", str(env_file))
    table = load_price_table(flag_file)
    for model, price in (
        ("openai/gpt-4o-mini", Price(1, 0.5, 2)),  # over genai-prices
        ("deepseek/deepseek-reasoner", Price(3, 3, 4)),  # over prices.toml
    ):
        got, where = table.priced(model)
        assert got == price
        assert where.as_dict() == {
            "source": "user price file",
            "date": "2026-01-31",
            "file": str(flag_file),
            "key": model,
        }
    assert table.priced("deepseek/deepseek-chat")[1].source == "genai-prices"


@pytest.mark.parametrize(
    "model",
    [
        "ollama/llama3.1:8b",  # local: no API price, whatever the model is called
        "vllm/gpt-4o-mini",
        "openai/no-such-model-anywhere",
        "qwen/qwen-plus-latest",  # DashScope is not in genai-prices
        "openai-compatible/gpt-4o-mini@http://127.0.0.1:9/v1",
        "openai-compatible/gpt-4o-mini",
    ],
)
def test_a_model_neither_knows_stays_unknown(model: str) -> None:
    table = load_price_table()
    price, where = table.priced(model)
    assert price is None and where.as_dict() == {"source": "unknown"}


def test_an_unknown_price_gives_an_unknown_cost() -> None:
    from harness.backends.base import RealBackend
    from harness.usage import Usage

    backend = create_backend(parse_model_id("ollama/llama3.1:8b"), load_price_table())
    assert isinstance(backend, RealBackend)
    assert backend.reprice(Usage(requests=1, input_tokens=10, output_tokens=5)).cost_usd is None


def test_a_table_built_by_hand_does_not_fall_back() -> None:
    assert PriceTable().lookup("openai/gpt-4o-mini") is None


def test_a_bad_as_of_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('as_of = 3\n["a/b"]\ninput = 1\noutput = 1\n')
    with pytest.raises(ConfigError, match="'as_of' must be a date") as info:
        read_price_file(path)
    assert str(path) in str(info.value)


def test_config_json_records_where_each_price_came_from(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test-not-a-real-key")
    mini = fake_server.model_id("gpt-4o-mini", provider="openai")
    toml = fake_server.model_id("deepseek-reasoner", provider="deepseek")
    local = fake_server.model_id()
    run = tmp_path / "run"
    compare(
        ["kimi-researcher", "manus-workflow"],
        suite=str(mini_file),
        seeds=1,
        models={"*": toml, "kimi-researcher:agent": mini},
        out=run,
        cache=False,
    )
    compare(["kimi-researcher"], suite=str(mini_file), seeds=1, models={"*": local},
            out=tmp_path / "local", cache=False)  # fmt: skip
    pricing = json.loads((run / "config.json").read_text())["backends"]["pricing"]
    assert pricing["openai/gpt-4o-mini"]["source"] == "genai-prices"
    assert pricing["openai/gpt-4o-mini"]["version"] == GENAI
    assert pricing["deepseek/deepseek-reasoner"]["source"] == "prices.toml"
    local_config = json.loads((tmp_path / "local" / "config.json").read_text())
    assert list(local_config["backends"]["pricing"].values()) == [{"source": "unknown"}]
    assert "sk-test" not in (run / "config.json").read_text()


def test_a_run_written_before_pricing_was_recorded_still_resumes(
    mini: TaskSuite, tmp_path: Path
) -> None:
    """config.json gained `backends.pricing`; a resume takes the configuration the run
    wrote (checked against its config.sha256) and never rebuilds it, so an older run
    directory without the key resumes as it always did."""
    run = tmp_path / "run"

    def interrupt(ep: object, done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(["kimi-researcher"], suite=mini, seeds=2, out=run, on_episode=interrupt)
    config = json.loads((run / "config.json").read_text())
    assert config["backends"].pop("pricing") == {}  # simulated models only
    raw = json.dumps(config).encode()
    (run / "config.json").write_bytes(raw)
    (run / "config.sha256").write_text(f"{hashlib.sha256(raw).hexdigest()}  config.json\n")
    finished = resume(run)
    assert len(finished.results) == 2 * len(mini.tasks)
    assert "pricing" not in json.loads((run / "config.json").read_text())["backends"]
