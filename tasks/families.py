"""One builder per task family: which entities a task starts from and how it is asked.

Builders return drafts (subjects and relations, not pages): a later task may still add
namesakes or an outdated page for a subject an earlier task uses, so decoys and guesses
are only computed once every task is drafted (see generator.py), and every chain then
lists every decoy the corpus really holds for it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from harness.task import Family
from tasks.world import Entity, Kind, Rename, World


@dataclass(frozen=True, slots=True)
class Options:
    hops: tuple[int, int] = (2, 4)
    breadth: tuple[int, int] = (3, 5)
    distractors: int = 2
    alias_rate: float = 0.5


@dataclass(slots=True)
class ChainDraft:
    label: str
    question: str
    entry: str
    steps: list[tuple[str, str]]  # (subject name, relation), walkable in order
    rename: Rename | None = None


@dataclass(slots=True)
class TaskDraft:
    family: Family
    question: str
    chains: list[ChainDraft]
    combine: Literal["last", "argmax", "argmin"] = "last"


ASK: dict[str, str] = {
    "capital": "What is the capital of {x}?",
    "population": "What is the population of {x}?",
    "country": "In which country is {x}?",
    "mayor": "Who is the mayor of {x}?",
    "birthplace": "In which city was {x} born?",
    "birth year": "In which year was {x} born?",
    "founder": "Who founded {x}?",
    "chief executive": "Who is the chief executive of {x}?",
    "headquarters": "In which city is {x} headquartered?",
    "founding year": "In which year was {x} founded?",
    "headcount": "How many employees does {x} have?",
    "maker": "Which company makes {x}?",
    "launch year": "In which year was {x} launched?",
    "launch price": "What was the launch price of {x}, in euros?",
}
NOUN_PHRASE: dict[str, str] = {
    "capital": "the capital of {x}",
    "country": "the country where {x} lies",
    "mayor": "the mayor of {x}",
    "birthplace": "the birthplace of {x}",
    "founder": "the founder of {x}",
    "chief executive": "the chief executive of {x}",
    "headquarters": "the city where {x} is headquartered",
    "maker": "the company that makes {x}",
}
PAIR_ASK: dict[tuple[str, str], str] = {
    ("birthplace", "country"): "In which country was {x} born?",
    ("headquarters", "country"): "In which country is {x} headquartered?",
}
NOW_ASK: dict[str, str] = {
    "headcount": "According to the most recent reports, how many employees does {x} have?",
    "chief executive": "Who is the current chief executive of {x}?",
    "headquarters": "In which city is {x} headquartered today?",
    "population": "What is the current population of {x}?",
    "mayor": "Who is the current mayor of {x}?",
}
SUPERLATIVE: dict[tuple[Kind, str], tuple[str, str]] = {  # (argmax, argmin)
    ("company", "headcount"): ("has the most employees", "has the fewest employees"),
    ("company", "founding year"): ("was founded most recently", "was founded earliest"),
    ("city", "population"): ("has the largest population", "has the smallest population"),
    ("person", "birth year"): ("was born most recently", "was born earliest"),
    ("product", "launch price"): ("had the highest launch price", "had the lowest launch price"),
    ("product", "launch year"): ("was launched most recently", "was launched earliest"),
}
PLURAL: dict[Kind, str] = {
    "country": "countries",
    "city": "cities",
    "person": "people",
    "company": "companies",
    "product": "products",
}
PATHS: tuple[tuple[Kind, tuple[str, ...]], ...] = (
    ("product", ("maker", "founder", "birthplace", "country")),
    ("product", ("maker", "headquarters", "country")),
    ("product", ("maker", "chief executive", "birthplace")),
    ("product", ("maker", "founder")),
    ("product", ("maker", "headquarters", "mayor", "birthplace")),
    ("company", ("founder", "birthplace", "country")),
    ("company", ("headquarters", "country", "capital")),
    ("company", ("chief executive", "birthplace")),
    ("company", ("headquarters", "mayor")),
    ("person", ("birthplace", "country", "capital")),
    ("person", ("birthplace", "mayor")),
    ("city", ("mayor", "birthplace", "country")),
    ("city", ("country", "capital", "mayor")),
)
ATTEMPTS = 50  # entities tried before a builder gives up on a path
LOOKUP_KINDS: tuple[Kind, ...] = ("company", "product", "person", "city", "country")
DEAD_END_STEPS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    "company": (("founder",), ("headquarters",), ("founding year",), ("founder", "birthplace")),
    "product": (("maker",), ("launch year",), ("maker", "founder"), ("maker", "headquarters")),
}


def phrase(kind: Kind, name: str) -> str:
    """How a question refers to an entity: products take an article ("the Vexa drone")."""
    return f"the {name}" if kind == "product" else name


def ask(start: str, relations: tuple[str, ...], *, now: bool = False) -> str:
    """A natural question walking `relations` from the entity phrase `start`, e.g. "In
    which country was the founder of the company that makes the Vexa drone born?".
    `now` asks for the current value (conflict tasks, where an older page disagrees)."""
    pair = PAIR_ASK.get((relations[-2], relations[-1])) if len(relations) >= 2 else None
    final = None if now else pair
    x = start
    for rel in relations[: -2 if final else -1]:
        x = NOUN_PHRASE[rel].format(x=x)
    template = final or (NOW_ASK if now else ASK)[relations[-1]]
    question = template.format(x=x)
    return question[0].upper() + question[1:]


def walk(world: World, start: Entity, relations: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """The (subject, relation) steps from `start`, or None if the walk revisits an entity."""
    steps: list[tuple[str, str]] = []
    seen = [start.name]
    subject = start.name
    for rel in relations:
        steps.append((subject, rel))
        subject = world.value(subject, rel)
        if subject in seen:
            return None
        seen.append(subject)
    return steps


def single(
    family: Family,
    question: str,
    entry: str,
    steps: list[tuple[str, str]],
    rename: Rename | None = None,
) -> TaskDraft:
    """A one-chain task whose chain asks the task's own question."""
    chain = ChainDraft(label=entry, question=question, entry=entry, steps=steps, rename=rename)
    return TaskDraft(family, question, [chain])


def build_lookup(world: World, rng: random.Random, index: int, options: Options) -> TaskDraft:
    kind = LOOKUP_KINDS[index % len(LOOKUP_KINDS)]
    entity = world.take(kind)
    rel = rng.choice(list(entity.facts))
    question = ask(phrase(kind, entity.name), (rel,))
    return single("lookup", question, entity.name, [(entity.name, rel)])


def build_multi_hop(world: World, rng: random.Random, index: int, options: Options) -> TaskDraft:
    low, high = options.hops
    paths = [p for p in PATHS if low <= len(p[1]) <= high] or [
        min(PATHS, key=lambda p: abs(len(p[1]) - low))
    ]
    offset = (index + rng.randrange(len(paths))) % len(paths)
    for kind, relations in paths[offset:] + paths[:offset]:  # another path if one can't walk
        for _ in range(ATTEMPTS):
            start = world.take(kind)
            steps = walk(world, start, relations)
            if steps:
                question = ask(phrase(kind, start.name), relations)
                return single("multi_hop", question, start.name, steps)
    raise RuntimeError("no multi-hop path walks in this world: raise per_family")


def build_breadth(world: World, rng: random.Random, index: int, options: Options) -> TaskDraft:
    kind, rel = list(SUPERLATIVE)[index % len(SUPERLATIVE)]
    count = rng.randint(*options.breadth)
    chosen: list[Entity] = []
    for _ in range(ATTEMPTS * count):
        entity = world.take(kind)
        if all(e.facts[rel] != entity.facts[rel] for e in chosen):
            chosen.append(entity)
            if len(chosen) == count:
                break
    else:
        raise RuntimeError(f"too few {PLURAL[kind]} with distinct {rel}: raise per_family")
    combine: Literal["argmax", "argmin"] = rng.choice(("argmax", "argmin"))
    superlative = SUPERLATIVE[(kind, rel)][0 if combine == "argmax" else 1]
    names = [phrase(kind, e.name) for e in chosen]
    listed = ", ".join(names[:-1]) + " or " + names[-1]
    question = f"Which of these {PLURAL[kind]} {superlative}: {listed}?"
    chains = [
        ChainDraft(e.name, ask(phrase(kind, e.name), (rel,)), e.name, [(e.name, rel)])
        for e in chosen
    ]
    return TaskDraft("breadth", question, chains, combine)


CONFLICT_KIND: dict[str, Kind] = {  # facts that change over time, and whose they are
    "headcount": "company",
    "chief executive": "company",
    "headquarters": "company",
    "population": "city",
    "mayor": "city",
}


def build_conflict(world: World, rng: random.Random, index: int, options: Options) -> TaskDraft:
    rel = list(CONFLICT_KIND)[index % len(CONFLICT_KIND)]
    kind = CONFLICT_KIND[rel]
    relations: tuple[str, ...]
    if kind == "company" and rng.random() < 0.4:  # two hops: reach the company via a product
        product = world.take("product")
        last = world.by_name[product.facts["maker"]]
        steps = [(product.name, "maker"), (last.name, rel)]
        start, relations = phrase("product", product.name), ("maker", rel)
    else:
        last = world.take(kind)
        steps = [(last.name, rel)]
        start, relations = last.name, (rel,)
    world.outdate(last, rel)
    return single("conflict", ask(start, relations, now=True), steps[0][0], steps)


def build_dead_end(world: World, rng: random.Random, index: int, options: Options) -> TaskDraft:
    # Exactly floor(n * alias_rate) of the first n dead-end tasks use an alias, spread evenly.
    alias = int((index + 1) * options.alias_rate) > int(index * options.alias_rate)
    kind: Kind = "product" if alias else "company"
    entity = world.take(kind)
    relations = rng.choice(DEAD_END_STEPS[kind])
    steps = walk(world, entity, relations)
    assert steps is not None  # dead-end paths never revisit an entity
    made = world.rename(entity, alias=alias)
    question = ask(phrase(kind, made.old), relations)
    return single("dead_end", question, made.old, steps, made)


BUILDERS = {
    "lookup": build_lookup,
    "multi_hop": build_multi_hop,
    "breadth": build_breadth,
    "conflict": build_conflict,
    "dead_end": build_dead_end,
}
