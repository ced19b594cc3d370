"""A synthetic world of countries, cities, people, companies and products, from one seed.

Why synthetic: a model cannot answer from memory what was invented a moment ago, so every
correct answer has to come from the corpus. Why coined names ("Zentrix Corp", "Port
Asmir"): a researcher recognises a search hit as a page about its subject when the title
contains the subject's name, so no name may be a substring of another (checked for every
new name). The only near-collisions are deliberate: namesakes ("Zentrix Group" beside
"Zentrix Corp") share a word but neither contains the other.

Everything random goes through the one `random.Random` the world is given, in a fixed
order; nothing depends on `hash()` or on set iteration, so a seed gives the same world on
every run and every platform.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["country", "city", "person", "company", "product"]


@dataclass(frozen=True, slots=True)
class Relation:
    """A fact every entity of kind `subject` has. `target` is the kind of an entity-valued
    fact; None means a number drawn from `low`..`high`. `name` doubles as the search words
    a researcher adds to the subject, so each page states the fact next to these words."""

    subject: Kind
    name: str
    target: Kind | None = None
    low: int = 0
    high: int = 0


RELATIONS: tuple[Relation, ...] = (
    Relation("country", "capital", "city"),
    Relation("country", "population", None, 900_000, 60_000_000),
    Relation("city", "country", "country"),
    Relation("city", "population", None, 20_000, 4_000_000),
    Relation("city", "mayor", "person"),
    Relation("person", "birthplace", "city"),
    Relation("person", "birth year", None, 1938, 1994),
    Relation("company", "founder", "person"),
    Relation("company", "chief executive", "person"),
    Relation("company", "headquarters", "city"),
    Relation("company", "founding year", None, 1950, 2021),
    Relation("company", "headcount", None, 120, 60_000),
    Relation("product", "maker", "company"),
    Relation("product", "launch year", None, 2004, 2024),
    Relation("product", "launch price", None, 49, 2999),
)


def relation(kind: Kind, name: str) -> Relation:
    """The relation `name` of entities of `kind` (KeyError if they have none)."""
    for rel in RELATIONS:
        if rel.subject == kind and rel.name == name:
            return rel
    raise KeyError(f"a {kind} has no relation {name!r}")


_ONSETS = (
    "Zen Vex Kal Mor Tal Bri Cor Dra Fer Gal Hal Jor Kes Lum Nor Pel Quin Ros Sar Tor "
    "Var Wen Yar Ast Bel Cal Del Esk Fal Gor Isk Lor Mar Nes Ost Pra Rin Sel Tam Ulv"
).split()
_MIDDLES = ("", "", "", "a", "e", "i", "o", "an", "el")
_CODAS = "trix a on ara ix el en ora ium is an eth ar ova ex ine yn ent ia ost".split()
_READABLE = re.compile(r"(?!.*([aeiou])\1)(?!.*[aeiou]{3}).{4,}\Z")  # no "ii", no "aio"
FORMS: dict[Kind, tuple[str, ...]] = {
    "country": ("ia", "and", "ova", "esh", "ar", "ica"),
    "city": ("Port {}", "{} Falls", "New {}", "{} Bay", "Lake {}", "{} Springs", "Fort {}"),
    "person": tuple(
        "Dana Mira Tomas Ines Aldo Petra Hugo Lena Rafael Sofia Ilya Nadia Oskar Vera Emil "
        "Clara Anton Greta Felix Alma Jonas Edith Milan Rosa Viktor Lidia Marek Hanna".split()
    ),
    "company": tuple(
        "Corp Group Labs Systems Holdings Industries Dynamics Works Technologies Motors".split()
    ),
    "product": tuple(
        "drone camera headset tablet router scooter speaker smartwatch printer thermostat".split()
    ),
}
DETAILS: dict[Kind, tuple[str, ...]] = {
    "country": ("coastal", "mountainous", "landlocked", "island"),
    "city": ("port", "university", "industrial", "market", "river"),
    "person": ("entrepreneur", "engineer", "economist", "industrial designer", "investor"),
    "company": (
        "robotics",
        "software",
        "logistics",
        "renewable energy",
        "consumer electronics",
        "medical devices",
        "telecommunications",
        "semiconductor",
    ),
    "product": ("",),
}
# The fixed words of page titles (see pages.py): no entity name may hide inside them.
TITLE_WORDS = (
    "expands workforce|names new chief executive|moves head office|census results|"
    "elects new mayor|announces new name|(trade name)|business roundup|market notes"
)


def compose(kind: Kind, stem: str, form: str) -> str:
    """An entity's name from its stem and form: the same stem with another form makes
    a namesake."""
    if kind == "country":
        return stem.rstrip("aeiou") + form
    if kind == "city":
        return form.format(stem)
    if kind == "person":
        return f"{form} {stem}"
    return f"{stem} {form}"


def iso_date(rng: random.Random, first_year: int, last_year: int) -> str:
    return f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


@dataclass(slots=True)
class Entity:
    """One thing the world knows about. `facts` maps relation name to the value as printed
    (the entity's name for entity-valued facts, a plain digit string for numbers)."""

    kind: Kind
    name: str
    stem: str
    form: str
    detail: str
    doc_id: str
    date: str
    facts: dict[str, str] = field(default_factory=dict)
    namesake_of: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """An older page stating a since-superseded `value` for (`subject`, `relation`)."""

    subject: str
    relation: str
    value: str
    doc_id: str
    date: str


@dataclass(frozen=True, slots=True)
class Rename:
    """Page `doc_id` says that `old` (a former name, or an alias) is now/also `new`."""

    old: str
    new: str
    relation: str  # "renamed" or "also known as"
    doc_id: str
    date: str
    place: str  # for an alias: the country where the alias is used


class World:
    """The entities, plus the extra pages tasks ask for: outdated claims, namesakes,
    renames and aliases. `size` scales the pools (the generator passes per_family).

    `avoid` is the fixed text of the pages (templates and filler). Search matches
    substrings, so a stem like "Toria" would match every page saying "editorial" and
    rank as a common word: stems found in `avoid` are never used."""

    def __init__(self, rng: random.Random, size: int, avoid: str = "") -> None:
        self.rng = rng
        self._avoid = avoid.lower()  # page templates: a stem inside them would match everywhere
        self.entities: list[Entity] = []
        self.by_name: dict[str, Entity] = {}
        self.outdated: list[Claim] = []
        self.renames: list[Rename] = []
        self.namesakes: dict[str, list[Entity]] = {}
        self._names: list[str] = []  # lower-cased, for the substring check
        self._doc_ids: set[str] = set()
        self._taken: set[str] = set()
        self._stems: set[str] = set()
        size = max(size, 2)
        counts: dict[Kind, int] = {
            "country": max(6, size // 2 + 2),
            "city": 3 * size,
            "person": 6 * size,
            "company": 4 * size,
            "product": 3 * size,
        }
        # Names first, facts second: facts point at entities of other kinds.
        for kind, count in counts.items():
            for _ in range(count):
                self._add(kind, with_facts=False)
        countries = [e for e in self.entities if e.kind == "country"]
        for kind in counts:
            for entity in [e for e in self.entities if e.kind == kind]:
                entity.facts = self._facts(entity)
        cities = [e for e in self.entities if e.kind == "city"]
        for country, city in zip(countries, cities[: len(countries)], strict=True):
            city.facts["country"] = country.name  # every country gets at least one city
        for city in reversed(cities):
            self.by_name[city.facts["country"]].facts["capital"] = city.name

    # -- names and ids ---------------------------------------------------------------

    def new_doc_id(self) -> str:
        """A neutral id ("doc-3fa2c1"): an id must not tell a decoy from a gold page."""
        while True:
            doc_id = f"doc-{self.rng.getrandbits(24):06x}"
            if doc_id not in self._doc_ids:
                self._doc_ids.add(doc_id)
                return doc_id

    def claim_name(self, name: str) -> bool:
        """Reserve `name` if no known name contains it or is contained in it."""
        low = name.lower()
        if low in TITLE_WORDS or any(low in n or n in low for n in self._names):
            return False
        self._names.append(low)
        return True

    def _new_name(self, kind: Kind, form: str | None = None) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            stem = rng.choice(_ONSETS) + rng.choice(_MIDDLES) + rng.choice(_CODAS)
            chosen = form or rng.choice(FORMS[kind])
            name = compose(kind, stem, chosen)
            fresh = stem not in self._stems and not any(
                part.lower() in self._avoid for part in (stem, name)
            )
            if _READABLE.match(stem) and fresh and self.claim_name(name):
                self._stems.add(stem)
                return name, stem, chosen

    def coin(self, kind: Kind, form: str | None = None) -> str:
        """A fresh free name for something that is not an entity (an old name, an alias),
        optionally with a given form (an alias keeps the product's category)."""
        return self._new_name(kind, form)[0]

    # -- entities --------------------------------------------------------------------

    def _add(
        self, kind: Kind, name: tuple[str, str, str] | None = None, *, with_facts: bool = True
    ) -> Entity:
        full, stem, form = name or self._new_name(kind)
        rng = self.rng
        detail = rng.choice(DETAILS[kind])
        entity = Entity(
            kind, full, stem, form, detail, self.new_doc_id(), iso_date(rng, 2023, 2025)
        )
        self.entities.append(entity)
        self.by_name[full] = entity
        if with_facts:
            entity.facts = self._facts(entity)
        return entity

    def _facts(self, entity: Entity) -> dict[str, str]:
        rng = self.rng
        facts: dict[str, str] = {}
        for rel in RELATIONS:
            if rel.subject != entity.kind:
                continue
            if rel.target is None:
                low = rel.low
                if rel.name == "founding year":
                    low = max(low, int(self.value(facts["founder"], "birth year")) + 22)
                if rel.name == "launch year":
                    low = max(low, int(self.value(facts["maker"], "founding year")))
                facts[rel.name] = str(rng.randint(low, max(low, rel.high)))
            elif entity.kind == "country":  # the capital: set once cities have countries
                facts[rel.name] = entity.facts.get(rel.name, "")
            else:
                facts[rel.name] = self.pick(rel.target, exclude=entity.name).name
        return facts

    def pick(self, kind: Kind, exclude: str = "") -> Entity:
        """Any original (non-namesake) entity of `kind`, at random."""
        pool = [
            e for e in self.entities if e.kind == kind and not e.namesake_of and e.name != exclude
        ]
        return self.rng.choice(pool)

    def take(self, kind: Kind) -> Entity:
        """A random original entity of `kind` no task has started from yet (or, once all
        have been taken, any)."""
        pool = [
            e
            for e in self.entities
            if e.kind == kind and not e.namesake_of and e.name not in self._taken
        ]
        entity = self.rng.choice(pool) if pool else self.pick(kind)
        self._taken.add(entity.name)
        return entity

    def value(self, name: str, rel: str) -> str:
        return self.by_name[name].facts[rel]

    @staticmethod
    def since(entity: Entity) -> int:
        """The first year news about `entity` can date from (its founding or launch)."""
        for rel in ("founding year", "launch year"):
            if rel in entity.facts:
                return int(entity.facts[rel]) + 1
        return 0

    def namesakes_of(self, entity: Entity, count: int) -> list[Entity]:
        """Up to `count` entities with a confusingly similar name and different facts."""
        found = self.namesakes.setdefault(entity.name, [])
        forms = [f for f in FORMS[entity.kind] if f != entity.form]
        self.rng.shuffle(forms)
        for form in forms:
            if len(found) >= count or entity.kind == "country":
                break
            name = compose(entity.kind, entity.stem, form)
            if entity.name.lower() in name.lower() or not self.claim_name(name):
                continue
            twin = self._add(entity.kind, (name, entity.stem, form))
            twin.namesake_of = entity.name
            for rel, value in entity.facts.items():  # every fact differs from the original's
                while twin.facts[rel] == value:
                    twin.facts[rel] = self._facts(twin)[rel]
            found.append(twin)
        return found[:count]

    def outdate(self, entity: Entity, rel: str) -> Claim:
        """An older page about `entity` with a superseded value for `rel` (made once)."""
        for claim in self.outdated:
            if claim.subject == entity.name and claim.relation == rel:
                return claim
        current = entity.facts[rel]
        spec = relation(entity.kind, rel)
        if spec.target is None:
            old = str(int(int(current) * self.rng.uniform(0.45, 0.85)))
        else:
            old = self.pick(spec.target, exclude=current).name
        first = min(max(2012, self.since(entity)), 2021)  # after founding, before the page
        claim = Claim(entity.name, rel, old, self.new_doc_id(), iso_date(self.rng, first, 2021))
        self.outdated.append(claim)
        return claim

    def rename(self, entity: Entity, alias: bool) -> Rename:
        """A former name (alias=False) or a regional trade name (alias=True) for `entity`,
        stated only on one page of its own."""
        old = self.coin(entity.kind, entity.form if alias else None)
        place = self.pick("country").name
        made = Rename(
            old,
            entity.name,
            "also known as" if alias else "renamed",
            self.new_doc_id(),
            iso_date(self.rng, min(max(2019, self.since(entity)), 2022), 2022),
            place,
        )
        self.renames.append(made)
        return made
