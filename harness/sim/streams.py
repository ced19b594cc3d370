"""Paired random draws: one named sub-stream per decision site.

Why: a difference between two settings is only readable if everything that did not change
draws the same numbers. So no draw depends on a model's id, its price or latency, an edge
label or a task id's spelling. Each draw is a hash of

- the *position* in the episode, which the runtime sets on every request
  (`harness.messages.DrawKey`): the seed, a digest of the task's content, the node, the
  branch keyed by what it works on (the entity of a sub-question, not its index) and the
  step;
- the *site*: the name of the decision ("act.skill", "write.conflict", ...) and what it
  is about (a chain's entry, a hop).

Within one architecture two settings therefore share every draw until their trajectories
diverge; across architectures the shared unit is the (task, seed) cell. A skill decision
is always `u < skill` on its own site's draw, so raising a model's skill can only turn a
wrong move right, never a right one wrong (the draws are coupled).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

from harness.messages import DrawKey

T = TypeVar("T")
_SCALE = 1.0 / 2**64


def episode_key(seed: int, task_digest: str) -> str:
    return f"{seed}|{task_digest}"


def task_digest(question: str, solution_json: str) -> str:
    """A task's identity for pairing: its content, never its id."""
    h = hashlib.blake2b(digest_size=10)
    h.update(question.encode("utf-8", "surrogatepass"))
    h.update(b"\x00")
    h.update(solution_json.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class Streams:
    """The draws of one request: `u(site, *about)` is uniform on [0, 1), a pure function of
    the request's `DrawKey` and its arguments. Branch-level draws (`per_branch=True`) ignore
    the step: a decision a model makes once per loop, such as whether it complies with a
    brief, is drawn once."""

    __slots__ = ("_step", "_branch")

    def __init__(self, key: DrawKey | None) -> None:
        if key is None:
            key = DrawKey("", "", 0)
        self._branch = f"{key.episode}|{key.branch}".encode()
        self._step = self._branch + f"|{key.step}".encode()

    def u(self, site: str, *about: object, per_branch: bool = False) -> float:
        base = self._branch if per_branch else self._step
        text = "|".join([site, *map(str, about)])
        digest = hashlib.blake2b(
            base + b"#" + text.encode("utf-8", "surrogatepass"), digest_size=8
        ).digest()
        return int.from_bytes(digest, "little") * _SCALE

    def chance(self, p: float, site: str, *about: object, per_branch: bool = False) -> bool:
        return self.u(site, *about, per_branch=per_branch) < p

    def choice(self, seq: Sequence[T], site: str, *about: object) -> T:
        return seq[min(len(seq) - 1, int(self.u(site, *about) * len(seq)))]

    def sample(self, seq: Sequence[T], k: int, site: str, *about: object) -> list[T]:
        """`k` distinct items, in a random order: a draw per position."""
        pool = list(seq)
        out: list[T] = []
        for i in range(min(k, len(pool))):
            out.append(pool.pop(min(len(pool) - 1, int(self.u(site, i, *about) * len(pool)))))
        return out
