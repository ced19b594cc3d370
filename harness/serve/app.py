"""`archbench serve`'s application: a simulated model behind chat completions.

Routes (Starlette; no per-request validation framework: the checks are `convert.py`'s):

    POST /v1/chat/completions      the simulated model's answer (tool calls, usage)
    GET  /v1/models                the one model served
    GET  /v1/archbench/tasks       the suite's task ids, families and questions
    GET  /v1/archbench/tools       the research tools' schemas (OpenAI format)
    POST /v1/archbench/tools/NAME  run search / open / answer: {"arguments": {...}}
    POST /v1/archbench/score       {"task_id", "answer", "citations"}: correct, supported

Each chat request becomes the `ModelRequest` it was made from (`convert.py`), gets its
task's hidden solution as the runtime would hand it over (`recognise.py`) and goes to the
same `SimulatedModel` an in-process run uses. What the wire does not carry (purpose, brief,
draw position) comes from the `X-Archbench-Call` header when the client sends it
(`harness.backends.callinfo`), and otherwise defaults that docs/serving.md lists.

One `SimulatedModel` per episode (the draws' episode key; without call info, the seed and
the task), as in process where each episode makes its own backends: the model's only state
is its provider-side prefix cache, which decides the cached input tokens it reports.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from typing import Any

from harness.backends import callinfo
from harness.errors import ConfigError, ContextOverflow
from harness.messages import DrawKey, ModelRequest, Purpose
from harness.registry import get_model
from harness.scoring import score_answer
from harness.serve.convert import (
    BadRequest,
    completion,
    config_from_wire,
    messages_from_wire,
    seed_from_wire,
    tools_from_wire,
)
from harness.serve.recognise import TaskIndex
from harness.serve.tools import TOOL_NAMES, run_tool, suite_toolset
from harness.sim.model import SimulatedModel
from harness.sim.streams import episode_key
from harness.task import TaskSuite

try:  # the `serve` extra: pip install 'archbench[serve]'
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
except ImportError:  # pragma: no cover - installed with the dev and serve extras
    raise ConfigError(
        "archbench serve needs starlette and uvicorn: pip install 'archbench[serve]'"
    ) from None

MAX_BODY_BYTES = 8 * 1024 * 1024
"""The largest request body taken (HTTP 413 above): a long episode's conversation is a few
hundred kB."""

MAX_EPISODES = 512
"""Episodes whose model (and prefix cache) is kept; the oldest is dropped beyond."""

SERVE_BRANCH = "serve|main"
"""The draws' branch of a request without call info (a foreign framework's agent)."""


class ServedModel:
    """The simulated model `model_id`, answering requests about `suite`'s tasks."""

    def __init__(self, model_id: str, suite: TaskSuite, pace: float = 0.0) -> None:
        first = get_model(model_id)
        if not isinstance(first, SimulatedModel):
            raise TypeError(f"{model_id} is not a simulated model")
        self.model_id = first.id
        self.profile = first.profile
        self.index = TaskIndex(suite)
        self.pace = pace
        self._episodes: OrderedDict[str, SimulatedModel] = OrderedDict()
        self.requests = 0

    def model_for(self, episode: str) -> SimulatedModel:
        model = self._episodes.get(episode)
        if model is None:
            model = self._episodes[episode] = SimulatedModel(self.model_id, self.profile)
            while len(self._episodes) > MAX_EPISODES:
                self._episodes.popitem(last=False)
        else:
            self._episodes.move_to_end(episode)
        return model

    def request(self, body: dict[str, Any], header: str | None) -> tuple[ModelRequest, str | None]:
        """The `ModelRequest` a chat body (and call-info header) stands for, and the id of
        the task it was recognised as (None: unknown)."""
        if body.get("stream"):
            raise BadRequest("streaming is not supported: send stream=false", "stream")
        if body.get("n", 1) != 1:
            raise BadRequest("only n=1 is supported", "n")
        messages = messages_from_wire(body.get("messages"))
        tools = tools_from_wire(body.get("tools"))
        config = config_from_wire(body, tools)
        seed = seed_from_wire(body)
        purpose: Purpose = "act"
        draws = brief = None
        if header is not None:
            try:
                purpose, draws, brief = callinfo.decode(header)
            except callinfo.CallInfoError as exc:
                raise BadRequest(str(exc), callinfo.HEADER) from None
        task = self.index.find(messages, draws)
        if draws is None:
            digest = TaskIndex.digest(task) if task is not None else "unknown"
            steps = sum(1 for m in messages if m.role == "assistant")
            draws = DrawKey(episode_key(seed, digest), SERVE_BRANCH, steps)
        request = ModelRequest(
            messages,
            tools,
            purpose,
            config,
            seed,
            oracle=task.solution if task is not None else None,
            brief=brief,
            draws=draws,
        )
        return request, task.id if task is not None else None

    async def answer(self, body: dict[str, Any], header: str | None) -> dict[str, Any]:
        request, task_id = self.request(body, header)
        assert request.draws is not None
        model = self.model_for(request.draws.episode)
        try:
            response = await model.generate(request)
        except ContextOverflow as exc:
            raise BadRequest(str(exc), "messages") from None
        self.requests += 1
        if self.pace > 0:
            await asyncio.sleep(response.latency_s * self.pace)
        digest = hashlib.blake2b(
            json.dumps(body, sort_keys=True).encode() + (header or "").encode(), digest_size=8
        ).hexdigest()
        extra = {"task_id": task_id, "latency_s": response.latency_s, "purpose": request.purpose}
        return completion(response, str(body.get("model") or self.model_id), digest, extra)


def _error(message: str, status: int = 400, param: str | None = None) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return JSONResponse({"error": {"message": message, "type": kind, "param": param}}, status)


async def _json_body(request: Request) -> Any:
    """The request's JSON, read up to `MAX_BODY_BYTES` (BadRequest beyond, or when it is
    not JSON)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not JSON") from None


class _TooLarge(Exception):
    pass


def create_app(served: ServedModel) -> Starlette:
    """The Starlette application serving `served`."""
    suite = served.index.suite
    toolset = suite_toolset(suite)

    async def guarded(request: Request, handler: Any) -> JSONResponse:
        try:
            body = await _json_body(request)
            if not isinstance(body, dict):
                raise BadRequest("the body must be a JSON object")
            return JSONResponse(await handler(body, request))
        except _TooLarge:
            return _error(f"the body is larger than {MAX_BODY_BYTES} bytes", 413)
        except BadRequest as exc:
            return _error(str(exc), 400, exc.param)

    async def chat(request: Request) -> JSONResponse:
        async def handle(body: dict[str, Any], req: Request) -> dict[str, Any]:
            return await served.answer(body, req.headers.get(callinfo.HEADER))

        return await guarded(request, handle)

    async def models(request: Request) -> JSONResponse:
        entry = {"id": served.model_id, "object": "model", "created": 0, "owned_by": "archbench"}
        return JSONResponse({"object": "list", "data": [entry]})

    async def task_list(request: Request) -> JSONResponse:
        rows = [{"id": t.id, "family": t.family, "question": t.question} for t in suite.tasks]
        return JSONResponse({"object": "list", "data": rows})

    async def tool_schemas(request: Request) -> JSONResponse:
        from harness.backends.wire import wire_tool

        return JSONResponse({"object": "list", "data": [wire_tool(s) for s in toolset.schemas]})

    async def tool(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        if name not in TOOL_NAMES:
            return _error(f"unknown tool '{name}' (tools: {', '.join(TOOL_NAMES)})", 404)

        async def handle(body: dict[str, Any], req: Request) -> dict[str, Any]:
            content, error = run_tool(toolset, name, body.get("arguments", {}))
            return {"content": content, "error": error}

        return await guarded(request, handle)

    async def score(request: Request) -> JSONResponse:
        async def handle(body: dict[str, Any], req: Request) -> dict[str, Any]:
            task = served.index.by_id.get(body.get("task_id"))  # type: ignore[arg-type]
            if task is None:
                raise BadRequest(f"unknown task_id {body.get('task_id')!r}", "task_id")
            answer, cites = body.get("answer"), body.get("citations", [])
            if answer is not None and not isinstance(answer, str):
                raise BadRequest("answer must be a string or null", "answer")
            if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
                raise BadRequest("citations must be a list of document ids", "citations")
            correct, supported = score_answer(task, answer, cites)
            return {"task_id": task.id, "correct": correct, "supported": supported}

        return await guarded(request, handle)

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/v1/archbench/tasks", task_list, methods=["GET"]),
            Route("/v1/archbench/tools", tool_schemas, methods=["GET"]),
            Route("/v1/archbench/tools/{name}", tool, methods=["POST"]),
            Route("/v1/archbench/score", score, methods=["POST"]),
        ]
    )
