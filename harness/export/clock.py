"""The fixed wall clock every export puts the simulated clock on.

A run records simulated seconds (`Step.start_s`, `latency_s`), not wall time: each episode
starts at 0. Exports need absolute timestamps (OTel spans, Inspect's `started_at`), and
the same run must export to the same bytes, so episode time 0 is placed at `EPOCH`, for
every episode (each is its own trace or sample; they are not laid end to end, which would
make one episode's times depend on the others' and on the order they finished in).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
EPOCH_NS = int(EPOCH.timestamp()) * 1_000_000_000


def at_ns(seconds: float) -> int:
    """Nanoseconds since the Unix epoch of simulated second `seconds` of an episode."""
    return EPOCH_NS + round(seconds * 1e9)


def at_iso(seconds: float) -> str:
    """ISO 8601 (UTC) of simulated second `seconds` of an episode."""
    return (EPOCH + timedelta(microseconds=round(seconds * 1e6))).isoformat()
