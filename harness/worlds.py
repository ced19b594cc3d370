"""Task worlds: one suite recipe generated with several seeds, each world its own corpus.

Why: a generated suite is one invented world — one set of companies, people and pages, with
its own quirks (a namesake that ranks high, a chain whose pages share words). Its tasks
share those quirks, so a design that happens to suit this world looks better than it is,
and an interval over its tasks alone cannot see it. `--worlds N` runs the same recipe in N
worlds and the bootstrap clusters by world (`harness.bootstrap`).

World w of a recipe with seed s is `tasks.generate_suite(s + w, <the same arguments>)`
(so world w of the built-in `default` suite, seed 0, is generator seed w):

- world 0 is the suite itself, byte for byte: the same task and document ids, the same
  results as a run without `--worlds`;
- world w >= 1 marks its ids with `~w<w>`: tasks `default~w1-lookup-01` (the generator's
  suite name is `default~w1`), documents `doc-4a30f7~w1`. Document ids are random draws,
  so two worlds could otherwise share one.

The built-in `deep` suite is made the same way by its own generator (`generator="deep"`:
tasks/deep.py), each world cached on disk after its first generation (tasks/deep_cache.py).

Every world keeps its own corpus: an episode searches and opens only its world's pages
(`harness.execution`). A fixed suite (`article`, a suite file) is one world; asking for
more is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from harness.bounds import check_world_count
from harness.errors import ConfigError, UnknownNameError
from harness.task import Task, TaskSuite
from tasks import deep as _deep

WORLD_MARK = "~w"
"""What marks the ids of world w >= 1: `default~w2-lookup-01`, `doc-4a30f7~w2`."""


@dataclass(frozen=True)
class SuiteRecipe:
    """How a generated suite is made: the arguments of `tasks.generate_suite`."""

    seed: int = 0
    per_family: int = 12
    hops: tuple[int, int] = (2, 4)
    breadth: tuple[int, int] = (3, 5)
    distractors: int = 2
    alias_rate: float = 0.5
    name: str = "generated"
    generator: str = "synthetic"
    """"synthetic" (tasks.generate_suite) or "deep" (tasks/deep.py, cached on disk)."""

    def generate(self, world: int = 0) -> TaskSuite:
        """World `world` of this recipe (see the module docstring for its ids)."""
        from tasks import generate_suite
        from tasks.deep_cache import load_deep

        make = load_deep if self.generator == "deep" else generate_suite
        if self.generator not in ("synthetic", "deep"):
            raise ConfigError(f"unknown suite generator {self.generator!r}")
        suite = make(
            seed=self.seed + world,
            per_family=self.per_family,
            hops=self.hops,
            breadth=self.breadth,
            distractors=self.distractors,
            alias_rate=self.alias_rate,
            name=world_name(self.name, world),
        )
        return suite if world == 0 else _mark_documents(suite, world)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["hops"], out["breadth"] = list(self.hops), list(self.breadth)
        if self.generator == "synthetic":  # as before the deep suite: old configs compare equal
            del out["generator"]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteRecipe:
        return cls(
            seed=int(data["seed"]),
            per_family=int(data["per_family"]),
            hops=(int(data["hops"][0]), int(data["hops"][1])),
            breadth=(int(data["breadth"][0]), int(data["breadth"][1])),
            distractors=int(data["distractors"]),
            alias_rate=float(data["alias_rate"]),
            name=str(data["name"]),
            generator=str(data.get("generator", "synthetic")),
        )


BUILTIN_RECIPES: dict[str, SuiteRecipe] = {
    "default": SuiteRecipe(seed=0, per_family=12, name="default"),
    "deep": SuiteRecipe.from_dict({**_deep.BUILTIN, "generator": "deep"}),
}
"""The built-in suites made by the generator (tasks/__init__.py), by name."""


def world_name(name: str, world: int) -> str:
    """The suite name of world `world`: its task ids start with it."""
    return name if world == 0 else f"{name}{WORLD_MARK}{world}"


def _mark_documents(suite: TaskSuite, world: int) -> TaskSuite:
    """`suite` with every document id, and every reference to one, marked `~w<world>`."""

    def mark(doc_id: str) -> str:
        return f"{doc_id}{WORLD_MARK}{world}"

    data = suite.model_dump()
    for doc in data["documents"]:
        doc["id"] = mark(doc["id"])
    for task in data["tasks"]:
        task["support_docs"] = [mark(d) for d in task["support_docs"]]
        for chain in task["solution"]["chains"]:
            for ref in [*chain["hops"], *chain["decoys"], chain["rename"]]:
                if ref is not None:
                    ref["doc_id"] = mark(ref["doc_id"])
    return TaskSuite.model_validate(data)


@dataclass(frozen=True)
class Worlds:
    """The worlds a run's tasks come from: world 0 first. `recipe` made them (None: one
    world of a fixed suite)."""

    suites: tuple[TaskSuite, ...]
    recipe: SuiteRecipe | None = None

    def __len__(self) -> int:
        return len(self.suites)

    @property
    def base(self) -> TaskSuite:
        return self.suites[0]

    def task_world(self) -> dict[str, int]:
        """Task id -> the world it belongs to."""
        return {t.id: w for w, s in enumerate(self.suites) for t in s.tasks}

    def digest(self) -> str:
        """A fingerprint of every world's content: a resumed run must regenerate the same."""
        from harness.execution.plan import suite_digest

        h = hashlib.sha256()
        for s in self.suites:
            h.update(suite_digest(s).encode("ascii"))
        return h.hexdigest()

    def describe(self) -> dict[str, Any]:
        """What config.json records of the worlds (the recipe and fingerprint only when
        there are several: they are what a resume regenerates and checks)."""
        out: dict[str, Any] = {"worlds": len(self)}
        if len(self) > 1 and self.recipe is not None:
            out["recipe"] = self.recipe.as_dict()
            out["worlds_sha256"] = self.digest()
        return out

    def select(self, task_ids: Sequence[str] | None) -> list[Task]:
        """The tasks to run, world by world. No ids: every task of every world. An id of
        world 0 selects that task in every world (the task in the same place: the same
        family and number); an id of another world selects that one task."""
        if len(self) == 1:
            return select_tasks(self.base, task_ids)
        if not task_ids:
            return [t for s in self.suites for t in s.tasks]
        where = {t.id: (w, i) for w, s in enumerate(self.suites) for i, t in enumerate(s.tasks)}
        picked: list[list[Task]] = [[] for _ in self.suites]
        seen: set[tuple[int, int]] = set()
        for task_id in task_ids:
            if task_id not in where:
                raise UnknownNameError(f"unknown task '{task_id}' in suite '{self.base.name}'")
            w, i = where[task_id]
            for v in range(len(self)) if w == 0 else [w]:
                if (v, i) not in seen and i < len(self.suites[v].tasks):
                    seen.add((v, i))
                    picked[v].append(self.suites[v].tasks[i])
        return [t for tasks in picked for t in tasks]

    def exactly(self, task_ids: Sequence[str]) -> list[Task]:
        """The tasks with these ids, in this order (a saved run's plan)."""
        by_id = {t.id: t for s in self.suites for t in s.tasks}
        missing = [t for t in task_ids if t not in by_id]
        if missing:
            raise UnknownNameError(f"unknown task '{missing[0]}' in suite '{self.base.name}'")
        return [by_id[t] for t in task_ids]


def select_tasks(suite: TaskSuite, task_ids: Sequence[str] | None) -> list[Task]:
    """The tasks of one suite with these ids, in this order (all of them without ids)."""
    if not task_ids:
        return list(suite.tasks)
    by_id = {t.id: t for t in suite.tasks}
    missing = [t for t in task_ids if t not in by_id]
    if missing:
        raise UnknownNameError(f"unknown task '{missing[0]}' in suite '{suite.name}'")
    return [by_id[t] for t in task_ids]


def make_worlds(base: TaskSuite, recipe: SuiteRecipe | None, count: int, *, label: str) -> Worlds:
    """`count` worlds: `base` as world 0, the others generated from `recipe`. A suite with
    no recipe (a fixed one, named `label`) has only one world."""
    check_worlds(count, recipe, label)
    if count == 1 or recipe is None:
        return Worlds((base,), recipe)
    return Worlds((base, *(recipe.generate(w) for w in range(1, count))), recipe)


def check_worlds(count: int, recipe: SuiteRecipe | None, label: str) -> None:
    """Can suite `label` (made by `recipe`, None: a fixed suite) have `count` worlds?"""
    if count < 1:
        raise ConfigError(f"--worlds must be at least 1, got {count}")
    check_world_count(count)
    if count > 1 and recipe is None:
        raise ConfigError(
            f"--worlds {count}: suite '{label}' is fixed, not generated from a seed, so it "
            "has one world; use a generated suite (e.g. default) or --worlds 1"
        )
