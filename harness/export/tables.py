"""A run as two flat tables: episodes (one row per result) and steps (one row per model
call), as CSV (standard library) or Parquet (pyarrow, the `parquet` extra).

Why flat tables: pandas, DuckDB, R, spreadsheets read them without knowing archbench's
nested JSON. Columns and their types are fixed here, once (`EPISODE_COLUMNS`,
`STEP_COLUMNS`), so CSV, Parquet and `Comparison.to_pandas()` agree, and an empty run
still has every column. Rows keep the order of results.jsonl and traces, so the same
run writes the same CSV bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.export.optional import fresh, need
from harness.export.source import RunSource
from harness.trace import EpisodeResult

EPISODE_COLUMNS: dict[str, str] = {
    "architecture": "str",
    "task_id": "str",
    "family": "str",
    "seed": "int",
    "world": "int",
    "outcome": "str",
    "error": "str",
    "answer": "str",
    "citations": "str",  # space-separated document ids
    "correct": "bool",
    "supported": "bool",
    "latency_s": "float",
    "steps": "int",
    "tool_calls": "int",
    "tool_errors": "int",
    "input_tokens": "int",
    "cached_input_tokens": "int",
    "output_tokens": "int",
    "reasoning_tokens": "int",
    "total_tokens": "int",
    "cost_usd": "float",
    "research_steps": "int",
    "research_tokens": "int",
    "research_cost_usd": "float",
    "coordination_steps": "int",
    "coordination_tokens": "int",
    "coordination_cost_usd": "float",
    "events": "str",  # JSON object: trace events per kind
}
STEP_COLUMNS: dict[str, str] = {
    "architecture": "str",
    "task_id": "str",
    "seed": "int",
    "world": "int",
    "index": "int",
    "branch": "str",
    "node": "str",
    "role": "str",
    "model": "str",
    "purpose": "str",
    "category": "str",
    "start_s": "float",
    "latency_s": "float",
    "input_tokens": "int",
    "cached_input_tokens": "int",
    "output_tokens": "int",
    "reasoning_tokens": "int",
    "cost_usd": "float",
    "tool_calls": "int",
    "tool_errors": "int",
    "tools": "str",  # tool names, space-separated, in call order
    "content": "str",
}


def episode_row(r: EpisodeResult) -> dict[str, Any]:
    t = r.totals
    return {
        "architecture": r.architecture,
        "task_id": r.task_id,
        "family": r.family,
        "seed": r.seed,
        "world": r.world,
        "outcome": r.outcome,
        "error": r.error,
        "answer": r.answer,
        "citations": " ".join(r.citations),
        "correct": r.correct,
        "supported": r.supported,
        "latency_s": r.latency_s,
        "steps": t.steps,
        "tool_calls": t.tool_calls,
        "tool_errors": r.tool_errors,
        "input_tokens": t.input_tokens,
        "cached_input_tokens": t.cached_input_tokens,
        "output_tokens": t.output_tokens,
        "reasoning_tokens": t.reasoning_tokens,
        "total_tokens": t.total_tokens,
        "cost_usd": t.cost_usd,
        "research_steps": r.research.steps,
        "research_tokens": r.research.total_tokens,
        "research_cost_usd": r.research.cost_usd,
        "coordination_steps": r.coordination.steps,
        "coordination_tokens": r.coordination.total_tokens,
        "coordination_cost_usd": r.coordination.cost_usd,
        "events": json.dumps(r.events, sort_keys=True),
    }


def step_rows(run: RunSource) -> Iterable[dict[str, Any]]:
    for r in run.results:
        for s in run.steps(r):
            tools = s.get("tools") or []
            row = {k: s.get(k) for k in STEP_COLUMNS}
            row.update(
                architecture=r.architecture,
                task_id=r.task_id,
                seed=r.seed,
                world=r.world,
                tool_calls=len(tools),
                tool_errors=sum(1 for t in tools if t.get("error")),
                tools=" ".join(str(t.get("name", "")) for t in tools),
            )
            yield row


def csv_text(rows: Iterable[dict[str, Any]], columns: dict[str, str]) -> str:
    """`rows` as CSV with a header (None: an empty cell; floats as Python writes them)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_csv(run: RunSource, out: Path) -> list[Path]:
    """episodes.csv and steps.csv in the directory `out`."""
    out.mkdir(parents=True, exist_ok=True)
    episodes, steps = out / "episodes.csv", out / "steps.csv"
    rows = (episode_row(r) for r in run.results)
    fresh(episodes).write_text(csv_text(rows, EPISODE_COLUMNS), encoding="utf-8")
    fresh(steps).write_text(csv_text(step_rows(run), STEP_COLUMNS), encoding="utf-8")
    return [episodes, steps]


def arrow_table(rows: Iterable[dict[str, Any]], columns: dict[str, str]) -> Any:
    """A pyarrow Table of `rows` with the columns' fixed types."""
    pa = need("pyarrow", "parquet", "--format parquet")
    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    schema = pa.schema([(name, kinds[kind]) for name, kind in columns.items()])
    return pa.Table.from_pylist(list(rows), schema=schema)


def write_parquet(run: RunSource, out: Path) -> list[Path]:
    """episodes.parquet and steps.parquet in the directory `out`."""
    need("pyarrow", "parquet", "--format parquet")
    pq = need("pyarrow.parquet", "parquet", "--format parquet")
    out.mkdir(parents=True, exist_ok=True)
    episodes, steps = out / "episodes.parquet", out / "steps.parquet"
    pq.write_table(
        arrow_table((episode_row(r) for r in run.results), EPISODE_COLUMNS), fresh(episodes)
    )
    pq.write_table(arrow_table(step_rows(run), STEP_COLUMNS), fresh(steps))
    return [episodes, steps]


def episodes_frame(results: Iterable[EpisodeResult]) -> Any:
    """A pandas DataFrame of `results`, one row per episode (`Comparison.to_pandas`)."""
    pd = need("pandas", "parquet", "Comparison.to_pandas()")
    frame = pd.DataFrame([episode_row(r) for r in results], columns=list(EPISODE_COLUMNS))
    types = {"int": "int64", "float": "float64", "bool": "bool"}  # text: pandas' default
    return frame.astype({k: types[v] for k, v in EPISODE_COLUMNS.items() if v in types})
