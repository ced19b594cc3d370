"""`archbench list`: what can be compared."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from harness.cli.console import stdout_console
from harness.cli.text import shown
from harness.errors import ConfigError
from harness.loader import available_architectures, broken_plugins
from harness.registry import list_providers
from harness.sim.profiles import PRESETS
from harness.suites import builtin_suite_names, load_suite

_WHAT = ("architectures", "models", "suites")


def list_command(
    what: Annotated[
        str | None, typer.Argument(help="architectures, models or suites (default: all).")
    ] = None,
) -> None:
    """List architectures (with roles and default models), models and task suites."""
    if what is not None and what not in _WHAT:
        raise ConfigError(f"list: unknown kind '{what}' (choose: {', '.join(_WHAT)})")
    console = stdout_console()
    if what in (None, "architectures"):
        t = Table(title="architectures")
        for col in ("name", "roles -> default models", "parameters", "claim"):
            t.add_column(col, overflow="fold")
        for name, spec in sorted(available_architectures().items()):
            # one line per role and parameter, each shown (a plug-in's names are untrusted)
            roles = Text("\n").join(shown(f"{r} = {m}") for r, m in spec.roles.items())
            params = Text("\n").join(shown(f"{k} = {p.default}") for k, p in spec.params.items())
            t.add_row(shown(name), roles, params, shown(spec.claim))
        console.print(t)
        for reason in broken_plugins().values():
            console.print(Text.assemble(("warning:", "yellow"), " ", shown(reason)))
    if what in (None, "models"):
        t = Table(title="models (simulated presets; price $/M tokens in / cached / out)")
        for col in ("id", "skill", "persist.", "halluc.", "context", "price", "stands for"):
            t.add_column(col, overflow="fold")
        for name, p in sorted(PRESETS.items()):
            price = f"{p.price.input:g} / {p.price.cached_input:g} / {p.price.output:g}"
            t.add_row(
                f"mock/{name}",
                f"{p.skill:g}",
                f"{p.persistence:g}",
                f"{p.hallucination:g}",
                f"{p.context_window:,}",
                price,
                p.label,
            )
        console.print(t)
        providers = ", ".join(f"{p.name} ({p.description})" for p in list_providers())
        console.print(f"providers: {providers}")
    if what in (None, "suites"):
        t = Table(title="task suites")
        for col in ("name", "tasks", "documents", "families"):
            t.add_column(col)
        for name in builtin_suite_names():
            suite = load_suite(name)
            fams: dict[str, int] = {}
            for task in suite.tasks:
                fams[task.family] = fams.get(task.family, 0) + 1
            t.add_row(
                name,
                str(len(suite.tasks)),
                str(len(suite.documents)),
                ", ".join(f"{f} {n}" for f, n in fams.items()),
            )
        console.print(t)
