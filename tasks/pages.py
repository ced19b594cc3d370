"""The text of the synthetic world's pages: short encyclopedia entries and news items.

Why the pages look the way they do:
- every fact sentence contains its relation's words ("headcount", "founding year"), so the
  query "<subject> <relation>" ranks the subject's page first;
- a page names the entities it links to but never *their* facts (a person's page names the
  birthplace, not the birthplace's country), so a multi-hop question cannot be answered
  from its first page;
- filler sentences, drawn from shared pools, use the same relation words on unrelated
  pages, so search has to rank rather than merely filter;
- a renamed company's own page never mentions its old name: only the rename notice does.
"""

from __future__ import annotations

import random

from harness.task import Document
from tasks.world import TITLE_WORDS, Claim, Entity, Kind, Rename, World, iso_date

FACTS: dict[str, tuple[str, ...]] = {
    "capital": (
        "Its capital is {v}, the seat of the national government.",
        "The capital of {n} is {v}.",
    ),
    "population": (
        "Its population is {v}, according to the latest count.",
        "The most recent census puts the population at {v}.",
    ),
    "country": ("{n} lies in the country of {v}.", "The country {n} belongs to is {v}."),
    "mayor": ("The current mayor is {v}.", "{v} serves as mayor of {n}."),
    "birthplace": (
        "The birthplace of {s} is {v}.",
        "{s} was born in {v}, a birthplace {s} often mentions in interviews.",
    ),
    "birth year": (
        "{s} has given {v} as birth year.",
        "Records list {v} as the birth year of {s}.",
    ),
    "founder": ("The company's founder is {v}.", "It was set up by its founder, {v}."),
    "chief executive": ("The chief executive is {v}.", "{v} serves as chief executive."),
    "headquarters": ("Its headquarters are in {v}.", "{n} keeps its headquarters in {v}."),
    "founding year": ("Its founding year is {v}.", "{n} gives {v} as its founding year."),
    "headcount": (
        "The company reports a headcount of {v} employees.",
        "Its headcount stands at {v} people.",
    ),
    "maker": ("Its maker is {v}.", "The {n} is built by {v}, its maker since launch."),
    "launch year": (
        "It went on sale in {v}, its launch year.",
        "The launch year of the {n} was {v}.",
    ),
    "launch price": (
        "Its launch price was {v} euros.",
        "At launch the {n} cost {v} euros, a launch price reviewers discussed at length.",
    ),
}

LEADS: dict[Kind, str] = {
    "country": "{n} is a {d} country.",
    "city": "{n} is a {d} city.",
    "person": "{n} is an {d}.",
    "company": "{n} is a {d} company.",
    "product": "The {n} is a consumer {f}.",
}

FILLER: dict[str, tuple[str, ...]] = {
    "country": (
        "Its parliament meets in the capital for most of the year.",
        "Visitors usually arrive through the capital's airport or by ferry.",
        "Census officials revise the population estimate every five years.",
        "Several regional cities compete with the capital for investment and talent.",
        "The country is a member of a regional trade pact that covers most of its neighbours.",
        "Its largest companies are headquartered in a handful of cities.",
    ),
    "city": (
        "The mayor presides over a council of elected members.",
        "The city's population grew quickly after a new rail line opened.",
        "Several companies keep their headquarters near the old harbour.",
        "Local historians trace the founding of the settlement to a river crossing.",
        "The municipal archive publishes population figures every spring.",
        "Its university attracts students from across the country.",
    ),
    "person": (
        "Profiles of founders often mention where they grew up and studied.",
        "Interviews with business leaders rarely agree on the birth year of their careers.",
        "Before going into business, several of the region's founders trained as engineers.",
        "The birthplace of a chief executive is a favourite topic of local newspapers.",
        "Colleagues describe a careful, patient manager who rarely gives interviews.",
        "Like many founders of the period, the career began in a small workshop.",
    ),
    "company": (
        "Analysts compare founders, headquarters and headcount across dozens of firms.",
        "Like many of its rivals, it publishes a short profile of its chief executive each year.",
        "Local newspapers have covered its hiring plans and its search for larger offices.",
        "Several competitors have been renamed after mergers, which complicates comparisons.",
        "Its founding year is printed on the packaging of its oldest products.",
        "Regulators list the company's headquarters in their public registry.",
    ),
    "product": (
        "Reviewers compared its launch price with that of rival devices.",
        "The maker offers repairs through authorised shops in several countries.",
        "Some regions sell the device under a different trade name.",
        "Early units shipped with a charger and a printed manual.",
        "Its launch year coincided with a crowded season for consumer electronics.",
        "Second-hand prices stay close to the original launch price.",
    ),
    "any": (
        "This entry is maintained by volunteers and was last reviewed this year.",
        "Figures are taken from public registries and company filings.",
        "Sources disagree on some details, and older reports may be out of date.",
        "Readers can suggest corrections through the usual editorial process.",
        "Names in this entry follow the spelling used in official documents.",
        "The entry does not cover events after its last review.",
        "Some statistics are rounded in secondary sources but are given here in full.",
        "Related entries cover the founder, the maker and the headquarters where known.",
    ),
    "news": (
        "The announcement was made at a press conference.",
        "A spokesperson declined to comment on further details.",
        "Analysts said the move had been expected for some months.",
        "The figures have not been independently verified.",
        "Shares in the sector were little changed on the day.",
        "The report was updated after publication to correct a spelling.",
        "Trade unions and local officials welcomed the news.",
        "Further details are expected in the annual report.",
    ),
}


def _fill(rng: random.Random, sentences: list[str], pools: tuple[str, ...]) -> str:
    """Append shuffled filler from `pools` until the page has 140-230 words."""
    target = rng.randint(140, 230)
    filler = [s for pool in pools for s in FILLER[pool]]
    rng.shuffle(filler)
    while filler and len(" ".join(sentences).split()) < target:
        sentences.insert(rng.randint(1, len(sentences)), filler.pop())
    return " ".join(sentences)


Backlinks = dict[str, list[tuple[str, str]]]  # value name -> [(relation, entity name)]

_BACKLINKS: dict[tuple[Kind, str], str] = {
    ("company", "maker"): "It makes the {o}.",
    ("person", "founder"): "{s} founded {o}.",
    ("person", "chief executive"): "{s} leads {o} as chief executive.",
    ("person", "mayor"): "{s} is the mayor of {o}.",
    ("city", "headquarters"): "{o} has its headquarters in {n}.",
    ("country", "country"): "{o} is one of its cities.",
}


def backlinks(world: World) -> Backlinks:
    """Who points at whom: lets a page mention what links to it without a quadratic scan."""
    found: Backlinks = {}
    for other in world.entities:
        for rel, value in other.facts.items():
            found.setdefault(value, []).append((rel, other.name))
    return found


def entity_page(world: World, entity: Entity, links: Backlinks) -> Document:
    """An encyclopedia entry stating all of `entity`'s facts (and what links to it)."""
    rng = world.rng
    n, s = entity.name, entity.stem
    sentences = [LEADS[entity.kind].format(n=n, d=entity.detail, f=entity.form)]
    for rel, value in entity.facts.items():
        sentences.append(rng.choice(FACTS[rel]).format(n=n, s=s, v=value))
    for rel, other in links.get(n, [])[:4]:
        template = _BACKLINKS.get((entity.kind, rel))
        if template:
            sentences.append(template.format(n=n, s=s, o=other))
    text = _fill(rng, sentences, (entity.kind, "any"))
    return Document(id=entity.doc_id, title=n, text=text, date=entity.date)


OUTDATED: dict[str, tuple[str, str]] = {
    "headcount": (
        "{n} expands workforce",
        "{n} said its headcount has reached {v} employees after a year of hiring.",
    ),
    "chief executive": (
        "{n} names new chief executive",
        "{n} has appointed {v} as chief executive, the board said.",
    ),
    "headquarters": (
        "{n} moves head office",
        "{n} has moved its headquarters to {v}, where most of its staff now work.",
    ),
    "population": (
        "{n} census results",
        "The census counted a population of {v} in {n}, officials said.",
    ),
    "mayor": ("{n} elects new mayor", "{v} was elected mayor of {n} after a close campaign."),
}


def outdated_page(world: World, claim: Claim) -> Document:
    """A dated news item stating a value that was true then and is superseded now."""
    title, lead = OUTDATED[claim.relation]
    sentences = [lead.format(n=claim.subject, v=claim.value)]
    text = _fill(world.rng, sentences, ("news", "any"))
    return Document(
        id=claim.doc_id, title=title.format(n=claim.subject), text=text, date=claim.date
    )


RENAMES: dict[str, tuple[str, ...]] = {  # relation -> (title, sentences...)
    "renamed": (
        "{old} announces new name",
        "{old} said it has renamed itself {new}.",
        "The company was renamed to mark a change of ownership; it will trade as {new}.",
    ),
    "also known as": (
        "{old} (trade name)",
        "{old} is the trade name used in {place} for the {new}.",
        "The device is also known as the {new} in other markets.",
    ),
}
ROUNDUP = (
    "This issue looks at {0}, {1}, {2} and {3}.",
    "We track founders, headquarters, headcount and launch prices across the region.",
)
ROUNDUP_TITLES = ("Regional business roundup", "Market notes")


def rename_page(world: World, rename: Rename) -> Document:
    """The one page that links an old name or alias to the current name."""
    title, *lines = (
        line.format(old=rename.old, new=rename.new, place=rename.place)
        for line in RENAMES[rename.relation]
    )
    text = _fill(world.rng, lines, ("news", "any"))
    return Document(id=rename.doc_id, title=title, text=text, date=rename.date)


def noise_page(world: World, number: int) -> Document:
    """A roundup that names several entities and relation words but states no fact."""
    rng = world.rng
    names = [e.name for e in rng.sample(world.entities, 4)]
    sentences = [ROUNDUP[0].format(*names), ROUNDUP[1]]
    title = f"{rng.choice(ROUNDUP_TITLES)}, issue {number}"
    text = _fill(rng, sentences, ("news", "company", "city"))
    return Document(id=world.new_doc_id(), title=title, text=text, date=iso_date(rng, 2020, 2025))


def _template_text() -> str:
    groups = (*FACTS.values(), *FILLER.values(), *OUTDATED.values(), *RENAMES.values())
    parts = [*LEADS.values(), *_BACKLINKS.values(), *ROUNDUP, *ROUNDUP_TITLES, TITLE_WORDS]
    return " ".join(parts + [line for group in groups for line in group])


TEMPLATE_TEXT = _template_text()  # every fixed word a page can contain (see World(avoid=))


def all_pages(world: World, noise: int) -> list[Document]:
    """Every page of the world, sorted by id (ids are random, so the order says nothing)."""
    links = backlinks(world)
    docs = [entity_page(world, e, links) for e in world.entities]
    docs += [outdated_page(world, c) for c in world.outdated]
    docs += [rename_page(world, r) for r in world.renames]
    docs += [noise_page(world, i + 1) for i in range(noise)]
    return sorted(docs, key=lambda d: d.id)
