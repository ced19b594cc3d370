"""`archbench serve MODEL_ID`: a simulated model behind an OpenAI-compatible endpoint
(`harness.serve`, docs/serving.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli.console import say, stdout_console
from harness.cli.options import SuiteOpt


def serve_command(
    model_id: Annotated[
        str,
        typer.Argument(
            metavar="MODEL_ID", help="A simulated model, e.g. mock/kimi-k2 or 'mock/o3?skill=0.5'."
        ),
    ],
    suite: SuiteOpt = "default",
    port: Annotated[
        int, typer.Option("--port", "-p", metavar="N", help="Port to listen on (0: a free one).")
    ] = 8000,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    pace: Annotated[
        float,
        typer.Option(
            "--pace",
            metavar="X",
            help="Wait X times each answer's simulated latency before sending it (0: answer "
            "at once), so a client's measured latencies follow the model's profile.",
        ),
    ] = 0.0,
) -> None:
    from harness.serve import Server, served_model

    served = served_model(model_id, suite, pace)
    server = Server(served, host, port)
    console = stdout_console()
    n = len(served.index.suite.tasks)
    say(console, f"archbench serve: {served.model_id} on {server.url} (suite {suite}, {n} tasks)")
    name = model_id.split("?", 1)[0].split("/", 1)[1]
    say(console, f"  use it as: openai-compatible/{name}@{server.url}?call_info=true")
    say(console, "  Ctrl-C stops it")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    say(console, f"archbench serve: stopped after {served.requests} requests")
