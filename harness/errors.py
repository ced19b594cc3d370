"""Errors, split by whose fault they are.

    ArchbenchError
    ├── UserError            bad input: the CLI prints one line and exits with code 2
    │   ├── ConfigError      a file, flag or field is wrong
    │   ├── UnknownNameError an architecture, model, suite or task id that does not exist
    │   └── ValidationError  an architecture spec that does not compile
    └── RunError             something went wrong while running an episode
        ├── BudgetExhausted  an episode budget (steps, tokens, cost) was hit
        ├── ContextOverflow  a request was larger than the model's context window
        └── BackendError     a model backend failed for good

A `RunError` never escapes an episode: the runner records it as the episode's outcome.
"""

from __future__ import annotations


class ArchbenchError(Exception):
    """Base of every error archbench raises on purpose."""


class UserError(ArchbenchError):
    """The user asked for something that cannot be done as asked."""


class ConfigError(UserError):
    pass


class UnknownNameError(UserError):
    pass


class ValidationError(UserError):
    pass


class RunError(ArchbenchError):
    outcome = "error"


class BudgetExhausted(RunError):
    outcome = "budget_exhausted"


class ContextOverflow(RunError):
    outcome = "context_overflow"


class BackendError(RunError):
    outcome = "error"
