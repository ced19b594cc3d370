"""Generate a task suite from a seed: draft every task, then write the hops, decoys,
guesses and pages.

Why two phases: a task drafted late may add a namesake or an outdated page for a subject
an earlier task also uses. Finalising after all drafts lets every chain list every decoy
the corpus really holds for its hops, so the hidden solution never understates the traps.

Example:
    >>> suite = generate_suite(seed=3, per_family=2)
    >>> len(suite.tasks), suite.tasks[0].id
    (10, 'generated-lookup-01')
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Literal

from harness.task import (
    FAMILIES,
    Chain,
    Decoy,
    Hop,
    Solution,
    Task,
    TaskSuite,
)
from tasks.families import BUILDERS, ChainDraft, Options, TaskDraft, phrase
from tasks.pages import TEMPLATE_TEXT, all_pages
from tasks.world import Entity, World, relation

YEAR_RELATIONS = ("birth year", "founding year", "launch year")


def generate_suite(
    seed: int = 0,
    *,
    per_family: int = 12,
    hops: tuple[int, int] = (2, 4),
    breadth: tuple[int, int] = (3, 5),
    distractors: int = 2,
    alias_rate: float = 0.5,
    name: str = "generated",
) -> TaskSuite:
    """A suite of `per_family` tasks of each family over a fresh synthetic world.

    `hops`: the range of hop counts of multi-hop tasks (the world's paths have 2-4 hops;
    a range outside that gets the nearest length); `breadth`: the range of the number
    of candidates of breadth tasks; `distractors`: namesake pages made per chain;
    `alias_rate`: the fraction of dead-end tasks whose entry is an alias (the rest use a
    former name). The same arguments always give byte-identical JSON.
    """
    if per_family < 1:
        raise ValueError("per_family must be at least 1")
    if not 1 <= hops[0] <= hops[1]:
        raise ValueError(f"hops must be a range (low, high) with 1 <= low <= high, not {hops}")
    if not 2 <= breadth[0] <= breadth[1]:
        raise ValueError(f"breadth must be a range (low, high) with 2 <= low, not {breadth}")
    if distractors < 0 or not 0.0 <= alias_rate <= 1.0:
        raise ValueError("distractors must be >= 0 and alias_rate within [0, 1]")
    rng = random.Random(seed)
    world = World(rng, per_family, avoid=TEMPLATE_TEXT)
    options = Options(hops, breadth, distractors, alias_rate)
    drafts: list[tuple[str, TaskDraft]] = []
    for family in FAMILIES:
        for index in range(per_family):
            draft = BUILDERS[family](world, rng, index, options)
            for chain in draft.chains:
                _add_namesakes(world, rng, chain, distractors)
            drafts.append((f"{name}-{family}-{index + 1:02d}", draft))
    tasks = [finish_task(world, task_id, draft) for task_id, draft in drafts]
    return TaskSuite(
        name=name,
        description=(
            f"Synthetic research tasks (seed {seed}, {per_family} per family) over an "
            "invented world of companies, people, cities, countries and products."
        ),
        documents=all_pages(world, noise=per_family),
        tasks=tasks,
    )


def _add_namesakes(world: World, rng: random.Random, chain: ChainDraft, count: int) -> None:
    """Give one hop's subject (not a country: their names have no stem to share) namesakes."""
    subjects = [world.by_name[s] for s, _ in chain.steps]
    eligible = [e for e in subjects if e.kind != "country"]
    if eligible and count:
        world.namesakes_of(rng.choice(eligible), count)


def _same(text: str) -> str:
    return text


def finish_task(
    world: World,
    task_id: str,
    draft: TaskDraft,
    chain: Callable[[ChainDraft], Chain] | None = None,
    lang: Literal["en", "zh"] = "en",
) -> Task:
    """The task of a draft; `chain` builds each chain (default: `build_chain` on this world)."""
    chains = [(chain or (lambda c: build_chain(world, c)))(c) for c in draft.chains]
    if draft.combine == "last":
        answer = chains[0].hops[-1].value
    else:
        pick = max if draft.combine == "argmax" else min
        answer = pick(chains, key=lambda c: int(c.hops[-1].value)).label
    last_relation = draft.chains[0].steps[-1][1]
    aliases = _aliases(world, answer, last_relation if draft.combine == "last" else "")
    return Task(
        id=task_id,
        family=draft.family,
        question=draft.question,
        answer=answer,
        aliases=aliases,
        support_docs=list(dict.fromkeys(c.hops[-1].doc_id for c in chains)),
        solution=Solution(chains=chains, combine=draft.combine),
        lang=lang,
    )


def _aliases(world: World, answer: str, rel: str) -> list[str]:
    """Other spellings a grader should accept: "5,120" for 5120, "the Vexa drone"."""
    found: list[str] = []
    if answer.isdigit() and len(answer) > 4 and rel not in YEAR_RELATIONS:
        found.append(f"{int(answer):,}")
    entity = world.by_name.get(answer)
    if entity is not None and entity.kind == "product":
        found.append(phrase("product", answer))
    return found


def build_chain(
    world: World,
    draft: ChainDraft,
    doc: Callable[[str], str] = _same,
    relation: Callable[[str], str] = _same,
    rename_relation: Callable[[str], str] = _same,
) -> Chain:
    """The chain's hops and every decoy the corpus holds for them. `doc` maps an entity's
    page id to the page the task's corpus shows it on, and `relation`/`rename_relation`
    name a relation in the task's language (the deep suite's Chinese pages)."""
    hops: list[Hop] = []
    decoys: list[Decoy] = []
    for index, (subject, rel) in enumerate(draft.steps):
        entity = world.by_name[subject]
        hops.append(
            Hop(
                subject=subject,
                relation=relation(rel),
                doc_id=doc(entity.doc_id),
                value=entity.facts[rel],
            )
        )
        for claim in world.outdated:
            if claim.subject == subject and claim.relation == rel:
                decoys.append(
                    Decoy(hop=index, doc_id=doc(claim.doc_id), value=claim.value, kind="outdated")
                )
        for twin in world.namesakes.get(subject, []):
            decoys.append(
                Decoy(hop=index, doc_id=doc(twin.doc_id), value=twin.facts[rel], kind="namesake")
            )
    rename = None
    if draft.rename is not None:
        r = draft.rename
        rename = Hop(
            subject=r.old, relation=rename_relation(r.relation), doc_id=doc(r.doc_id), value=r.new
        )
    last = world.by_name[draft.steps[-1][0]]
    return Chain(
        label=draft.label,
        question=draft.question,
        entry=draft.entry,
        hops=hops,
        rename=rename,
        decoys=decoys,
        guesses=_guesses(
            world, last, draft.steps[-1][1], [d.value for d in decoys if d.hop == len(hops) - 1]
        ),
    )


def _guesses(world: World, entity: Entity, rel: str, decoy_values: list[str]) -> list[str]:
    """Three plausible wrong values: what the decoys say first, then look-alikes."""
    rng = world.rng
    gold = entity.facts[rel]
    spec = relation(entity.kind, rel)
    candidates = list(decoy_values)
    if spec.target is not None:
        pool = [e.name for e in world.entities if e.kind == spec.target and not e.namesake_of]
        candidates += rng.sample(pool, min(6, len(pool)))
    else:
        value = int(gold)
        for _ in range(6):
            if rel in YEAR_RELATIONS:
                candidates.append(str(value + rng.choice((-1, 1)) * rng.randint(1, 6)))
            else:
                candidates.append(str(max(1, int(value * rng.uniform(0.6, 1.5)))))
    guesses = [c for c in dict.fromkeys(candidates) if c and c != gold]
    return guesses[:3]
