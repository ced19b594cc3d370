"""A model whose replies come from a Python function: for tests, examples and benchmarks.

Like pydantic-ai's `FunctionModel`: the function sees the whole request and returns the
assistant message, so a test scripts tool calls exactly as a real model would send them.

    >>> def reply(request):
    ...     return Message("assistant", "", (ToolCall("c0", "answer", {"text": "42"}),))
    >>> model = ScriptedModel(reply)
"""

from __future__ import annotations

from collections.abc import Callable

from harness.messages import Message, ModelRequest, ModelResponse
from harness.usage import Price, Usage

Reply = Callable[[ModelRequest], Message]


class ScriptedModel:
    def __init__(
        self,
        reply: Reply,
        model_id: str = "scripted/function",
        price: Price | None = None,
        latency_s: float = 0.0,
    ) -> None:
        self.id = model_id
        self.reply = reply
        self.price = price
        self.latency_s = latency_s
        self.requests: list[ModelRequest] = []

    async def generate(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        message = self.reply(request)
        inp, out = request.input_tokens, message.tokens
        cost = self.price.cost(inp, 0, out) if self.price is not None else None
        usage = Usage(requests=1, input_tokens=inp, output_tokens=out, cost_usd=cost)
        return ModelResponse(message, usage, self.latency_s, self.id)
