"""Per-architecture summaries built one result at a time, in constant memory per episode.

`SummaryBuilder` folds results into `harness.metrics.ArchitectureTotals`, the same sums
`summarise_architecture` takes over a list, in the same order, without keeping the
results: what grows with the run is only each episode's cell (its world, task, seed and
the values the intervals resample, about 40 bytes in typed arrays; `harness.cells`), so a
run of 100,000 episodes summarises in a few megabytes.
"""

from __future__ import annotations

from harness.cells import EpisodeCells, TaskNames
from harness.metrics import ArchitectureSummary, ArchitectureTotals, SummaryRow


class SummaryBuilder:
    """Add results (in planned order, for bit-identical sums); read the summaries any time."""

    def __init__(self, architectures: list[str]) -> None:
        names = TaskNames()  # one copy of each task id for every architecture
        self._archs = {name: ArchitectureTotals(names) for name in architectures}

    def add(self, row: SummaryRow) -> None:
        self._archs[row.architecture].add_row(row)

    @property
    def episodes(self) -> int:
        return sum(a.all.n for a in self._archs.values())

    def summaries(self) -> list[ArchitectureSummary]:
        return [sums.summary(name) for name, sums in self._archs.items()]

    def cells(self) -> dict[str, EpisodeCells]:
        """Each architecture's episode cells (for paired differences)."""
        return {name: sums.cells for name, sums in self._archs.items()}
