"""The version of the simulated behaviour.

Why a version: two runs of the same design on the same tasks are comparable only if the
simulated models made their moves by the same rules. Every change to what a simulated
model does (its decision sites, random streams, briefs, coordination rules) bumps this
number; run directories, response caches, recordings and trained policies carry it, and
resuming, replaying or reporting across versions is refused or labelled.

History:
1. The behaviour up to archbench 0.1 (before the version was stamped).
2. Roles act through their own models' skill; paired random streams; typed briefs.
"""

from __future__ import annotations

SIM_VERSION = 2
"""The simulated behaviour this archbench implements."""

UNSTAMPED_SIM_VERSION = 1
"""What a saved file without a `sim_version` field was made with."""
