"""Aggregate strategies: how parallel branches' results become one.

`concat` hands every report and candidate on (a writer or lead reads them); `vote` takes
the majority answer with no model call; `judge` and `merge` are calls of the aggregate's
own role, so a weak aggregator picks or writes badly by its own skill. `rounds` of debate
come first: each branch's own model sees the others' answers (or reports) and may revise.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from harness import exchange, prompts
from harness.agent_loop import call_model, request_seed
from harness.brief import Brief
from harness.episode_state import Candidate, EpisodeState, Report
from harness.messages import DrawKey, Message, ToolSchema
from harness.scoring import normalise
from harness.spec import NodeSpec
from harness.step_edit import with_tools
from harness.tools import SCHEMAS, choice_tool
from harness.trace import ToolRecord

_UNKNOWN = normalise("unknown")


def vote(candidates: list[Candidate]) -> Candidate | None:
    """The majority answer; ties go to the earliest branch. "unknown" wins only when no
    branch answered anything else."""
    keyed = [(normalise(c.answer), c) for c in candidates]
    known = [(k, c) for k, c in keyed if k and k != _UNKNOWN] or keyed
    if not known:
        return None
    counts = Counter(k for k, _ in known)
    top = max(counts.values())
    winner = next(k for k, _ in known if counts[k] == top)
    voters = [c for k, c in known if k == winner]
    cites = tuple(dict.fromkeys(x for c in voters for x in c.citations))
    first = voters[0]
    return Candidate(first.branch, first.node, first.role, first.answer, cites)


async def aggregate(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    rounds = node.rounds if isinstance(node.rounds, int) else 0
    for r in range(1, rounds + 1):
        clock = await _debate_round(state, node, r, clock)
    if node.strategy == "vote":
        winner = vote(state.candidates)
        if winner is not None:
            state.answer = (winner.answer, winner.citations)
    elif node.strategy == "judge":
        clock = await _judge(state, node, clock)
    elif node.strategy == "merge":
        clock = await _merge(state, node, clock)
    return clock


def _answer_tool() -> tuple[ToolSchema, ...]:
    return (SCHEMAS["answer"],)


async def _debate_round(state: EpisodeState, node: NodeSpec, r: int, clock: float) -> float:
    """Every branch revises at once, each seeing what the others held after the last round."""
    q = state.task.question
    cands = list(state.candidates)
    reports = [rep for rep in state.round_reports if rep.role is not None]

    async def revise_answer(i: int, c: Candidate) -> tuple[Candidate, float]:
        peers = [(p.answer, p.citations) for j, p in enumerate(cands) if j != i]
        text = exchange.debate_text(q, (c.answer, c.citations), peers)
        messages = (Message("system", prompts.DEBATER), Message("user", text))
        reply, end = await _call(state, node, c.role, c.branch, messages, "revise", clock, r)
        new = _answered(reply)
        return (Candidate(c.branch, c.node, c.role, *new) if new else c), end

    async def revise_report(i: int, rep: Report) -> tuple[Report, float]:
        assert rep.role is not None
        others = "\n\n".join(
            f"Another worker reported on: {o.subtask}\n{o.text}"
            for j, o in enumerate(reports)
            if j != i
        )
        text = f"{prompts.SUBTASK_MARKER} {rep.subtask}\n\nYour report:\n{rep.text}\n\n{others}"
        messages = (Message("system", prompts.WORKER), Message("user", text))
        brief = Brief(output="report", subquestion=rep.subtask)
        reply, end = await _call(
            state, node, rep.role, rep.branch, messages, "revise", clock, r, brief
        )
        new = _answered(reply)
        return (Report(rep.subtask, *new, rep.role, rep.branch) if new else rep), end

    if len(cands) + len(reports) < 2:
        return clock  # nobody to debate with
    answers, revisions = await asyncio.gather(
        asyncio.gather(*(revise_answer(i, c) for i, c in enumerate(cands))),
        asyncio.gather(*(revise_report(i, rep) for i, rep in enumerate(reports))),
    )
    state.candidates = [c for c, _ in answers]
    revised = {id(old): new for old, (new, _) in zip(reports, revisions, strict=True)}
    state.reports = [revised.get(id(x), x) for x in state.reports]
    state.round_reports = [revised.get(id(x), x) for x in state.round_reports]
    ends = [end for _, end in answers] + [end for _, end in revisions]
    return max([clock, *ends])


def _answered(reply: Message) -> tuple[str, tuple[str, ...]] | None:
    for call in reply.tool_calls:
        if call.name == "answer":
            text = call.arguments.get("text")
            cites = call.arguments.get("citations") or []
            if isinstance(text, str) and text.strip():
                return text.strip(), tuple(str(c) for c in cites if isinstance(c, str))
    return None


async def _call(
    state: EpisodeState,
    node: NodeSpec,
    role: str,
    branch: str,
    messages: tuple[Message, ...],
    purpose: str,
    clock: float,
    visit: int,
    brief: Brief | None = None,
    tools: tuple[ToolSchema, ...] | None = None,
) -> tuple[Message, float]:
    nth = state.visits[node.name]
    reply, step = await call_model(
        state,
        node=node,
        role=role,
        branch=branch,
        messages=messages,
        purpose=purpose,  # type: ignore[arg-type]
        category="coordination",
        clock=clock,
        tools=tools if tools is not None else _answer_tool(),
        tool_choice="required" if tools is not None else "answer",
        seed=request_seed(state, branch, node.name) + 100 * nth + visit,
        brief=brief or Brief(),
        draws=DrawKey(state.draws_base, f"{node.name}|{purpose}|{branch}", 100 * nth + visit),
    )
    records = tuple(
        ToolRecord(c.name, c.arguments, "recorded", False, 0.0) for c in reply.tool_calls
    )
    state.record(with_tools(step, records, 0.0) if records else step)
    return reply, clock + step.latency_s


async def _judge(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    cands = state.candidates
    if not cands:
        return clock
    assert node.role is not None
    tools = tuple(
        choice_tool(f"candidate_{i}", f"choose candidate {i}") for i in range(1, len(cands) + 1)
    )
    text = exchange.candidates_text(state.task.question, [(c.answer, c.citations) for c in cands])
    messages = (Message("system", prompts.JUDGE), Message("user", text))
    reply, clock = await _call(
        state, node, node.role, "main", messages, "judge", clock, 0, tools=tools
    )
    chosen = reply.tool_calls[0].name if reply.tool_calls else ""
    index = int(chosen.removeprefix("candidate_")) - 1 if chosen.startswith("candidate_") else -1
    if not 0 <= index < len(cands):
        detail = f"the judge chose '{chosen[:60]}': the vote decides"
        state.note("report_ignored", node.name, "main", clock, detail)
        winner = vote(cands)
    else:
        winner = cands[index]
    if winner is not None:
        state.answer = (winner.answer, winner.citations)
    return clock


async def _merge(state: EpisodeState, node: NodeSpec, clock: float) -> float:
    assert node.role is not None
    messages = (Message("system", prompts.MERGER), Message("user", state.handoff()))
    reply, clock = await _call(
        state, node, node.role, "main", messages, "merge", clock, 0, brief=Brief()
    )
    new = _answered(reply)
    if new is not None:
        state.answer = new
    return clock
