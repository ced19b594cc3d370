"""The parent's side of a run: finished episodes in, run directory and summaries out.

Episodes finish in any order (on an event loop, in worker processes, on a cluster). Each
is written to the run directory as soon as it arrives, then folded into the summaries in
planned order, so the summaries (and, once the run completes, the files) are the same
whatever the executor, the number of workers, or how often the run was interrupted.
Nothing here grows with the run: results wait only until the ones planned before them
arrive, and are kept afterwards only if the caller asked for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from harness.execution.plan import Finished, Job, parse_result, trace_line
from harness.execution.resume import Existing
from harness.execution.summary import SummaryBuilder
from harness.rundir import RunWriter, result_line
from harness.runtime import Episode
from harness.trace import EpisodeResult

ProgressCallback = Callable[[Episode, int, int], None]


class Merger:
    def __init__(
        self,
        job: Job,
        *,
        writer: RunWriter | None = None,
        existing: Existing | None = None,
        keep_results: bool = True,
        on_episode: ProgressCallback | None = None,
    ) -> None:
        self.job = job
        self.total = len(job)
        self.writer = writer
        self.existing = existing
        self.builder = SummaryBuilder([a.name for a in job.archs])
        self.results: list[EpisodeResult] | None = [] if keep_results else None
        self.on_episode = on_episode
        self.next = 0
        """Planned index of the first episode not yet folded into the summaries."""
        self.done = len(existing.done) if existing is not None else 0
        self._pending: dict[int, EpisodeResult] = {}
        self._old: IO[bytes] | None = None
        if existing is not None and writer is not None:
            self._old = open(writer.dir / "results.jsonl", "rb")  # noqa: SIM115
        self._advance()

    def todo(self) -> list[int] | range:
        """Planned indices still to run."""
        if self.existing is None:
            return range(self.total)
        done = self.existing.done
        return [i for i in range(self.total) if i not in done]

    def frontier(self) -> int:
        return self.next

    def __call__(self, f: Finished) -> None:
        if f.episode is not None:
            result = f.episode.result
        else:
            assert f.result_line is not None
            result = parse_result(f.result_line)
        if self.writer is not None:
            rline = f.result_line or result_line(result)
            if f.trace_line is not None:
                tline = f.trace_line
            else:
                assert f.episode is not None, "an episode from elsewhere comes with its trace"
                tline = trace_line(f.episode)
            self.writer.write_lines(f.index, rline, tline)
        self._pending[f.index] = result
        self.done += 1
        self._advance()
        if self.on_episode is not None:
            self.on_episode(f.episode or Episode(result, []), self.done, self.total)

    def _advance(self) -> None:
        while self.next < self.total:
            result = self._pending.pop(self.next, None)
            if result is None:
                if self.existing is None or self.next not in self.existing.done:
                    return
                assert self._old is not None
                result = self.existing.result(self._old, self.next)
            self.builder.add(result)
            if self.results is not None:
                self.results.append(result)
            self.next += 1

    @property
    def complete(self) -> bool:
        return self.next == self.total

    def close(self) -> None:
        if self._old is not None:
            self._old.close()
            self._old = None
