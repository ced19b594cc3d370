"""`archbench serve`: a simulated model behind an OpenAI-compatible endpoint (docs/serving.md).

The served model must be the in-process one: an architecture run through the real-backend
path against it (with `?call_info=true`) takes the same actions, gives the same answers and
counts the same tokens; a plain OpenAI client with the task's tools can run a task; bad
requests and bad flags are refused in one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from cli_runner import cli
from serve_fixture import serve, serve_env, serve_model, served_id

from harness.backends import callinfo
from harness.backends.providers import identity, resolve
from harness.brief import Brief
from harness.compare import compare
from harness.messages import DrawKey, Message, ModelRequest
from harness.registry import parse_model_id
from harness.rerun import replay
from harness.serve import TaskIndex, normalise, task_tools
from harness.serve import app as serve_app
from harness.task import TaskSuite
from harness.trace import EpisodeResult

__all__ = ["serve_env", "serve_model"]  # fixtures, imported for pytest


def _view(r: EpisodeResult) -> dict[str, Any]:
    """A result without what the wire cannot keep: the cost (the served model has no
    price) and the latency (measured, not simulated), and the model's id."""
    d = r.model_dump()
    for k in ("latency_s", "by_model"):
        d.pop(k)
    for part in ("totals", "research", "coordination"):
        d[part].pop("cost_usd")
    for group in ("by_node", "by_role"):
        for v in d[group].values():
            v.pop("cost_usd")
    return d


def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data, {"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_served_model_is_the_in_process_model(serve_env: None, mini: TaskSuite) -> None:
    local = compare(["kimi-researcher"], suite=mini, seeds=2, models={"agent": "mock/kimi-k2"})
    with serve("mock/kimi-k2", mini) as url:
        model = served_id("kimi-k2", url)
        remote = compare(["kimi-researcher"], suite=mini, seeds=2, models={"agent": model})
    assert len(remote.results) == len(local.results) == 2 * len(mini.tasks)
    assert [_view(r) for r in remote.results] == [_view(r) for r in local.results]
    assert any(r.correct for r in remote.results) and any(r.totals.steps > 2 for r in local.results)


def test_without_call_info_the_task_is_recognised_and_the_policy_runs(
    serve_model: Callable[..., str], mini: TaskSuite
) -> None:
    """A foreign client sends no call info: the served model recognises the task from the
    question and plays the same profile, on other draws (docs/serving.md says which)."""
    model = served_id("perfect", serve_model("mock/perfect", mini), call_info=False)
    run = compare(["kimi-researcher"], suite=mini, seeds=1, models={"agent": model})
    answered = [r for r in run.results if r.outcome == "answered"]
    assert len(answered) == len(mini.tasks)
    assert sum(r.correct for r in run.results) >= len(mini.tasks) - 1  # the dead end may not


def test_recorded_run_replays_without_the_server(
    serve_env: None, mini: TaskSuite, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    with serve("mock/kimi-k2", mini) as url:
        model = served_id("kimi-k2", url)
        compare(
            ["kimi-researcher"], suite=mini, seeds=1, models={"agent": model}, out=out, record=True
        )
    lines = (out / "recording.jsonl").read_text().splitlines()
    header, entries = json.loads(lines[0]), [json.loads(x) for x in lines[1:]]
    assert header["kind"] == "archbench-recording"
    assert entries and all("response" in e and e["purpose"] == "act" for e in entries)
    assert all(e["identity"].endswith("?call_info=true") for e in entries)
    assert replay(out).matches(out)  # the server is gone: every answer comes from the file


def test_plain_openai_client_runs_a_task_with_the_task_tools(mini: TaskSuite) -> None:
    """The loop any framework runs: the model asks for tools, the client runs them."""
    task = mini.tasks[0]
    tools = task_tools(mini, task.id)
    with serve("mock/perfect", mini) as url:
        client = openai.OpenAI(base_url=url, api_key="unused")
        messages: list[Any] = [{"role": "user", "content": tools.question}]
        for _ in range(12):
            reply = client.chat.completions.create(
                model="perfect", messages=messages, tools=tools.schemas, seed=7
            )
            msg = reply.choices[0].message
            assert reply.usage is not None and reply.usage.prompt_tokens > 0
            messages.append(msg.model_dump(exclude_none=True))
            for call in msg.tool_calls or []:
                text = tools.call(call.function.name, call.function.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
            if tools.answer is not None:
                break
        # the same tools over HTTP answer with the same text
        first = tools.calls[0]
        status, over_http = _post(f"{url}/archbench/tools/{first[0]}", {"arguments": first[1]})
        assert status == 200 and over_http["content"] == task_tools(mini, task.id).call(*first)
        status, graded = _post(
            f"{url}/archbench/score",
            {"task_id": task.id, "answer": tools.answer[0] if tools.answer else None},
        )
    assert tools.answer is not None and tools.score()[0]
    assert [c[0] for c in tools.calls][0] == "search" and status == 200 and graded["correct"]


def test_recognition_exact_normalised_contained_and_unknown(mini: TaskSuite) -> None:
    index = TaskIndex(mini)
    t = mini.tasks[1]

    def user(text: str) -> list[Message]:
        return [Message("system", "be brief"), Message("user", text)]

    assert index.find(user(t.question)) is t
    assert index.find(user("  " + t.question.upper().replace(" ", "\n  ") + " ")) is t
    assert normalise("Ａ  b\tC") == "a b c"
    assert index.find(user(f"Task for you:\n{t.question}\nUse the tools.")) is t
    assert index.find(user("What is the airspeed of an unladen swallow?")) is None
    digest = TaskIndex.digest(t)
    assert index.find(user("a worker's sub-question"), DrawKey(f"3|{digest}", "w", 0)) is t


def test_unknown_task_answers_like_a_model_without_a_solution(mini: TaskSuite) -> None:
    with serve("mock/kimi-k2", mini) as url:
        client = openai.OpenAI(base_url=url, api_key="unused")
        reply = client.chat.completions.create(
            model="x",
            messages=[{"role": "user", "content": "Who won the 1930 world cup?"}],
            tools=task_tools(mini, mini.tasks[0].id).schemas,
        )
    msg = reply.choices[0].message
    assert msg.content == "I have no way to work on this task."
    assert msg.tool_calls and msg.tool_calls[0].function.name == "answer"
    assert json.loads(msg.tool_calls[0].function.arguments)["text"] == "unknown"
    assert reply.model_extra and reply.model_extra["x_archbench"]["task_id"] is None


def test_same_request_same_answer_and_bad_requests_refused(
    mini: TaskSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve_app, "MAX_BODY_BYTES", 20_000)
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": mini.tasks[0].question}],
        "tools": task_tools(mini, mini.tasks[0].id).schemas,
        "seed": 3,
    }
    request = ModelRequest(
        (Message("user", "q"),), draws=DrawKey("1|x", "agent|main", 2), brief=Brief(min_reads=2)
    )
    header = {callinfo.HEADER: callinfo.encode(request)}
    with serve("mock/kimi-k2", mini) as url:
        chat = f"{url}/chat/completions"
        (_, first), (_, again) = _post(chat, body), _post(chat, body)
        # the same answer; the repeat hits the model's prefix cache, as a provider's would
        cached = again["usage"].pop("prompt_tokens_details")["cached_tokens"]
        assert first["usage"].pop("prompt_tokens_details")["cached_tokens"] == 0
        assert first == again and cached == first["usage"]["prompt_tokens"]
        assert _post(chat, body, header)[0] == 200
        status, err = _post(chat, {**body, "stream": True})
        assert status == 400 and "streaming is not supported" in err["error"]["message"]
        assert _post(chat, b"{not json")[0] == 400
        assert _post(chat, {**body, "messages": []})[1]["error"]["param"] == "messages"
        assert _post(chat, {**body, "tool_choice": {"function": {"name": "nope"}}})[0] == 400
        assert _post(chat, body, {callinfo.HEADER: '{"v": 1, "purpose": "dance"}'})[0] == 400
        big = {**body, "messages": [{"role": "user", "content": "x" * 30_000}]}
        assert _post(chat, big)[0] == 413
        with urllib.request.urlopen(f"{url}/models", timeout=10) as resp:
            assert json.loads(resp.read())["data"][0]["id"] == "mock/kimi-k2"


def test_call_info_round_trips_and_is_part_of_the_identity() -> None:
    request = ModelRequest(
        (Message("user", "q"),),
        purpose="verify",
        draws=DrawKey("0|abc", "check|main", 4),
        brief=Brief(output="verdict", known=("founder: Lea Okoro",), rejected=("X",)),
    )
    purpose, draws, brief = callinfo.decode(callinfo.encode(request))
    assert (purpose, draws, brief) == ("verify", request.draws, request.brief)
    with pytest.raises(callinfo.CallInfoError, match="brief"):
        callinfo.decode('{"v": 1, "brief": {"colour": "red"}}')
    on = identity(
        *resolve(parse_model_id("openai-compatible/m@http://127.0.0.1:1/v1?call_info=true"))
    )
    off = identity(*resolve(parse_model_id("openai-compatible/m@http://127.0.0.1:1/v1")))
    assert on != off and on.endswith("call_info=true")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "mock/kimi-k3"], "unknown simulated model 'mock/kimi-k3'"),
        (["serve", "deepseek/deepseek-chat"], "serves simulated models"),
        (["serve", "mock/kimi-k2?skill=2"], "skill"),
        (["serve", "mock/kimi-k2", "--suite", "nope"], "unknown suite 'nope'"),
        (["serve", "mock/kimi-k2", "--port", "70000"], "--port"),
        (["serve", "mock/kimi-k2", "--pace", "-1"], "--pace"),
    ],
)
def test_bad_flags_one_line_exit_2(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(args, capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_port_in_use_is_one_line(mini_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve("mock/kimi-k2", str(mini_file)) as url:
        port = url.rsplit(":", 1)[1].split("/")[0]
        code, _, err = cli(["serve", "mock/kimi-k2", "--port", port], capsys)
    assert code == 2 and f"--port {port}: cannot listen" in err


def test_cli_serves_until_ctrl_c(mini_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    code = "from harness.cli import main; main()"
    argv = [sys.executable, "-c", code, "serve", "mock/o3", "--suite", str(mini_file), "-p", "0"]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split(" on ")[1].split(" ")[0]
        question = {"role": "user", "content": "hello"}
        status, reply = _post(f"{url}/chat/completions", {"model": "o3", "messages": [question]})
        assert status == 200 and reply["model"] == "o3"
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped after 1 requests" in out and "Traceback" not in err


def test_null_content_false_sends_empty_text_for_tool_call_turns() -> None:
    """llama-cpp-python's server refuses `"content": null` beside tool calls (HTTP 500, a
    validation error); `?null_content=false` sends "" instead (docs/backends.md)."""
    from harness.backends.wire import WireEncoder
    from harness.messages import ToolCall

    turn = Message("assistant", "", (ToolCall("c1", "search", {"query": "x"}),))
    default = json.loads(WireEncoder().body("m", (turn,), (), {}))
    text = json.loads(WireEncoder(null_content=False).body("m", (turn,), (), {}))
    assert default["messages"][0]["content"] is None and text["messages"][0]["content"] == ""
    fields = WireEncoder(null_content=False).fields("m", (turn,), (), {})
    assert fields["messages"][0]["content"] == ""
    _, settings = resolve(
        parse_model_id("openai-compatible/m@http://127.0.0.1:1/v1?null_content=false")
    )
    assert settings.null_content is False
