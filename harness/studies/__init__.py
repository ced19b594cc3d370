"""Studies: the field's published findings, reproduced by named, versioned recipes.

`archbench study list` shows them, `archbench study run NAME --out DIR` runs one
(docs/studies.md). Each study is one module holding its recipe as a plain function;
`harness.studies.framework` holds what they share: the `Study` record, the verdict rule,
the run directories and the table.
"""

from __future__ import annotations

import difflib

from harness.errors import UnknownNameError
from harness.studies.anthropic import STUDY as ANTHROPIC
from harness.studies.equal_budget import STUDY as EQUAL_BUDGET
from harness.studies.framework import Study, StudyResult
from harness.studies.kimi_rl import STUDY as KIMI_RL
from harness.studies.kimi_steps import STUDY as KIMI_STEPS
from harness.studies.manus_context import STUDY as MANUS_CONTEXT
from harness.studies.mast import STUDY as MAST
from harness.studies.routing import STUDY as ROUTING
from harness.studies.scaling_laws import STUDY as SCALING_LAWS

STUDIES: dict[str, Study] = {
    s.name: s
    for s in (
        KIMI_STEPS,
        ANTHROPIC,
        MAST,
        SCALING_LAWS,
        MANUS_CONTEXT,
        EQUAL_BUDGET,
        ROUTING,
        KIMI_RL,
    )
}


def get_study(name: str) -> Study:
    """The study called `name`; a user error naming the known ones otherwise."""
    if name in STUDIES:
        return STUDIES[name]
    close = difflib.get_close_matches(name, STUDIES, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UnknownNameError(f"unknown study '{name}' ({hint}known: {', '.join(STUDIES)})")


__all__ = ["STUDIES", "Study", "StudyResult", "get_study"]
