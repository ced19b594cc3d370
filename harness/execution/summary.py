"""Per-architecture summaries built one result at a time, in constant memory.

`SummaryBuilder` folds results into `harness.metrics.ArchitectureTotals`, the same sums
`summarise_architecture` takes over a list, in the same order, without keeping the
results: a sweep of a million episodes needs no more memory to summarise than one of a
thousand.
"""

from __future__ import annotations

from harness.metrics import ArchitectureSummary, ArchitectureTotals, SummaryRow


class SummaryBuilder:
    """Add results (in planned order, for bit-identical sums); read the summaries any time."""

    def __init__(self, architectures: list[str]) -> None:
        self._archs = {name: ArchitectureTotals() for name in architectures}

    def add(self, row: SummaryRow) -> None:
        self._archs[row.architecture].add_row(row)

    @property
    def episodes(self) -> int:
        return sum(a.all.n for a in self._archs.values())

    def summaries(self) -> list[ArchitectureSummary]:
        return [sums.summary(name) for name, sums in self._archs.items()]
