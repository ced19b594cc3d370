"""Per-step overhead: the same ReAct loop run three ways, measured in one run.

A scripted model calls one trivial tool (`open` on a one-document corpus) N times, then
answers. The loop runs

  plain      as a plain-Python loop: the floor (a list of dicts, a dict of functions);
  archbench  through archbench's runtime (`run_episode` with a `ScriptedModel`);
  langgraph  as a LangGraph `StateGraph` with a `ToolNode`, driven by langchain-core's
             `GenericFakeChatModel` (installed by the `bench` extra).

Each framework runs in its own subprocess, so its import time and peak RSS are its own.
A step is one model call with its tool call; an episode has N + 1 of them.

    python bench/step_overhead.py                  # N=50 steps, 30 episodes per framework
    python bench/step_overhead.py --steps 10 --episodes 100 --json step_overhead.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

FRAMEWORKS = ("plain", "archbench", "langgraph")
DOC_ID = "d1"
DOC_TEXT = "Zentrix Corp is a drone maker headquartered in Lorvale."


def measure(run_once: Callable[[], int], episodes: int) -> dict[str, float]:
    """Wall and CPU seconds per step over `episodes` episodes, after 3 warm-up episodes."""
    for _ in range(3):
        run_once()
    steps = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(episodes):
        steps += run_once()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"wall_us_per_step": wall / steps * 1e6, "cpu_us_per_step": cpu / steps * 1e6}


# --- plain Python ---------------------------------------------------------------------


def setup_plain(n: int) -> Callable[[], int]:
    docs = {DOC_ID: DOC_TEXT}
    tools: dict[str, Callable[..., str]] = {"open": lambda doc_id: f"[{doc_id}] {docs[doc_id]}"}

    def model(messages: list[dict[str, Any]]) -> dict[str, Any]:
        i = (len(messages) - 2) // 2
        if i < n:
            call = {"id": f"c{i}", "name": "open", "args": {"doc_id": DOC_ID}}
            return {"role": "assistant", "content": "", "tool_calls": [call]}
        return {"role": "assistant", "content": "Lorvale", "tool_calls": []}

    def run_once() -> int:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a researcher."},
            {"role": "user", "content": "Where is Zentrix Corp headquartered?"},
        ]
        steps = 0
        while True:
            reply = model(messages)
            steps += 1
            messages.append(reply)
            if not reply["tool_calls"]:
                return steps
            for call in reply["tool_calls"]:
                out = tools[call["name"]](**call["args"])
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": out})

    return run_once


# --- archbench ------------------------------------------------------------------------


def setup_archbench(n: int) -> Callable[[], int]:
    from harness.corpus import Corpus
    from harness.graph import compile_architecture
    from harness.messages import Message, ModelRequest, ToolCall
    from harness.runtime import run_episode
    from harness.scripted import ScriptedModel
    from harness.spec import ArchitectureSpec, EdgeSpec, NodeSpec
    from harness.task import Chain, Document, Hop, Solution, Task

    doc = Document(id=DOC_ID, title="Zentrix Corp", text=DOC_TEXT)
    hop = Hop(subject="Zentrix Corp", relation="headquarters", doc_id=DOC_ID, value="Lorvale")
    question = "Where is Zentrix Corp headquartered?"
    task = Task(
        id="bench-01",
        family="lookup",
        question=question,
        answer="Lorvale",
        support_docs=[DOC_ID],
        solution=Solution(
            chains=[
                Chain(label="Zentrix Corp", question=question, entry="Zentrix Corp", hops=[hop])
            ]
        ),
    )
    spec = ArchitectureSpec(
        name="react",
        roles={"agent": "mock/perfect"},
        entry="loop",
        nodes=[
            NodeSpec(
                name="loop", kind="agent", role="agent", tools=["open", "answer"], max_steps=n + 1
            )
        ],
        edges=[EdgeSpec(source="loop", target="end")],
    )
    arch = compile_architecture(spec)
    corpus = Corpus([doc])
    call = ToolCall("c", "open", {"doc_id": DOC_ID})
    answer = Message("assistant", "Lorvale")

    def reply(request: ModelRequest) -> Message:
        if (len(request.messages) - 2) // 2 < n:
            return Message("assistant", "", (call,))
        return answer

    loop = asyncio.new_event_loop()  # one loop for every episode, as `compare` runs them

    def run_once() -> int:
        model = ScriptedModel(reply)
        episode = loop.run_until_complete(
            run_episode(arch, task, corpus, backends={"agent": model})
        )
        assert episode.result.answer == "Lorvale", episode.result
        return len(episode.steps)

    return run_once


# --- LangGraph ------------------------------------------------------------------------


def setup_langgraph(n: int) -> Callable[[], int]:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    from langchain_core.tools import tool
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.prebuilt import ToolNode, tools_condition

    docs = {DOC_ID: DOC_TEXT}

    @tool("open")
    def open_doc(doc_id: str) -> str:
        """Open one document by id."""
        return f"[{doc_id}] {docs[doc_id]}"

    holder: dict[str, Any] = {}

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [holder["model"].invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode([open_doc]))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "agent")
    app = graph.compile()
    config = {"recursion_limit": 2 * n + 10}
    start = [SystemMessage("You are a researcher."), HumanMessage("Where is Zentrix Corp?")]

    def script() -> list[AIMessage]:
        calls = [
            AIMessage("", tool_calls=[{"id": f"c{i}", "name": "open", "args": {"doc_id": DOC_ID}}])
            for i in range(n)
        ]
        return [*calls, AIMessage("Lorvale")]

    def run_once() -> int:
        holder["model"] = GenericFakeChatModel(messages=iter(script()))
        out = app.invoke({"messages": start}, config)
        assert out["messages"][-1].content == "Lorvale"
        return sum(1 for m in out["messages"] if isinstance(m, AIMessage))

    return run_once


SETUPS: dict[str, Callable[[int], Callable[[], int]]] = {
    "plain": setup_plain,
    "archbench": setup_archbench,
    "langgraph": setup_langgraph,
}


def run_one(framework: str, steps: int, episodes: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    run_once = SETUPS[framework](steps)  # imports the framework and builds the loop
    import_s = time.perf_counter() - t0
    out: dict[str, Any] = {"framework": framework, "setup_s": round(import_s, 3)}
    out.update(measure(run_once, episodes))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--steps", type=int, default=50, help="tool calls per episode (N)")
    ap.add_argument("--episodes", type=int, default=30, help="timed episodes per framework")
    ap.add_argument("--only", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    if args.only:
        print(json.dumps(run_one(args.only, args.steps, args.episodes)))
        return
    rows: dict[str, dict[str, Any]] = {}
    for fw in FRAMEWORKS:
        cmd = [sys.executable, __file__, "--only", fw, "--steps", str(args.steps)]
        cmd += ["--episodes", str(args.episodes)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
            print(f"{fw}: skipped ({reason})", file=sys.stderr)
            continue
        rows[fw] = json.loads(proc.stdout.strip().splitlines()[-1])
    report(rows, args.steps)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"steps": args.steps, "episodes": args.episodes, "rows": rows}, f, indent=2)


def report(rows: dict[str, dict[str, Any]], steps: int) -> None:
    print(f"ReAct loop, {steps} tool calls + 1 answer per episode ({steps + 1} steps)")
    head = (
        f"{'framework':<10} {'wall us/step':>13} {'cpu us/step':>12} {'setup s':>8} {'RSS MB':>7}"
    )
    print(head)
    for fw, r in rows.items():
        print(
            f"{fw:<10} {r['wall_us_per_step']:>13.1f} {r['cpu_us_per_step']:>12.1f} "
            f"{r['setup_s']:>8.3f} {r['peak_rss_mb']:>7.0f}"
        )
    a = rows.get("archbench")
    if a is None:
        return
    for other in ("plain", "langgraph"):
        if other in rows:
            ratio = a["wall_us_per_step"] / rows[other]["wall_us_per_step"]
            print(f"archbench / {other}: {ratio:.3g}x per step")


if __name__ == "__main__":
    main()
