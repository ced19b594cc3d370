"""Each recorded decision of a role's model, classified against the hidden solution.

For every research step the classifier rebuilds what the model had read
(`harness.fitting.context`), works out with the simulator's own reader what the right
move was (the rule of `harness.sim.research.advance`/`replan`: open the right page if it
is in the results, else search for it, else re-plan), and records which of the
documented outcomes the model took. Each outcome is a term of the likelihood of the
parameters whose rule produces it (docs/fitting.md lists them):

- a research step with facts still missing (`Act`): right move, wrong move (repeat,
  decoy, other page, vague search), re-plan or give up at a first dead end, answer
  without evidence -- skill (at the step's context length: degradation),
  hallucination, persistence (bent by the brief: compliance), corroboration;
- a step with every fact believed (`Verify`): re-check a belief read on a decoy page;
- an answer where the context holds two values for the fact asked (`Conflict`);
- a forced answer with facts missing (`Guess`): guess or say "unknown";
- "read at least N documents" (`Comply`);
- each fact a report or a context summary kept or lost (`summary_fidelity`);
- a planner's first split, entity by entity (`harness.fitting.coordination`): skill.

A step the rules cannot produce (a search after every fact is known, an "unknown" while
the right move was plain) is counted as unexplained and left out of the likelihood.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.fitting.context import LoopContext, observed_action
from harness.fitting.coordination import plan_decisions, route_decision
from harness.fitting.loops import Loop, is_cut, role_loops
from harness.fitting.right_move import (
    ADVANCE,
    NO_MOVES,
    REPLAN_NEW,
    right_move,
    same_action,
    wrong_kind,
)
from harness.fitting.runs import FitRun
from harness.fitting.writing import write_decisions
from harness.graph import CompiledArchitecture
from harness.sim.answering import NOT_FOUND
from harness.sim.reading import (
    ChainState,
    Reading,
    chain_state,
    read_context,
    relevant_chains,
)
from harness.task import Task

# what the model did at it
RIGHT, WRONG, ANS_GUESS, ANS_UNKNOWN, ANS_ANY = 0, 1, 2, 3, 4


@dataclass
class Decisions:
    """Column lists, one entry per decision; `ep` is the episode's index."""

    act: dict[str, list[float]] = field(default_factory=dict)
    verify: dict[str, list[float]] = field(default_factory=dict)
    coord: dict[str, list[float]] = field(default_factory=dict)  # plan and route calls
    conflict: dict[str, list[float]] = field(default_factory=dict)
    guess: dict[str, list[float]] = field(default_factory=dict)
    comply: dict[str, list[float]] = field(default_factory=dict)
    facts: dict[str, list[float]] = field(default_factory=dict)
    calls: dict[str, list[float]] = field(default_factory=dict)
    classes: Counter[str] = field(default_factory=Counter)
    episodes: int = 0
    skipped_loops: int = 0

    @staticmethod
    def add(table: dict[str, list[float]], **cols: float) -> None:
        for k, v in cols.items():
            table.setdefault(k, []).append(float(v))


def classify_run(run: FitRun, role: str) -> Decisions:
    """Every decision `role`'s model made in the run, episode by episode."""
    out = Decisions()
    for ep in run.episodes():
        arch = run.archs.get(ep.architecture)
        task = run.tasks.get(ep.task_id)
        if arch is None or task is None or role not in arch.roles:
            continue
        loops = role_loops(arch, task, ep.steps, role)
        if not loops.loops and not loops.other:
            continue
        e = out.episodes
        out.episodes += 1
        out.skipped_loops += loops.skipped
        for st in [*(s for lp in loops.loops for s in lp.steps), *loops.other]:
            _call(out, e, st)
        first_plan = next((s for s in ep.steps if s.get("purpose") == "plan"), None)
        if first_plan is not None and first_plan.get("role") == role:
            for label, right in plan_decisions(task, first_plan):
                ctx = float(first_plan.get("input_tokens", 0) or 0)
                Decisions.add(out.coord, ep=e, ctx=ctx, right=right)
                out.classes[label] += 1
        for j, st in enumerate(ep.steps):
            if st.get("role") == role and st.get("purpose") in ("route", "write"):
                _coordination(out, e, task, arch, ep.steps[:j], st)
        for lp in loops.loops:
            _loop(out, e, run, task, lp)
    return out


def _coordination(
    out: Decisions,
    e: int,
    task: Task,
    arch: CompiledArchitecture,
    before: list[dict[str, Any]],
    st: dict[str, Any],
) -> None:
    """A router's call, or a writer's answer from the reports."""
    ctx = float(st.get("input_tokens", 0) or 0)
    if st.get("purpose") == "route":
        call = route_decision(task, arch, before, st)
        if call is not None:
            Decisions.add(out.coord, ep=e, ctx=ctx, right=call[1])
            out.classes[call[0]] += 1
        return
    for label, kind, obs, n in write_decisions(task, arch, before, st):
        out.classes[label] += 1
        if kind == "skill":
            Decisions.add(out.coord, ep=e, ctx=ctx, right=obs)
        elif kind == "conflict":
            Decisions.add(out.conflict, ep=e, ctx=ctx, agree=n, right=obs)
        else:
            Decisions.add(out.guess, ep=e, ncorr=n, guessed=obs)


def _call(out: Decisions, e: int, st: dict[str, Any]) -> None:
    """Usage and timing of one call, for the token and latency parameters."""
    tools = st.get("tools") or []
    tool_s = sum(float(t.get("latency_s", 0.0)) for t in tools)
    factor = 1.5 if st.get("purpose") in ("plan", "write") else 1.0
    Decisions.add(
        out.calls,
        ep=e,
        input=float(st.get("input_tokens", 0) or 0),
        output=float(st.get("output_tokens", 0) or 0),
        reasoning=float(st.get("reasoning_tokens", 0) or 0) / factor,
        latency=float(st.get("latency_s", 0.0) or 0.0) - tool_s,
    )


def _loop(out: Decisions, e: int, run: FitRun, task: Task, lp: Loop) -> None:
    ctx = LoopContext(lp.node, lp.task_text, run.toolsets[task.id])
    i = 0
    summarised = False
    complied_asked = False
    for st in lp.steps:
        if st.get("purpose") == "summarise":
            ctx.take_summary(str(st.get("content") or ""), is_cut(st))
            continue
        ctx.before_call()
        for body, summary, cut in ctx.summarised:
            if not cut:
                _summary_facts(out, e, task, body, summary)
            summarised = summarised or cut  # the context after a cut summary is unknown
        ctx.summarised.clear()
        if not summarised:
            forced = i == lp.budget - 1 or set(lp.node.tools) <= {"answer"}
            complied_asked = _step(out, e, task, lp, ctx, st, forced, complied_asked)
        ctx.after_call(st)
        i += 1


def _states(task: Task, lp: Loop, r: Reading) -> list[ChainState]:
    """`harness.sim.turn.Turn.states`, from the rebuilt context."""
    chains = relevant_chains(task.solution, lp.brief.subquestion or r.task_text)
    depth = lp.brief.depth
    if depth is not None and len(chains) == 1 and depth < len(chains[0].hops):
        c = chains[0]
        chains = [c.model_copy(update={"hops": c.hops[:depth]})]
    return [chain_state(c, r.evidence) for c in chains]


def _corroborated(r: Reading, states: list[ChainState]) -> int:
    n = 0
    for s in states:
        first = s.chain.hops[0].subject
        for k, value in enumerate(s.values):
            subject = s.values[k - 1] if k else first
            if r.agreeing(subject, value) >= 2:
                n += 1
    return n


def _step(
    out: Decisions,
    e: int,
    task: Task,
    lp: Loop,
    ctx: LoopContext,
    st: dict[str, Any],
    forced: bool,
    complied_asked: bool,
) -> bool:
    r = read_context(tuple(ctx.messages))
    states = _states(task, lp, r)
    tokens = float(st.get("input_tokens", 0) or 0)
    tool, arg = observed_action(st)
    pending = [s for s in states if not s.done]
    ncorr = _corroborated(r, states) if pending else 0
    report = lp.brief.output == "report"
    last = task.solution.combine == "last"
    if tool == "answer":
        _answered(out, e, task, lp, r, states, arg, tokens, report)
    if forced:
        if pending and tool == "answer" and (last or report):
            guessed = (NOT_FOUND not in arg) if report else _guessed(arg)
            Decisions.add(out.guess, ep=e, ncorr=ncorr, guessed=guessed)
            out.classes["forced answer: guess" if guessed else "forced answer: unknown"] += 1
        return complied_asked
    if pending:
        _act(out, e, task, lp, r, pending[0], tool, arg, tokens, ncorr, report, last)
        return complied_asked
    return _done(out, e, task, lp, r, states, tool, arg, tokens, complied_asked)


def _guessed(text: str) -> bool:
    return text.strip().lower() not in ("unknown", "")


def _act(
    out: Decisions,
    e: int,
    task: Task,
    lp: Loop,
    r: Reading,
    s: ChainState,
    tool: str,
    arg: str,
    tokens: float,
    ncorr: int,
    report: bool,
    last: bool,
) -> None:
    kind, want_tool, want = right_move(r, s)
    if tool == "answer":
        if report:
            obs = ANS_GUESS if NOT_FOUND not in arg else ANS_UNKNOWN
        else:
            obs = (ANS_GUESS if _guessed(arg) else ANS_UNKNOWN) if last else ANS_ANY
        if kind == ADVANCE and obs == ANS_UNKNOWN:
            out.classes["unexplained: gave up while the right move was plain"] += 1
            return
        label = "give up" if obs == ANS_UNKNOWN else "answer without evidence or give up"
    elif kind != NO_MOVES and same_action(tool, arg, want_tool, want):
        obs = RIGHT
        label = "re-plan after a failed search" if kind == REPLAN_NEW else "right next move"
    else:
        obs = WRONG
        label = wrong_kind(r, s, task, tool, arg)
    out.classes[label] += 1
    Decisions.add(
        out.act,
        ep=e,
        ctx=tokens,
        ncorr=ncorr,
        kind=kind,
        obs=obs,
        hint=lp.brief.hint == "alias",
        follow=lp.brief.follow_plan,
        strength=lp.brief.strength,
    )


def _done(
    out: Decisions,
    e: int,
    task: Task,
    lp: Loop,
    r: Reading,
    states: list[ChainState],
    tool: str,
    arg: str,
    tokens: float,
    complied_asked: bool,
) -> bool:
    """Every fact believed: re-check a decoy-read belief (skill), read on (compliance)."""
    avail = []
    for s in states:
        if s.tainted is None:
            continue
        hop = s.chain.hops[s.tainted]
        if hop.doc_id in r.hits and hop.doc_id not in r.opened:
            avail.append(hop.doc_id)
    k = avail.index(arg) if tool == "open" and arg in avail else -1
    if avail:
        Decisions.add(out.verify, ep=e, ctx=tokens, n=len(avail), k=k)
        out.classes["re-checked a decoy belief" if k >= 0 else "kept a decoy belief"] += 1
    if k >= 0:
        return complied_asked
    wanted = lp.brief.min_reads
    if wanted and len(r.opened) < wanted and not complied_asked:
        if tool in ("open", "answer"):
            Decisions.add(out.comply, ep=e, strength=lp.brief.strength, obs=tool == "open")
            out.classes["read more as asked" if tool == "open" else "did not read more"] += 1
        return True
    if tool != "answer" and not (wanted and complied_asked and tool == "open"):
        out.classes["unexplained: acted after every fact was known"] += 1
    return complied_asked


def _answered(
    out: Decisions,
    e: int,
    task: Task,
    lp: Loop,
    r: Reading,
    states: list[ChainState],
    text: str,
    tokens: float,
    report: bool,
) -> None:
    """An answer: a conflict settled (skill, corroboration); a report's facts kept."""
    if report:
        for s in states:
            for k, value in enumerate(s.values):
                kept = fact_kept(text, s.chain.hops[k].relation, value)
                Decisions.add(out.facts, ep=e, kept=kept)
                out.classes["report: fact kept" if kept else "report: fact lost"] += 1
        return
    if task.solution.combine != "last" or lp.node.input != "question":
        return
    s = states[0]
    if not s.done or s.tainted is not None:
        return
    value = s.values[-1]
    last = len(s.values) - 1
    conflicting = [
        d for d in s.chain.decoys if d.hop == last and d.value != value and d.value in r.evidence
    ]
    if not conflicting or lp.brief.rejected:
        return
    subject = s.values[last - 1] if last else s.chain.hops[0].subject
    agree = r.agreeing(subject, value)
    right = text.strip() == value
    if not right and text.strip() != conflicting[0].value:
        out.classes["unexplained: answered neither value of a conflict"] += 1
        return
    Decisions.add(out.conflict, ep=e, ctx=tokens, agree=agree, right=right)
    out.classes["conflict resolved right" if right else "conflict resolved wrong"] += 1


def fact_kept(text: str, relation: str, value: str) -> bool:
    """Is the fact `relation: value` in a hand-off? A value also names the next hop's
    subject, so it counts only after its relation on a line; a text that never names the
    relation (a real model's own wording) keeps the value if it states it anywhere."""
    rel = relation.lower()
    lines = [ln for ln in text.splitlines() if rel in ln.lower()]
    if not lines:
        return value in text
    return any(value in ln[ln.lower().index(rel) + len(rel) :] for ln in lines)


def _summary_facts(out: Decisions, e: int, task: Task, body: str, summary: str) -> None:
    """Each fact in what a context summary covered, kept or lost (`coordination.summarise`);
    only a summary the trace (or the recording) keeps whole can be read."""
    for chain in task.solution.chains:
        hops = [*([chain.rename] if chain.rename else []), *chain.hops]
        facts = [(h.relation, h.value) for h in hops]
        facts += [(chain.hops[d.hop].relation, d.value) for d in chain.decoys]
        for relation, value in facts:
            if value in body:
                kept = fact_kept(summary, relation, value)
                Decisions.add(out.facts, ep=e, kept=kept)
                out.classes["summary: fact kept" if kept else "summary: fact lost"] += 1
