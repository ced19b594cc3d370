"""Which behaviour answers a request: the dispatch from a request's purpose to a move."""

from __future__ import annotations

from harness.sim.coordination import plan, route, summarise
from harness.sim.judging import judge, merge, revise, verify
from harness.sim.research import act
from harness.sim.turn import Action, Turn, answer_call


def decide(t: Turn) -> Action:
    if t.solution is None:
        return Action("I have no way to work on this task.", *answer_call("unknown"))
    purpose = t.request.purpose
    if purpose == "plan":
        return plan(t)
    if purpose == "summarise":
        return summarise(t)
    if purpose == "route":
        return route(t)
    if purpose == "verify" or t.brief.output == "verdict":
        return verify(t)
    if purpose == "judge":
        return judge(t)
    if purpose == "merge":
        return merge(t)
    if purpose == "revise":
        return revise(t)
    return act(t)
