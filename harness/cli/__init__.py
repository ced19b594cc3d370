"""The `archbench` command: a thin layer over the Python API.

Every user mistake ends the same way: one line on stderr naming the file, flag or field at
fault, and exit code 2, with no traceback and nothing written. A run that finished with
episodes in `error` exits 1 (`harness.cli.failures`); an interrupted one 130.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from harness.cli import (
    cache_cmd,
    compare_cmd,
    diff_cmd,
    graph_cmd,
    list_cmd,
    report_cmd,
    run_cmd,
    serve_cmd,
    study_cmd,
    sweep_cmd,
    train_cmd,
)
from harness.cli.dotenv_file import load_env_file
from harness.cli.export_cmd import export_command
from harness.cli.fit_cmd import fit_command
from harness.cli.text import visible
from harness.errors import UserError
from harness.redact import redact

app = typer.Typer(
    name="archbench",
    help="Compare agent architectures (single agent, multi-agent workflow, hybrid) on toy "
    "research tasks: accuracy, steps, tool calls, tokens, cost and latency.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("list", help="List architectures, models and task suites.")(list_cmd.list_command)
app.command("compare", help="Compare architectures on a task suite.")(compare_cmd.compare_command)
app.command("run", help="Run one episode and print its trace step by step.")(run_cmd.run_command)
app.command(
    "graph",
    help="Draw architectures as graphs (svg, png, pdf, dot, mermaid, ascii), optionally with "
    "a run's trace overlaid.",
)(graph_cmd.graph_command)
app.command("sweep", help="Compare over a grid of settings (sweep).")(sweep_cmd.sweep_command)
app.command("report", help="Write a run's self-contained HTML report.")(report_cmd.report_command)
app.command("diff", help="Compare two runs episode by episode (B - A).")(diff_cmd.diff_command)
app.command("train", help="Train one role's strategy policy (REINFORCE).")(train_cmd.train_command)
app.command("serve", help="Serve a simulated model as an OpenAI-compatible endpoint.")(
    serve_cmd.serve_command
)
app.add_typer(cache_cmd.app, name="cache")
app.add_typer(study_cmd.app, name="study")


def _show_version(value: bool) -> None:
    if value:
        from harness.compare import archbench_version

        print(f"archbench {archbench_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",  # -v is --verbose, where a command has it
            is_eager=True,
            expose_value=True,
            callback=_show_version,
            help="Print archbench's version and exit.",
        ),
    ] = False,
) -> None:
    """Before any command: ./.env fills in what the environment lacks
    (`harness.cli.dotenv_file`)."""
    load_env_file()


app.command("export", help="Export a run to other tools' formats.")(export_command)
app.command("fit", help="Fit a simulated-model profile to a recorded run.")(fit_command)


def _usage_error() -> type[Exception]:
    """Typer raises click's UsageError, vendored in new Typer releases: find it by name."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "UsageError":
            return cls
    return typer.BadParameter


_UsageError = _usage_error()


def _error(message: str) -> None:
    """The one line a user mistake gets: secrets a model id carried taken out (a
    backend's message may quote one whole), control characters made visible, several
    lines joined into one."""
    parts = [p.strip() for p in message.splitlines() if p.strip()]
    print(f"archbench: error: {visible(redact('; '.join(parts)))}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="archbench", standalone_mode=False)
    except UserError as exc:
        _error(str(exc))
        sys.exit(2)
    except _UsageError as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `archbench`: show the help
            print(message)
            sys.exit(0)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see 'archbench {ctx.info_name} --help')" if ctx and ctx.parent else ""
        _error(f"{message}{hint}")
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        print("archbench: interrupted", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
