"""The pages of the `deep` suite: web pages, in English and Chinese, at real-world length.

Why pages look like this: an agent reading the web pays for whole pages, not for the one
sentence it needs. Each page has a main text of about `MAIN_TEXT_TOKENS` (the facts, then
filler from shared pools, as in tasks/pages.py) wrapped in its site's template (navigation,
a cookie notice, link lists, a footer) making up `TEMPLATE_SHARE` of the page; both figures
are cited in tasks/deep_figures.py. Templates are per site, the same on every page of the
site, as on the web. Boilerplate never names an entity, a number or a relation word, so it
changes what a page costs to read, not what it says or how it ranks; a page's related
links name only entities its own text already names.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from harness.task import Document
from harness.tokens import count_tokens
from tasks import deep_zh as zh
from tasks.deep_figures import LENGTH_SPREAD, MAIN_TEXT_TOKENS, TEMPLATE_SHARE
from tasks.pages import _BACKLINKS as BACKLINKS
from tasks.pages import FACTS, FILLER, LEADS, OUTDATED, RENAMES, ROUNDUP, ROUNDUP_TITLES, backlinks
from tasks.world import Claim, Entity, Rename, World, iso_date

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

EXTRA_FILLER = (
    "Editors cross-check each entry against at least two independent sources.",
    "Archived versions of this entry are available on request.",
    "Readers often ask how the figures on this page were collected.",
    "Coverage of the region has grown steadily as more records were digitised.",
    "Where sources conflict, the entry gives the most recent verified figure.",
    "The entry was expanded after readers pointed out missing details.",
    "Background material draws on trade directories and local press coverage.",
    "Most entries in this section follow the same structure.",
    "Some older entries still use spellings that have since changed.",
    "Translations of this entry may lag behind the original.",
    "Commentators have described the sector as crowded and fast-moving.",
    "A longer profile is planned for a future edition.",
)
SITES = ("The Regional Register", "Open Ledger Online", "Civic Yearbook")
NAV = (
    "Home | News | Business | People | Places | Products | Opinion | Archive | About | "
    "Contact | Sign in | Subscribe"
)
COOKIE = (
    "Cookie notice: we use cookies and similar technologies to remember your preferences, "
    "measure traffic and show relevant offers. By continuing to browse you accept their "
    "use. Manage settings | Accept all | Reject optional cookies"
)
STALE = "From the archive: this article is more than a year old and may no longer be accurate."
BLOCKS = (
    "Newsletter: get the week's most read stories in your inbox every Friday. Enter your "
    "email address to subscribe; you can unsubscribe at any time.",
    "Most read: Ten things to know before you travel this summer · Why small firms are "
    "struggling to hire · The quiet return of the village bakery · Readers' letters: on "
    "roads, rents and rail fares",
    "Share this page: Email · Print · Copy link · Post to social media",
    "Advertisement",
    "Support independent reporting. Our journalism is funded by readers like you. Become a "
    "member today and read without limits.",
    "Editor's picks: A long weekend in the hills · How the rail strike unfolded · The best "
    "new podcasts, reviewed · Ask the expert: saving for retirement",
    "Comments are closed for this entry. Read our community guidelines before joining the "
    "discussion elsewhere on the site.",
    "You are reading the free edition. Sign in to save entries, follow topics and receive alerts.",
    "Found an error? If you spot a mistake on this page, tell the editors using the "
    "correction form.",
    "Topics: economy · technology · local government · transport · education · culture",
    "Further reading: How to check a figure you saw online · Five steps to reading an "
    "annual report · The future of local news",
    "Get our app to read the latest stories anywhere and receive an alert when big news breaks.",
)
FOOTER = (
    "{site} · About us · Editorial standards · Privacy policy · Terms of use · "
    "Accessibility · Advertise · Careers · Help centre. All rights reserved. Reproduction "
    "without permission is prohibited."
)
RELATED = "Related pages: "
TEMPLATE_TEXT = " ".join([*EXTRA_FILLER, *SITES, NAV, COOKIE, STALE, *BLOCKS, FOOTER, RELATED])
"""Every fixed English word of a deep page (see World(avoid=)), plus zh's Latin words."""
TEMPLATE_TEXT += " " + zh.TEMPLATE_TEXT


@dataclass(frozen=True, slots=True)
class Site:
    """One web site's template: its name and the order of its side blocks."""

    name: str
    lang: Lang
    blocks: tuple[str, ...]


def make_sites(rng: random.Random) -> dict[Lang, list[Site]]:
    """Every site of both languages, each with its blocks in a fixed random order."""
    out: dict[Lang, list[Site]] = {}
    groups: tuple[tuple[Lang, tuple[str, ...], tuple[str, ...]], ...] = (
        ("en", SITES, BLOCKS),
        ("zh", zh.SITES, zh.BLOCKS),
    )
    for lang, names, blocks in groups:
        sites = []
        for name in names:
            order = list(blocks)
            rng.shuffle(order)
            sites.append(Site(name, lang, tuple(order)))
        out[lang] = sites
    return out


def _size(text: str, lang: Lang) -> float:
    """`text`'s share of the tokens of a text it is joined into (harness.tokens counts
    Latin text by characters, so a sentence on its own would round up)."""
    return count_tokens(text) if lang == "zh" else (len(text) + 1) / 4


def _main_text(
    rng: random.Random, lang: Lang, sentences: list[str], pools: Sequence[tuple[str, ...]]
) -> str:
    """`sentences` with filler inserted (after the first) up to a length drawn around
    `MAIN_TEXT_TOKENS`; filler is reshuffled and reused if a page needs more than a pool."""
    spread = rng.uniform(1 - LENGTH_SPREAD, 1 + LENGTH_SPREAD)
    target = round(MAIN_TEXT_TOKENS * spread)
    filler = [s for pool in pools for s in pool]
    total = sum(_size(s, lang) for s in sentences)
    stock: list[str] = []
    while total < target:
        if not stock:
            stock = list(filler)
            rng.shuffle(stock)
        sentence = stock.pop()
        sentences.insert(rng.randint(1, len(sentences)), sentence)
        total += _size(sentence, lang)
    return ("" if lang == "zh" else " ").join(sentences)


def _wrap(
    rng: random.Random, site: Site, main: str, related: list[str], *, stale: bool = False
) -> str:
    """`main` inside `site`'s template: blocks are added until the template is
    `TEMPLATE_SHARE` of the page."""
    text = zh if site.lang == "zh" else None
    nav, cookie = (zh.NAV, zh.COOKIE) if text else (NAV, COOKIE)
    footer = (zh.FOOTER if text else FOOTER).format(site=site.name)
    head = [site.name, nav, cookie] + ([zh.STALE if text else STALE] if stale else [])
    tail = []
    if related:
        tail.append((zh.RELATED if text else RELATED) + " · ".join(related))
    target = count_tokens(main) * TEMPLATE_SHARE / (1 - TEMPLATE_SHARE)
    used = sum(_size(part, site.lang) for part in [*head, *tail, footer])
    for block in site.blocks:
        if used >= target:
            break
        tail.append(block)
        used += _size(block, site.lang)
    return "\n".join([*head, main, *tail, footer])


def _relation_sentences(entity: Entity, lang: Lang, rng: random.Random) -> list[str]:
    n, s = entity.name, entity.stem
    if lang == "zh":
        detail, form = zh.DETAILS.get(entity.detail, ""), zh.DETAILS.get(entity.form, "")
        lead = zh.LEADS[entity.kind].format(n=n, d=detail, f=form)
        facts = [rng.choice(zh.FACTS[rel]).format(n=n, v=v) for rel, v in entity.facts.items()]
        return [lead, *facts]
    lead = LEADS[entity.kind].format(n=n, d=entity.detail, f=entity.form)
    facts = [rng.choice(FACTS[rel]).format(n=n, s=s, v=v) for rel, v in entity.facts.items()]
    return [lead, *facts]


class PageMaker:
    """Renders every page of a world in both languages; `ids` maps an English page's id
    to its Chinese twin's id (made in a fixed order, so the suite stays deterministic)."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.sites = make_sites(rng)
        self.links = backlinks(world)
        self.zh_ids: dict[str, str] = {}

    def doc_id(self, en_id: str, lang: Lang) -> str:
        if lang == "en":
            return en_id
        if en_id not in self.zh_ids:
            self.zh_ids[en_id] = self.world.new_doc_id()
        return self.zh_ids[en_id]

    def _page(
        self,
        en_id: str,
        lang: Lang,
        title: str,
        date: str,
        main: str,
        related: list[str],
        *,
        stale: bool = False,
    ) -> Document:
        site = self.rng.choice(self.sites[lang])
        text = _wrap(self.rng, site, main, related, stale=stale)
        return Document(id=self.doc_id(en_id, lang), title=title, text=text, date=date, lang=lang)

    def entity(self, entity: Entity, lang: Lang) -> Document:
        rng = self.rng
        sentences = _relation_sentences(entity, lang, rng)
        linked = self.links.get(entity.name, [])[:4]
        templates = zh.BACKLINKS if lang == "zh" else BACKLINKS
        for rel, other in linked:
            template = templates.get((entity.kind, rel))
            if template:
                sentences.append(template.format(n=entity.name, s=entity.stem, o=other))
        pools = (zh.FILLER["any"],) if lang == "zh" else (FILLER[entity.kind], FILLER["any"])
        main = _main_text(rng, lang, sentences, pools if lang == "zh" else (*pools, EXTRA_FILLER))
        named = [v for v in entity.facts.values() if v in self.world.by_name]
        related = list(dict.fromkeys(named + [other for _, other in linked]))[:6]
        title = entity.name + (zh.TITLE_SUFFIX if lang == "zh" else "")
        return self._page(entity.doc_id, lang, title, entity.date, main, related)

    def outdated(self, claim: Claim, lang: Lang) -> Document:
        title, lead = (zh.OUTDATED if lang == "zh" else OUTDATED)[claim.relation]
        sentences = [lead.format(n=claim.subject, v=claim.value)]
        pools = (
            (zh.FILLER["news"], zh.FILLER["any"])
            if lang == "zh"
            else (FILLER["news"], FILLER["any"])
        )
        main = _main_text(self.rng, lang, sentences, pools)
        title = title.format(n=claim.subject)
        return self._page(claim.doc_id, lang, title, claim.date, main, [], stale=True)

    def rename(self, rename: Rename, lang: Lang) -> Document:
        lines = (zh.RENAMES if lang == "zh" else RENAMES)[rename.relation]
        title, *sentences = (
            line.format(old=rename.old, new=rename.new, place=rename.place) for line in lines
        )
        pools = (
            (zh.FILLER["news"], zh.FILLER["any"])
            if lang == "zh"
            else (FILLER["news"], FILLER["any"])
        )
        main = _main_text(self.rng, lang, sentences, pools)
        return self._page(rename.doc_id, lang, title, rename.date, main, [])

    def noise(self, number: int, lang: Lang) -> Document:
        """A roundup naming four entities and relation words but stating no fact."""
        rng = self.rng
        names = [e.name for e in rng.sample(self.world.entities, 4)]
        if lang == "zh":
            sentences = [zh.ROUNDUP[0].format(*names), zh.ROUNDUP[1]]
            title = zh.ROUNDUP_TITLE.format(number)
            pools: tuple[tuple[str, ...], ...] = (zh.FILLER["news"], zh.FILLER["any"])
        else:
            sentences = [ROUNDUP[0].format(*names), ROUNDUP[1]]
            title = f"{rng.choice(ROUNDUP_TITLES)}, issue {number}"
            pools = (FILLER["news"], FILLER["company"], FILLER["city"])
        main = _main_text(rng, lang, sentences, pools)
        en_id = self.world.new_doc_id()
        return self._page(en_id, lang, title, iso_date(rng, 2020, 2025), main, [])

    def all_pages(self, noise: int) -> list[Document]:
        """Every page of the world in both languages, sorted by id."""
        docs: list[Document] = []
        for lang in LANGS:
            docs += [self.entity(e, lang) for e in self.world.entities]
            docs += [self.outdated(c, lang) for c in self.world.outdated]
            docs += [self.rename(r, lang) for r in self.world.renames]
            docs += [self.noise(i + 1, lang) for i in range(noise)]
        return sorted(docs, key=lambda d: d.id)
