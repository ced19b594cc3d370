"""The `deep` suite: web-research tasks long enough that context management matters.

What differs from the default suite (tasks/generator.py), and why:
- pages are web pages at real-world length, wrapped in site boilerplate (deep_pages.py),
  and a search returns `RESULTS_PER_SEARCH` hits, as web search APIs do by default: an
  agent's context fills the way it does on the web (figures and sources: deep_figures.py);
- sequential tasks walk chains of 4-8 hops (each search needs the previous answer), and
  parallel tasks compare up to 10 entities (each one-hop chain is independent), so
  architectures that split work and ones that keep one context meet different costs;
- every chain's subjects have many namesakes, and changeable facts on long chains often
  have a stale, dated page stating an older value;
- half the tasks of each family are in Chinese, over Chinese pages (deep_zh.py).

The other families (lookup, conflict, dead end) are built as in the default suite. The
suite is a pure function of its arguments: the same ones give byte-identical JSON, which
is what lets deep_cache.py keep it on disk instead of in the repository.

Example:
    >>> suite = deep_suite(seed=1, per_family=2)
    >>> len(suite.tasks), suite.search_results
    (10, 10)
"""

from __future__ import annotations

import random
from typing import Any

from harness.task import FAMILIES, Chain, Task, TaskSuite
from tasks import deep_zh as zh
from tasks.contract import check_contract
from tasks.deep_figures import (
    BREADTH,
    HOPS,
    NAMESAKE_SUBJECTS,
    NAMESAKES,
    RESULTS_PER_SEARCH,
    STALE_RATE,
)
from tasks.deep_pages import TEMPLATE_TEXT, Lang, PageMaker
from tasks.families import (
    ATTEMPTS,
    BUILDERS,
    CONFLICT_KIND,
    ChainDraft,
    Options,
    TaskDraft,
    ask,
    phrase,
    single,
    walk,
)
from tasks.generator import build_chain, finish_task
from tasks.pages import TEMPLATE_TEXT as BASE_TEMPLATE_TEXT
from tasks.world import Kind, World

PER_FAMILY = 8
"""Tasks per family of the built-in deep suite: 40 tasks, half of them in Chinese."""

BUILTIN: dict[str, Any] = {
    "seed": 0,
    "per_family": PER_FAMILY,
    "hops": HOPS,
    "breadth": BREADTH,
    "distractors": NAMESAKES,
    "alias_rate": 0.5,
    "name": "deep",
}
"""The arguments of the built-in `deep` suite (`--suite deep`; harness.worlds makes its
other worlds with seed + w)."""

LIMITS = {"lookup": (1, 1), "multi_hop": HOPS, "conflict": (1, 2), "dead_end": (1, 2)}
"""Hops per family that check_deep holds the suite to (breadth: `BREADTH` chains)."""

NEXT: dict[Kind, tuple[str, ...]] = {
    "product": ("maker",),
    "company": ("founder", "chief executive", "headquarters"),
    "person": ("birthplace",),
    "city": ("mayor", "country"),
    "country": ("capital",),
}
"""The entity-valued relations of each kind: the steps a long chain can take."""
STARTS: tuple[Kind, ...] = ("product", "company", "person", "city")


def deep_suite(
    seed: int = 0,
    *,
    per_family: int = PER_FAMILY,
    hops: tuple[int, int] = HOPS,
    breadth: tuple[int, int] = BREADTH,
    distractors: int = NAMESAKES,
    alias_rate: float = 0.5,
    name: str = "deep",
) -> TaskSuite:
    """A deep suite of `per_family` tasks of each family (odd-numbered ones in English,
    even-numbered in Chinese). `hops`: the hop range of multi-hop tasks, spread evenly;
    `breadth`: the range of entities a breadth task compares; `distractors`: namesakes
    made for each of up to three subjects of every chain."""
    if per_family < 1 or not 1 <= hops[0] <= hops[1] or not 2 <= breadth[0] <= breadth[1]:
        raise ValueError("per_family >= 1, and hops and breadth must be ranges")
    rng = random.Random(f"deep:{seed}")
    world = World(rng, per_family + 4, avoid=BASE_TEMPLATE_TEXT + " " + TEMPLATE_TEXT)
    options = Options(hops, breadth, distractors, alias_rate)
    drafts: list[tuple[str, Lang, TaskDraft]] = []
    for family in FAMILIES:
        for index in range(per_family):
            if family == "multi_hop":
                draft = build_long_chain(world, rng, index, hops)
            else:
                draft = BUILDERS[family](world, rng, index, options)
            for chain in draft.chains:
                _add_traps(world, rng, chain, distractors, stale=family == "multi_hop")
            lang: Lang = "en" if index % 2 == 0 else "zh"
            drafts.append((f"{name}-{family}-{index + 1:02d}", lang, draft))
    pages = PageMaker(world, rng)
    documents = pages.all_pages(noise=per_family)
    tasks = [_finish(world, pages, task_id, lang, d) for task_id, lang, d in drafts]
    return TaskSuite(
        name=name,
        description=(
            f"Web-research tasks (seed {seed}, {per_family} per family, English and "
            f"Chinese): {hops[0]}-{hops[1]}-hop chains, comparisons of up to {breadth[1]} "
            "entities, web-length pages with boilerplate, namesakes and stale pages."
        ),
        documents=documents,
        tasks=tasks,
        search_results=RESULTS_PER_SEARCH,
    )


def build_long_chain(
    world: World, rng: random.Random, index: int, hops: tuple[int, int]
) -> TaskDraft:
    """A multi-hop task of `hops[0] + index % span` hops (so every length appears), by a
    random walk over entity-valued facts that never revisits an entity and ends on an
    entity (whose own page the answer then has)."""
    length = hops[0] + index % (hops[1] - hops[0] + 1)
    for _ in range(ATTEMPTS * 4):
        start = world.take(rng.choice(STARTS))
        relations: list[str] = []
        seen, subject = {start.name}, start
        while len(relations) < length:
            ways = [r for r in NEXT[subject.kind] if world.value(subject.name, r) not in seen]
            if not ways:
                break
            rel = rng.choice(ways)
            relations.append(rel)
            subject = world.by_name[world.value(subject.name, rel)]
            seen.add(subject.name)
        steps = walk(world, start, tuple(relations))
        if len(relations) == length and steps:
            question = ask(phrase(start.kind, start.name), tuple(relations))
            return single("multi_hop", question, start.name, steps)
    raise RuntimeError(f"no {length}-hop chain walks in this world: raise per_family")


def _add_traps(
    world: World, rng: random.Random, chain: ChainDraft, count: int, *, stale: bool
) -> None:
    """Namesakes for up to `NAMESAKE_SUBJECTS` of the chain's subjects (countries have no
    stem to share) and, on long chains, stale pages for changeable facts."""
    subjects = [world.by_name[s] for s in dict.fromkeys(s for s, _ in chain.steps)]
    eligible = [e for e in subjects if e.kind != "country"]
    for entity in rng.sample(eligible, min(NAMESAKE_SUBJECTS, len(eligible))) if count else []:
        world.namesakes_of(entity, count)
    for subject, rel in chain.steps if stale else []:
        if rel in CONFLICT_KIND and rng.random() < STALE_RATE:
            world.outdate(world.by_name[subject], rel)


def _question(chain: ChainDraft, now: bool) -> str:
    """`chain`'s question in Chinese: its entry and relations, as the English one has."""
    return zh.ask(chain.entry, tuple(rel for _, rel in chain.steps), now=now)


def _localise(world: World, draft: TaskDraft) -> TaskDraft:
    """`draft` asked in Chinese: the same chains and entries, Chinese questions."""
    now = draft.family == "conflict"
    if draft.combine == "last":
        question = _question(draft.chains[0], now)
        chain = draft.chains[0]
        chains = [ChainDraft(chain.label, question, chain.entry, chain.steps, chain.rename)]
        return TaskDraft(draft.family, question, chains, draft.combine)
    first = draft.chains[0]
    kind, rel = world.by_name[first.entry].kind, first.steps[0][1]
    names = [c.entry for c in draft.chains]
    question = zh.ask_breadth(kind, rel, draft.combine == "argmax", names)
    chains = [
        ChainDraft(c.label, _question(c, False), c.entry, c.steps, c.rename) for c in draft.chains
    ]
    return TaskDraft(draft.family, question, chains, draft.combine)


def _finish(world: World, pages: PageMaker, task_id: str, lang: Lang, draft: TaskDraft) -> Task:
    draft = _localise(world, draft) if lang == "zh" else draft
    return finish_task(world, task_id, draft, lambda c: _chain(world, pages, lang, c), lang)


def _chain(world: World, pages: PageMaker, lang: Lang, draft: ChainDraft) -> Chain:
    """The chain on `lang` pages, its relations named in `lang`."""
    if lang == "zh":
        return build_chain(
            world,
            draft,
            lambda d: pages.doc_id(d, lang),
            lambda r: zh.REL.get(r, r),
            lambda r: zh.RENAME_REL[r],
        )
    return build_chain(world, draft, lambda d: pages.doc_id(d, lang))


def check_deep(suite: TaskSuite) -> list[str]:
    """The task contract (tasks/contract.py) with the deep suite's hop and breadth ranges
    and its results per search: every way `suite` breaks it ([] when it holds)."""
    return check_contract(
        suite, hops=LIMITS, breadth=(BREADTH[0], BREADTH[1]), top_k=RESULTS_PER_SEARCH
    )
