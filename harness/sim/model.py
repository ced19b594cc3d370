"""Simulated models: a policy over the task's hidden solution, limited by a profile.

The model sees the same messages and tool schemas a real model would and answers with text
and tool calls that the runtime really executes. Its choices are random draws, seeded by
the request (same request -> same response), against the profile's parameters: `skill`
(decayed by context length) picks the right next action, `persistence` re-plans after a
dead end, `hallucination` answers without evidence, `summary_fidelity` keeps facts in
reports. What it may answer is limited to what `harness.sim.reading` finds in its context.
"""

from __future__ import annotations

from harness.errors import ContextOverflow
from harness.messages import Message, ModelRequest, ModelResponse, ToolCall
from harness.sim.policy import decide
from harness.sim.profiles import ModelProfile
from harness.sim.strategy import DecisionLog, StrategyPolicy
from harness.sim.turn import Turn
from harness.usage import Usage


class SimulatedModel:
    """A `ModelBackend` whose behaviour is a `ModelProfile`."""

    def __init__(
        self,
        model_id: str,
        profile: ModelProfile,
        policy: StrategyPolicy | None = None,
        log: DecisionLog | None = None,
    ) -> None:
        self.id = model_id
        self.profile = profile
        self.policy = policy
        """A trained strategy (harness.sim.strategy); None: the preset's own behaviour."""
        self.log = log
        """Where a trainer collects this model's policy decisions; None outside training."""
        self._recent: list[tuple[Message, ...]] = []  # a provider-side prefix cache

    async def generate(self, request: ModelRequest) -> ModelResponse:
        p = self.profile
        context = request.input_tokens
        if context > p.context_window:
            raise ContextOverflow(
                f"{self.id}: {context}-token request exceeds the {p.context_window}-token window"
            )
        skill = p.skill * max(0.0, 1.0 - p.degradation * context / 100_000)
        turn = Turn(p, skill, request, self.policy, self.log)
        action = decide(turn)
        calls: tuple[ToolCall, ...] = ()
        if action.tool is not None:
            n = sum(1 for m in request.messages if m.role == "assistant")
            calls = (ToolCall(f"call_{n}", action.tool, dict(action.args or {})),)
        message = Message("assistant", action.text, calls)
        factor = 1.5 if request.purpose in ("plan", "write") else 1.0
        reasoning = int(p.reasoning_tokens * factor * (0.75 + 0.5 * turn.draws.u("reasoning")))
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
