"""`archbench list`: what can be compared; `list --check FILE`: is a design valid, and
does it fall into a known trap (`harness.lint`)?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from harness.cli.console import say, stdout_console
from harness.cli.design import print_warnings, warning_lines
from harness.cli.text import shown
from harness.errors import ConfigError
from harness.graph import compile_architecture
from harness.loader import available_architectures, broken_plugins, load_architecture
from harness.registry import list_providers
from harness.sim.profiles import PRESETS
from harness.suites import builtin_suite_names, load_suite

_WHAT = ("architectures", "models", "suites")


def list_command(
    what: Annotated[
        str | None, typer.Argument(help="architectures, models or suites (default: all).")
    ] = None,
    check: Annotated[
        str | None,
        typer.Option(
            "--check",
            metavar="FILE",
            help="Check one architecture (a .yaml/.toml/.json file or a name) instead of "
            "listing: print 'ok: NAME (N nodes)' and any design warnings (valid designs that "
            "are silently wrong, see docs/warnings.md). Exit 0 when valid, even with "
            "warnings; exit 2 with the error when not.",
        ),
    ] = None,
) -> None:
    """List architectures (with roles and default models), models and task suites; or,
    with --check FILE, validate one architecture and print its design warnings."""
    if check is not None:
        if what is not None:
            raise ConfigError(f"list: give '{what}' or --check, not both")
        _check(check)
        return
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


def _check(ref: str) -> None:
    """Validate `ref` as `compare` would (a mistake raises, one line, exit 2) and print
    its warnings: a design can be checked while it is written, before anything runs."""
    arch = compile_architecture(load_architecture(ref))
    console = stdout_console()
    count = len(arch.nodes)
    say(console, f"ok: {arch.name} ({count} node{'' if count == 1 else 's'})")
    print_warnings(console, warning_lines([arch]))
