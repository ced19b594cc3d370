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

from harness.execution.plan import EpisodeKey, Finished, Job, parse_result, trace_line
from harness.execution.resume import Existing
from harness.execution.summary import SummaryBuilder
from harness.metrics import SummaryRow, summary_row
from harness.rundir import RunWriter, result_line
from harness.runtime import Episode
from harness.trace import EpisodeResult

ProgressCallback = Callable[[Episode, int, int], None]
"""`on_episode(episode, done, total)`: each finished episode, its result parsed (in worker
runs a parse per episode in this process; steps and events only for episodes run in this
process: another process's are in its trace line, their counts in its result)."""
ProgressHook = Callable[[int, int, EpisodeKey], None]
"""`on_progress(done, total, key)`: that one more episode finished, and which; costs
nothing per episode (a progress bar needs no more)."""


class Merger:
    def __init__(
        self,
        job: Job,
        *,
        writer: RunWriter | None = None,
        existing: Existing | None = None,
        keep_results: bool = True,
        on_episode: ProgressCallback | None = None,
        on_progress: ProgressHook | None = None,
    ) -> None:
        self.job = job
        self.total = len(job)
        self.writer = writer
        self.existing = existing
        self.builder = SummaryBuilder([a.name for a in job.archs])
        self.results: list[EpisodeResult] | None = [] if keep_results else None
        self.on_episode = on_episode
        self.on_progress = on_progress
        self.wants_results = keep_results or on_episode is not None
        """Does this process need each result (else the summaries' rows suffice)?"""
        self.next = 0
        """Planned index of the first episode not yet folded into the summaries."""
        self.done = len(existing.done) if existing is not None else 0
        self._pending: dict[int, tuple[SummaryRow, EpisodeResult | None]] = {}
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
        result: EpisodeResult | None = None
        if f.episode is not None:
            result = f.episode.result
        elif f.row is None or self.wants_results:
            assert f.result_line is not None, "an episode from elsewhere comes with its line"
            result = parse_result(f.result_line)
        if self.writer is not None:
            rline = f.result_line
            if rline is None:
                assert result is not None
                rline = result_line(result)
            if f.trace_line is not None:
                tline = f.trace_line
            else:
                assert f.episode is not None, "an episode from elsewhere comes with its trace"
                tline = trace_line(f.episode)
            self.writer.write_lines(f.index, rline, tline)
        row = f.row
        if row is None:
            assert result is not None
            row = summary_row(result)
        self._pending[f.index] = (row, result)
        self.done += 1
        self._advance()
        if self.on_progress is not None:
            self.on_progress(self.done, self.total, self.job.key(f.index))
        if self.on_episode is not None:
            assert result is not None
            self.on_episode(f.episode or Episode(result, []), self.done, self.total)

    def _advance(self) -> None:
        while self.next < self.total:
            pending = self._pending.pop(self.next, None)
            if pending is None:
                if self.existing is None or self.next not in self.existing.done:
                    return
                assert self._old is not None
                old = self.existing.result(self._old, self.next)
                pending = (summary_row(old), old)
            row, result = pending
            self.builder.add(row)
            if self.results is not None:
                assert result is not None
                self.results.append(result)
            self.next += 1

    @property
    def complete(self) -> bool:
        return self.next == self.total

    def close(self) -> None:
        if self._old is not None:
            self._old.close()
            self._old = None
