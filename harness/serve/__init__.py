"""`archbench serve`: a simulated model behind an OpenAI-compatible endpoint, so any agent
framework can run archbench's tasks against archbench's simulated models (docs/serving.md).

    from harness.serve import ServerThread, served_model, task_tools

    with ServerThread(served_model("mock/kimi-k2", "default")) as base_url:
        ...  # point any OpenAI client at base_url; run the tools with task_tools(...)
"""

from harness.serve.app import ServedModel, create_app
from harness.serve.recognise import TaskIndex, normalise
from harness.serve.run import Server, ServerThread, check_served_id, served_model
from harness.serve.tools import TaskTools, task_tools

__all__ = [
    "ServedModel",
    "Server",
    "ServerThread",
    "TaskIndex",
    "TaskTools",
    "check_served_id",
    "create_app",
    "normalise",
    "served_model",
    "task_tools",
]
