"""Simulated models: a policy over the task's hidden solution, limited by a profile.

The model sees the same messages and tool schemas a real model would and answers with text
and tool calls that the runtime really executes. Its choices are random draws, seeded by
the request (same request -> same response), against the profile's parameters: `skill`
(decayed by context length) picks the right next action, `persistence` re-plans after a
dead end, `hallucination` answers without evidence, `summary_fidelity` keeps facts in
reports. What it may answer is limited to what `sim_reading` finds in its context.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from harness.errors import ContextOverflow, UnknownNameError
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall
from harness.profiles import PRESETS, ModelProfile
from harness.prompts import DYNAMIC_MARKER, MIN_READS_PATTERN, NO_REPLAN, WORKER_MARKER
from harness.registry import ModelId, Provider, register_provider
from harness.sim_reading import (
    ChainState,
    Reading,
    chain_state,
    query_for,
    read_context,
    relevant_chains,
)
from harness.task import Chain, Solution
from harness.usage import Usage


@dataclass(frozen=True, slots=True)
class _Action:
    text: str
    tool: str | None = None
    args: dict[str, object] | None = None


class SimulatedModel:
    """A `ModelBackend` whose behaviour is a `ModelProfile`."""

    def __init__(self, model_id: str, profile: ModelProfile) -> None:
        self.id = model_id
        self.profile = profile
        self._recent: list[tuple[Message, ...]] = []  # a provider-side prefix cache

    async def generate(self, request: ModelRequest) -> ModelResponse:
        p = self.profile
        context = request.input_tokens
        if context > p.context_window:
            raise ContextOverflow(
                f"{self.id}: {context}-token request exceeds the {p.context_window}-token window"
            )
        rng = random.Random(f"{request.seed}|{self.id}|{len(request.messages)}|{request.purpose}")
        skill = p.skill * max(0.0, 1.0 - p.degradation * context / 100_000)
        policy = _Policy(p, skill, rng, request)
        action = policy.decide()
        calls: tuple[ToolCall, ...] = ()
        if action.tool is not None:
            n = sum(1 for m in request.messages if m.role == "assistant")
            calls = (ToolCall(f"call_{n}", action.tool, dict(action.args or {})),)
        message = Message("assistant", action.text, calls)
        factor = 1.5 if request.purpose in ("plan", "write") else 1.0
        reasoning = int(p.reasoning_tokens * factor * (0.75 + 0.5 * rng.random()))
        output = message.tokens + reasoning
        cached = self._cached_prefix(request)
        usage = Usage(
            requests=1,
            input_tokens=context,
            cached_input_tokens=cached,
            output_tokens=output,
            reasoning_tokens=reasoning,
            cost_usd=p.price.cost(context, cached, output),
        )
        latency = p.ttft_s + output / p.tokens_per_s
        return ModelResponse(message, usage, round(latency, 6), self.id)

    def _cached_prefix(self, request: ModelRequest) -> int:
        """Tokens of the longest message prefix shared with a recent request, as a
        provider's prefix (KV) cache would bill them; tool schemas count with the first."""
        msgs = request.messages
        best = 0
        for prev in self._recent:
            tokens = 0
            for a, b in zip(prev, msgs, strict=False):
                if a is not b and a != b:
                    break
                tokens += a.tokens
            best = max(best, tokens)
        if best:
            best += sum(t.tokens for t in request.tools)
        self._recent = [*self._recent[-7:], msgs]
        return best


class _Policy:
    def __init__(
        self, profile: ModelProfile, skill: float, rng: random.Random, request: ModelRequest
    ) -> None:
        self.p = profile
        self.skill = skill
        self.rng = rng
        self.request = request
        self.solution: Solution | None = request.oracle
        self.reading: Reading = read_context(request.messages)
        self.tools = {t.name for t in request.tools}

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def decide(self) -> _Action:
        if self.solution is None:
            return _Action("I have no way to work on this task.", *self._answer_call("unknown"))
        purpose = self.request.purpose
        if purpose == "plan":
            return self._plan()
        if purpose == "summarise":
            return self._summarise()
        if purpose == "route":
            return self._route()
        return self._act()

    # --- acting -------------------------------------------------------------------------

    def _states(self) -> list[ChainState]:
        assert self.solution is not None
        chains = relevant_chains(self.solution, self.reading.task_text)
        return [chain_state(c, self.reading.evidence) for c in chains]

    def _act(self) -> _Action:
        states = self._states()
        forced = self.tools <= {"answer"} or self.request.config.tool_choice == "answer"
        if forced:
            return self._answer(states)
        pending = [s for s in states if not s.done]
        if not pending:
            check = self._verify(states) or self._read_more()
            return check if check is not None else self._answer(states)
        if self.chance(self.p.hallucination):
            return self._answer(states, hallucinate=True)
        if self.chance(self.skill):
            return self._advance(pending[0])
        return self._stray(pending[0])

    def _advance(self, s: ChainState) -> _Action:
        """The right next action on a chain: open the page, search for it, or re-plan."""
        r = self.reading
        assert s.frontier is not None
        hop = s.chain.hops[s.frontier]
        if s.frontier == 0 and not s.renamed and s.chain.rename is not None:
            gold_visible = False  # the page uses the new name: nothing found is recognisable
        else:
            gold_visible = r.recognised(hop.doc_id, s.subject)
        if gold_visible and hop.doc_id not in r.opened:
            return _Action(f"Reading {hop.doc_id} for {s.subject}.", "open", {"doc_id": hop.doc_id})
        query = query_for(s.subject, hop)
        if query.lower() not in r.searched:
            return _Action(f"Searching for {query}.", "search", {"query": query})
        return self._replan(s)

    def _replan(self, s: ChainState) -> _Action:
        """The obvious search failed: look for another name, back-track, or give up.

        Persistence is rolled once per dead end, when the model first meets it; a model
        already following its new plan carries on."""
        r = self.reading
        chain = s.chain
        rename = chain.rename
        moves: list[tuple[str, str, str]] = []  # (why, tool, argument), in order of preference
        if s.frontier == 0 and rename is not None and not s.renamed:
            if r.recognised(rename.doc_id, chain.entry) and rename.doc_id not in r.opened:
                moves.append((f"Maybe {chain.entry} was renamed.", "open", rename.doc_id))
            query = query_for(chain.entry, rename)
            if query.lower() not in r.searched:
                moves.append((f"Maybe {chain.entry} has another name.", "search", query))
        if s.tainted is not None:
            hop = chain.hops[s.tainted]
            if hop.doc_id in r.hits and hop.doc_id not in r.opened:
                moves.append(("Re-checking an earlier fact.", "open", hop.doc_id))
        if s.subject.lower() not in r.searched:
            moves.append((f"Trying a broader search for {s.subject}.", "search", s.subject))
        replan_args = {
            query_for(chain.entry, rename).lower() if rename else "",
            rename.doc_id if rename else "",
            s.subject.lower(),
        }
        started = any(arg.lower() in replan_args for _, arg in r.actions)
        persistence = self.p.persistence
        if NO_REPLAN in r.task_text:
            persistence = 0.0  # told to execute the plan as given, not to change it
        if "another name" in r.task_text:
            persistence = max(persistence, 0.98)  # a lead passed on what it learned
        if not moves or not (started or self.chance(persistence)):
            return self._answer(self._states(), give_up=True)
        why, tool, arg = moves[0]
        return _Action(why, tool, {"query" if tool == "search" else "doc_id": arg})

    def _verify(self, states: list[ChainState]) -> _Action | None:
        """Every chain has a belief; a careful model checks beliefs read on a decoy page."""
        r = self.reading
        for s in states:
            if s.tainted is None or not self.chance(self.skill):
                continue
            hop = s.chain.hops[s.tainted]
            if hop.doc_id in r.hits and hop.doc_id not in r.opened:
                return _Action("Checking for a newer source.", "open", {"doc_id": hop.doc_id})
        return None

    def _solution_docs(self) -> set[str]:
        assert self.solution is not None
        docs = {h.doc_id for c in self.solution.chains for h in c.hops}
        return docs | {c.rename.doc_id for c in self.solution.chains if c.rename}

    def _read_more(self) -> _Action | None:
        """Honour a brief's "read at least N documents": open the next unread result."""
        match = _MIN_READS.search(self.reading.task_text)
        if match is None or len(self.reading.opened) >= int(match.group(1)):
            return None
        unread = [d for d in self.reading.hits if d not in self.reading.opened]
        if not self.chance(self.skill):  # a careless extra read is never the right page
            unread = [d for d in unread if d not in self._solution_docs()]
        if not unread:
            return None
        return _Action("Reading one more source to be thorough.", "open", {"doc_id": unread[0]})

    def _stray(self, s: ChainState) -> _Action:
        """A wrong move: repeat the last action, open the wrong page, or search vaguely."""
        r = self.reading
        roll = self.rng.random()
        if r.actions and roll < 0.2:
            name, arg = r.actions[-1]
            key = "query" if name == "search" else "doc_id"
            if name in ("search", "open"):
                return _Action("Let me look again.", name, {key: arg})
        decoys = [
            d.doc_id for d in s.chain.decoys if d.doc_id in r.hits and d.doc_id not in r.opened
        ]
        others = sorted(d for d in r.hits if d not in r.opened and d not in self._solution_docs())
        if decoys and roll < 0.6:
            return _Action("This page looks relevant.", "open", {"doc_id": self.rng.choice(decoys)})
        if others and roll < 0.8:
            return _Action("This page looks relevant.", "open", {"doc_id": self.rng.choice(others)})
        assert s.frontier is not None
        words = [w for w in s.chain.question.split() if len(w) > 3]
        query = " ".join(self.rng.sample(words, min(2, len(words)))) or s.chain.entry
        return _Action(f"Searching for {query}.", "search", {"query": query})

    # --- answering ----------------------------------------------------------------------

    def _answer_call(self, text: str, cites: tuple[str, ...] = ()) -> tuple[str, dict[str, object]]:
        return "answer", {"text": text, "citations": list(cites)}

    def _answer(
        self, states: list[ChainState], give_up: bool = False, hallucinate: bool | None = None
    ) -> _Action:
        """Answer from what the context holds; for what it lacks, guess only when
        hallucinating (decided here unless the caller already rolled for it)."""
        if hallucinate is None:
            hallucinate = self.chance(self.p.hallucination)
        if WORKER_MARKER in self.reading.system:
            return self._report(states, hallucinate)
        assert self.solution is not None
        combine = self.solution.combine
        text: str
        cites: tuple[str, ...] = ()
        if combine == "last":
            s = states[0]
            if s.final is not None:
                text, cites = s.final, (s.sources[-1],)
            else:
                text = self._guess(s.chain) if hallucinate else "unknown"
        else:
            # With some values missing, the best of the known ones is still a guess.
            known = [
                (float(s.final), s) for s in states if s.final is not None and _is_num(s.final)
            ]
            if known:
                pick = (max if combine == "argmax" else min)(known, key=lambda x: x[0])[1]
                text, cites = pick.chain.label, tuple(s.sources[-1] for _, s in known)
            elif hallucinate:
                text = self.rng.choice([s.chain.label for s in states])
            else:
                text = "unknown"
        reason = "I could not confirm this; my best guess." if give_up else "Final answer."
        return _Action(reason, *self._answer_call(text, cites))

    def _guess(self, chain: Chain) -> str:
        pool = list(chain.guesses) or [d.value for d in chain.decoys] or ["unknown"]
        return self.rng.choice(pool)

    def _report(self, states: list[ChainState], hallucinate: bool) -> _Action:
        """A worker's hand-off: each fact survives with probability `summary_fidelity`; a
        hallucinating worker states a guess for what it did not find, with no source."""
        lines: list[str] = []
        cites: list[str] = []
        for s in states:
            subject = s.chain.entry
            if s.renamed:
                lines.append(f"{s.chain.entry} is now known as {s.chain.hops[0].subject}.")
                subject = s.chain.hops[0].subject
            for k, value in enumerate(s.values):
                hop = s.chain.hops[k]
                if self.chance(self.p.summary_fidelity):
                    lines.append(f"{subject} {hop.relation}: {value} [{s.sources[k]}]")
                    cites.append(s.sources[k])
                else:
                    lines.append(f"{subject} {hop.relation}: (detail lost in the summary)")
                subject = value
            if not s.done and hallucinate:
                assert s.frontier is not None
                hop = s.chain.hops[s.frontier]
                lines.append(f"{subject} {hop.relation}: {self._guess(s.chain)}")
            elif not s.done:
                lines.append(f"No relevant information found for {subject}.")
        return _Action("Reporting my findings.", *self._answer_call("\n".join(lines), tuple(cites)))

    # --- coordination -------------------------------------------------------------------

    def _plan(self) -> _Action:
        states = self._states()
        dynamic = DYNAMIC_MARKER in self.reading.system
        subtasks: list[dict[str, object]] = []
        for s in states:
            if not dynamic:
                subtasks.append({"question": s.chain.question})
                continue
            if s.done:
                continue
            hops = len(s.chain.hops)
            item: dict[str, object] = {"question": s.chain.question, "max_steps": 2 * hops + 4}
            failed = f"No relevant information found for {s.subject}" in self.reading.evidence
            if failed and self.chance(self.skill):
                notes = ", ".join(
                    f"{s.chain.hops[k].relation}: {v}" for k, v in enumerate(s.values)
                )
                hint = (
                    f" Note: '{s.subject}' may be known under another name; search for that first."
                )
                known = f" Known so far: {notes}." if notes else ""
                item = {"question": s.chain.question + hint + known, "max_steps": 4 * hops + 6}
            subtasks.append(item)
        return _Action(json.dumps({"subtasks": subtasks}, ensure_ascii=False))

    def _route(self) -> _Action:
        pending = any(not s.done for s in self._states())
        names = sorted(self.tools)
        choice = (
            "replan" if pending and "replan" in names and self.chance(self.p.persistence) else None
        )
        if choice is None:
            choice = next((n for n in names if n != "replan"), names[0] if names else "finish")
        return _Action(f"Next: {choice}.", choice, {})

    def _summarise(self) -> _Action:
        assert self.solution is not None
        text = self.reading.evidence
        lines: list[str] = []
        for chain in self.solution.chains:
            for hop in [*([chain.rename] if chain.rename else []), *chain.hops]:
                if hop.value in text and self.chance(self.p.summary_fidelity):
                    lines.append(f"{hop.subject} {hop.relation}: {hop.value} [{hop.doc_id}]")
            for d in chain.decoys:
                if d.value in text and self.chance(self.p.summary_fidelity):
                    h = chain.hops[d.hop]
                    lines.append(f"{h.subject} {h.relation}: {d.value} [{d.doc_id}]")
        return _Action("\n".join(lines) or "Nothing relevant so far.")


_MIN_READS = re.compile(MIN_READS_PATTERN)


def _is_num(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check(mid: ModelId) -> None:
    if mid.name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        raise UnknownNameError(f"unknown simulated model 'mock/{mid.name}' (known: {known})")
    PRESETS[mid.name].with_overrides(dict(mid.options), where=f"model mock/{mid.name}")


def _create(mid: ModelId) -> SimulatedModel:
    profile = PRESETS[mid.name].with_overrides(dict(mid.options), where=f"model mock/{mid.name}")
    suffix = "?" + "&".join(f"{k}={v}" for k, v in mid.options) if mid.options else ""
    return SimulatedModel(mid.full + suffix, profile)


register_provider(
    Provider(
        name="mock",
        description="simulated models driven by documented profiles (no network)",
        create=_create,
        check=_check,
        models=lambda: sorted(PRESETS),
    )
)
