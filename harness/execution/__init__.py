"""How a run's episodes get run: on this event loop, in worker processes, or on Ray.

plan.py       the job (picklable) and the planned order of its episodes
local.py      the default: episodes on this process's event loop (real models)
processes.py  --workers N: simulated episodes in N processes
ray_exec.py   --executor ray: simulated episodes on a Ray cluster
merge.py      the parent's side: write each episode, fold summaries in planned order
summary.py    summaries in constant memory
resume.py     what an interrupted run directory holds, for --resume
"""

from harness.execution.plan import ArchRef, Finished, Job
from harness.execution.types import Executor, IncompleteRun, Sink, WorkerLost

__all__ = ["ArchRef", "Executor", "Finished", "IncompleteRun", "Job", "Sink", "WorkerLost"]
